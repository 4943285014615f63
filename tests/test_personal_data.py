"""Personal data (issue 9): a person downloads their own data, asks for erasure, HR anonymises
an account so that figures keep counting, and session notes go when a program's retention ends."""

import datetime
import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib.sessions.models import Session as WebSession
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from feedback.models import Answer, Delivery, MailPreferences, SurveyTemplate
from matching import session_logs
from matching.models import ActionItem, Pair, Session, SessionLog
from matching.tasks import purge_expired_notes
from mentorship.accounts.models import ErasureRequest, User
from mentorship.accounts.services import account_anonymise, erasure_request_create
from mentorship.audit.models import AuditEvent
from programs.models import Enrolment, ParticipantImport, Program, add_months
from tests.factories import EnrolmentFactory, ProgramFactory, UserFactory
from tests.feedback.factories import (
    AnswerFactory,
    SurveyInvitationFactory,
    SurveyResponseFactory,
    SurveyScheduleFactory,
)

pytestmark = pytest.mark.django_db


def _pair_with_log(program, mentor_user, mentee_user, *, takeaways, notes, item="Try a tool"):
    mentor = Enrolment.objects.get(user=mentor_user, program=program)
    mentee = Enrolment.objects.get(user=mentee_user, program=program)
    pair = Pair.objects.create(program=program, mentor=mentor, mentee=mentee)
    session = Session.objects.create(
        pair=pair,
        starts_at=timezone.now() - datetime.timedelta(days=1),
        duration_minutes=60,
        status="held",
    )
    SessionLog.objects.create(
        session=session,
        outcome="held",
        actual_minutes=50,
        takeaways=takeaways,
        private_notes=notes,
        logged_by=mentor_user,
    )
    ActionItem.objects.create(pair=pair, session=session, text=item, owner=mentee)
    return pair


@pytest.fixture
def world(program, mentor, mentee, other_participant):
    """The mentor's and mentee's pair with notes, and another program's pair with its own."""
    program.status = "active"
    program.save()
    pair = _pair_with_log(
        program, mentor, mentee, takeaways="OUR-TAKEAWAY", notes="OUR-NOTE", item="OUR-ITEM"
    )
    other_program = Enrolment.objects.get(user=other_participant).program
    other_mentor = EnrolmentFactory(
        program=other_program,
        role="mentor",
        user=UserFactory(email="othermentor@example.com", full_name="Oscar Othermentor"),
    ).user
    other_pair = _pair_with_log(
        other_program,
        other_mentor,
        other_participant,
        takeaways="THEIR-TAKEAWAY",
        notes="THEIR-NOTE",
        item="THEIR-ITEM",
    )
    return {"pair": pair, "other_pair": other_pair}


def _named_answer(enrolment, *, text: str, number: int):
    template = SurveyTemplate.objects.get(key="mid-program")
    schedule = SurveyScheduleFactory(program=enrolment.program, template=template)
    invitation = SurveyInvitationFactory(schedule=schedule, enrolment=enrolment, answered=True)
    response = SurveyResponseFactory(schedule=schedule, invitation=invitation, role=enrolment.role)
    questions = list(template.questions.order_by("position"))
    number_question = next(q for q in questions if q.kind in ("likert", "nps"))
    text_question = next(q for q in questions if q.kind == "text")
    AnswerFactory(response=response, question=number_question, number=number)
    AnswerFactory(response=response, question=text_question, text=text)
    return response


def _raw_notes(log_pk: int):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT takeaways, private_notes FROM matching_sessionlog WHERE id = %s", [log_pk]
        )
        return cursor.fetchone()


# --- Download my data ---------------------------------------------------------------------------


def test_my_data_is_a_json_attachment_of_the_persons_own_data(client_for, world, mentee):
    enrolment = Enrolment.objects.get(user=mentee)
    _named_answer(enrolment, text="MY-ANSWER", number=4)
    MailPreferences.objects.create(user=mentee, session_reminders=False)
    response = client_for(mentee).get(reverse("accounts:my_data"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="my-data-{today}.json"'
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "mehmet@example.com"
    assert data["account"]["full_name"] == "Mehmet Kaya"
    assert data["enrolments"][0]["program"] == "Digital leaders 2027"
    assert data["enrolments"][0]["goals"] == enrolment.goals
    assert data["enrolments"][0]["learn_topics"][0]["confidence_start"] == 2
    [pair] = data["pairs"]
    assert pair["partner"] == "Minh Trần"
    assert pair["my_role"] == "mentee"
    [session] = pair["sessions"]
    assert session["starts_at"].endswith("+00:00")
    assert session["log"]["takeaways"] == "OUR-TAKEAWAY"
    assert session["log"]["private_notes"] == "OUR-NOTE"
    assert pair["action_items"] == [
        {"text": "OUR-ITEM", "owner": "me", "due_on": None, "done_at": None}
    ]
    assert {answer["text"] for answer in data["survey_answers"]} == {"", "MY-ANSWER"}
    assert {answer["number"] for answer in data["survey_answers"]} == {None, 4}
    assert "anonymous" in data["survey_answers_note"]
    assert data["mail_preferences"]["session_reminders"] is False


def test_my_data_lists_the_company_sign_in_and_what_the_idp_said(
    client_for, world, mentee, other_participant
):
    SocialAccount.objects.create(
        user=mentee, provider="company", uid="idp-7", extra_data={"userinfo": {"upn": "MK-UPN"}}
    )
    SocialAccount.objects.create(
        user=other_participant, provider="company", uid="idp-9", extra_data={"upn": "OTHER-UPN"}
    )

    data = json.loads(client_for(mentee).get(reverse("accounts:my_data")).content)

    [link] = data["company_sign_in"]
    assert link["provider"] == "company" and link["identifier"] == "idp-7"
    assert link["what_it_said"] == {"userinfo": {"upn": "MK-UPN"}}
    assert "OTHER-UPN" not in json.dumps(data)


def test_my_data_holds_nothing_of_another_pair_nor_the_partners_address(client_for, world, mentee):
    body = client_for(mentee).get(reverse("accounts:my_data")).content.decode()
    for secret in ("THEIR-TAKEAWAY", "THEIR-NOTE", "THEIR-ITEM", "outsider@example.com"):
        assert secret not in body
    # The partner appears by name only.
    assert "minh@example.com" not in body
    assert "Olga Other" not in body


def test_my_data_is_always_the_signed_in_persons_own(client_for, world, other_participant):
    data = json.loads(client_for(other_participant).get(reverse("accounts:my_data")).content)
    assert data["account"]["email"] == "outsider@example.com"
    assert data["pairs"][0]["sessions"][0]["log"]["private_notes"] == "THEIR-NOTE"
    assert "OUR-NOTE" not in json.dumps(data)


def test_anonymous_answers_are_not_in_my_data(client_for, world, mentee):
    template = SurveyTemplate.objects.get(key="mid-program")
    template.is_anonymous = True
    template.save()
    schedule = SurveyScheduleFactory(program=Enrolment.objects.get(user=mentee).program)
    response = SurveyResponseFactory(schedule=schedule)  # no invitation: nobody's
    AnswerFactory(
        response=response,
        question=template.questions.filter(kind="text").first(),
        text="ANON-ANSWER",
    )
    body = client_for(mentee).get(reverse("accounts:my_data")).content.decode()
    assert "ANON-ANSWER" not in body


def test_my_data_refuses_anonymous_visitors_and_posts(client_for, mentee):
    url = reverse("accounts:my_data")
    assert client_for(None).get(url).status_code == 302
    assert client_for(mentee).post(url).status_code == 405


def test_profile_links_to_my_data_and_erasure(client_for, mentee):
    page = client_for(mentee).get(reverse("accounts:profile")).content.decode()
    assert reverse("accounts:my_data") in page
    assert reverse("accounts:erasure_confirm") in page


# --- Asking for erasure -------------------------------------------------------------------------


def test_asking_for_erasure_records_it_and_mails_each_hr_admin_in_their_language(
    client_for, mentee, hr_admin, django_capture_on_commit_callbacks, celery_eager
):
    UserFactory(
        email="hr2@example.com", full_name="Hoa HR", is_hr_admin=True, preferred_language="vi"
    )
    client = client_for(mentee)
    assert client.get(reverse("accounts:erasure_confirm")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:erasure_request"))
    assert response.status_code == 302
    request = ErasureRequest.objects.get(user=mentee)
    assert request.handled_at is None
    assert sorted(message.to[0] for message in mail.outbox) == ["hr2@example.com", "hr@example.com"]
    english = next(m for m in mail.outbox if m.to == ["hr@example.com"])
    assert "Mehmet Kaya" in english.subject
    assert "asks for their personal data to be erased" in english.subject
    assert reverse("accounts:erasure_requests") in english.body
    vietnamese = next(m for m in mail.outbox if m.to == ["hr2@example.com"])
    assert '<html lang="vi">' in vietnamese.alternatives[0][0]
    assert '<html lang="en">' in english.alternatives[0][0]


def test_asking_twice_adds_no_request_and_no_mail(
    client_for, mentee, hr_admin, django_capture_on_commit_callbacks, celery_eager
):
    client = client_for(mentee)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:erasure_request"))
        client.post(reverse("accounts:erasure_request"))
    assert ErasureRequest.objects.filter(user=mentee).count() == 1
    assert len(mail.outbox) == 1
    page = client.get(reverse("accounts:erasure_confirm")).content.decode()
    assert "You asked on" in page


def test_erasure_request_endpoint_is_post_only(client_for, mentee):
    assert client_for(mentee).get(reverse("accounts:erasure_request")).status_code == 405
    assert not ErasureRequest.objects.exists()


def test_hr_lists_open_erasure_requests(client_for, mentee, mentor, hr_admin):
    erasure_request_create(user=mentee)
    handled, _created = erasure_request_create(user=mentor)
    handled.handled_at = timezone.now()
    handled.save()
    page = client_for(hr_admin).get(reverse("accounts:erasure_requests")).content.decode()
    assert "Mehmet Kaya" in page
    assert "Minh Trần" not in page


@pytest.mark.parametrize("role", ["mentee", "executive"])
def test_only_hr_reads_the_erasure_requests(client_for, request, role):
    user = request.getfixturevalue(role)
    assert client_for(user).get(reverse("accounts:erasure_requests")).status_code == 403


def test_erasure_requests_page_query_count_does_not_grow(client_for, hr_admin, program):
    client = client_for(hr_admin)
    url = reverse("accounts:erasure_requests")
    counts = []
    for added in (1, 6):
        for user in UserFactory.create_batch(added):
            erasure_request_create(user=user)
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1], counts


# --- HR anonymises a participant ----------------------------------------------------------------


def _anonymise_as(client, person):
    return client.post(reverse("accounts:person_anonymise", args=[person.pk]))


def test_anonymising_keeps_counts_and_removes_names_and_notes(
    client_for, world, mentee, mentor, hr_admin
):
    program = world["pair"].program
    enrolment = Enrolment.objects.get(user=mentee)
    _named_answer(enrolment, text="MY-SECRET-ANSWER", number=4)
    erasure_request_create(user=mentee)
    Authenticator.objects.create(user=mentee, type=Authenticator.Type.RECOVERY_CODES, data={})
    Delivery.objects.create(
        key="survey:bounced",
        kind=Delivery.Kind.SURVEY,
        recipient=mentee,
        due_at=timezone.now(),
        status=Delivery.Status.FAILED,
        last_error="550 mehmet@example.com: no such user",
    )
    before = {
        "pairs": Pair.objects.filter(program=program).count(),
        "sessions": Session.objects.filter(pair__program=program).count(),
        "enrolments": Enrolment.objects.filter(program=program).count(),
        "counts": Program.objects.for_hr_list().values("mentors", "mentees").get(pk=program.pk),
        "numbers": list(Answer.objects.exclude(number=None).values_list("number", flat=True)),
    }

    client = client_for(hr_admin)
    assert client.get(reverse("accounts:person_erase_confirm", args=[mentee.pk])).status_code == 200
    response = _anonymise_as(client, mentee)
    assert response.status_code == 302

    after = {
        "pairs": Pair.objects.filter(program=program).count(),
        "sessions": Session.objects.filter(pair__program=program).count(),
        "enrolments": Enrolment.objects.filter(program=program).count(),
        "counts": Program.objects.for_hr_list().values("mentors", "mentees").get(pk=program.pk),
        "numbers": list(Answer.objects.exclude(number=None).values_list("number", flat=True)),
    }
    assert after == before

    mentee.refresh_from_db()
    assert mentee.full_name == f"Erased person #{mentee.pk}"
    assert mentee.email == f"erased-{mentee.pk}@invalid.example"
    assert mentee.job_title == ""
    assert mentee.manager is None
    assert not mentee.is_active
    assert not mentee.has_usable_password()
    assert not EmailAddress.objects.filter(user=mentee).exists()
    assert not Authenticator.objects.filter(user=mentee).exists()
    assert Enrolment.objects.get(user=mentee).goals == ""

    log = SessionLog.objects.get(session__pair=world["pair"])
    assert log.takeaways in (None, "")
    assert log.private_notes in (None, "")
    assert _raw_notes(log.pk) == (None, None)
    assert ActionItem.objects.get(pair=world["pair"]).text == "[erased]"
    assert not Answer.objects.filter(text="MY-SECRET-ANSWER").exists()
    assert Delivery.objects.get(key="survey:bounced").last_error == ""

    # The other pair keeps everything.
    other_log = SessionLog.objects.get(session__pair=world["other_pair"])
    assert other_log.private_notes == "THEIR-NOTE"
    assert ActionItem.objects.get(pair=world["other_pair"]).text == "THEIR-ITEM"
    # The partner keeps their account.
    mentor.refresh_from_db()
    assert mentor.full_name == "Minh Trần" and mentor.is_active

    request = ErasureRequest.objects.get(user=mentee)
    assert request.handled_at is not None and request.handled_by == hr_admin
    event = AuditEvent.objects.get(action="deleted", target_id=str(mentee.pk))
    assert event.actor == hr_admin
    assert event.target_label == f"#{mentee.pk}"
    assert event.details == {"anonymised": True}
    assert "Mehmet" not in json.dumps(event.details)


def test_anonymising_signs_the_person_out_everywhere(client_for, mentee, hr_admin):
    their_client = Client()
    their_client.force_login(mentee)
    assert their_client.get(reverse("accounts:profile")).status_code == 200
    _anonymise_as(client_for(hr_admin), mentee)

    sessions = [s.get_decoded().get("_auth_user_id") for s in WebSession.objects.all()]
    assert str(mentee.pk) not in sessions
    assert str(hr_admin.pk) in sessions
    response = their_client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_anonymised_persons_data_download_would_name_nobody(world, mentee, hr_admin):
    from mentorship.accounts.personal_data import personal_data_export

    account_anonymise(user=mentee, by=hr_admin)
    text = json.dumps(personal_data_export(user=User.objects.get(pk=mentee.pk)))
    for secret in ("Mehmet", "mehmet@example.com", "OUR-NOTE", "OUR-TAKEAWAY", "OUR-ITEM"):
        assert secret not in text


def test_anonymising_removes_the_unconfirmed_imports_that_list_the_person(
    world, mentee, hr_admin, program
):
    listing = ParticipantImport.objects.create(
        program=program, filename="a.csv", content="email,name\nMEHMET@example.com,Mehmet\n"
    )
    other = ParticipantImport.objects.create(
        program=program, filename="b.csv", content="email\nsomeone@example.com\n"
    )
    # An address that merely ends like theirs is someone else's.
    lookalike = ParticipantImport.objects.create(
        program=program, filename="c.csv", content="email\nali.mehmet@example.com\n"
    )

    account_anonymise(user=mentee, by=hr_admin)

    assert not ParticipantImport.objects.filter(pk=listing.pk).exists()
    assert ParticipantImport.objects.filter(pk=other.pk).exists()
    assert ParticipantImport.objects.filter(pk=lookalike.pk).exists()


def test_anonymising_twice_is_harmless(world, mentee, hr_admin):
    account_anonymise(user=mentee, by=hr_admin)
    account_anonymise(user=mentee, by=hr_admin)
    assert User.objects.get(pk=mentee.pk).full_name == f"Erased person #{mentee.pk}"


def test_hr_cannot_anonymise_themselves(client_for, hr_admin):
    response = _anonymise_as(client_for(hr_admin), hr_admin)
    assert response.status_code == 302
    hr_admin.refresh_from_db()
    assert hr_admin.is_active and hr_admin.full_name == "Hana HR"


@pytest.mark.parametrize("role", ["mentor", "executive", "other_participant"])
def test_anonymising_is_refused_to_non_hr(client_for, request, mentee, role):
    user = request.getfixturevalue(role)
    client = client_for(user)
    assert _anonymise_as(client, mentee).status_code == 403
    assert client.get(reverse("accounts:person_erase_confirm", args=[mentee.pk])).status_code == 403
    mentee.refresh_from_db()
    assert mentee.is_active and mentee.full_name == "Mehmet Kaya"


def test_anonymising_refuses_anonymous_visitors(client_for, mentee):
    response = _anonymise_as(client_for(None), mentee)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert User.objects.get(pk=mentee.pk).is_active


def test_anonymise_endpoint_refuses_get(client_for, mentee, hr_admin):
    response = client_for(hr_admin).get(reverse("accounts:person_anonymise", args=[mentee.pk]))
    assert response.status_code == 405
    assert User.objects.get(pk=mentee.pk).is_active


def test_person_page_links_to_the_erasure_confirmation(client_for, mentee, hr_admin):
    page = client_for(hr_admin).get(reverse("accounts:person_edit", args=[mentee.pk]))
    assert reverse("accounts:person_erase_confirm", args=[mentee.pk]) in page.content.decode()


# --- Retention of session notes -----------------------------------------------------------------


def _ended_program(months_ago_end: int, retention: int, *, slug: str) -> Program:
    today = timezone.localdate()
    end = add_months(today, -months_ago_end)
    return ProgramFactory(
        slug=slug,
        start_date=end - datetime.timedelta(days=180),
        end_date=end,
        enrolment_deadline=None,
        status="completed",
        notes_retention_months=retention,
    )


def _program_with_notes(program: Program) -> SessionLog:
    mentor = EnrolmentFactory(program=program, role="mentor").user
    mentee = EnrolmentFactory(program=program, role="mentee").user
    pair = _pair_with_log(program, mentor, mentee, takeaways="KEEP-OR-GO", notes="NOTE")
    return SessionLog.objects.get(session__pair=pair)


def test_retention_task_clears_notes_only_of_programs_past_their_window(db, celery_eager):
    expired = _program_with_notes(_ended_program(13, 12, slug="expired"))
    within = _program_with_notes(_ended_program(11, 12, slug="within"))
    short = _program_with_notes(_ended_program(2, 1, slug="short-window"))
    running = _program_with_notes(ProgramFactory(slug="running", status="active"))

    assert purge_expired_notes.delay().get() == 2

    for log in (expired, short):
        log.refresh_from_db()
        assert log.takeaways in (None, "") and log.private_notes in (None, "")
        assert _raw_notes(log.pk) == (None, None)
    for log in (within, running):
        log.refresh_from_db()
        assert log.takeaways == "KEEP-OR-GO" and log.private_notes == "NOTE"
    # Sessions and logs stay; only the text goes.
    assert SessionLog.objects.count() == 4

    # Idempotent: nothing left to do.
    assert purge_expired_notes.delay().get() == 0


def test_retention_window_is_counted_in_calendar_months(db):
    assert session_logs.session_notes_purge_expired(today=timezone.localdate()) == 0
    program = ProgramFactory.build(end_date=datetime.date(2027, 1, 31), notes_retention_months=1)
    assert program.notes_expire_on == datetime.date(2027, 3, 1)
    assert add_months(datetime.date(2028, 1, 31), 1) == datetime.date(2028, 2, 29)
    assert add_months(datetime.date(2027, 11, 15), 3) == datetime.date(2028, 2, 15)
    assert add_months(datetime.date(2027, 1, 15), -2) == datetime.date(2026, 11, 15)


def test_program_form_edits_the_retention(client_for, hr_admin, program):
    client = client_for(hr_admin)
    page = client.get(reverse("programs:program_edit", args=[program.slug])).content.decode()
    assert 'name="notes_retention_months"' in page


def test_a_program_still_running_past_its_end_keeps_its_notes(db):
    # Pairs finishing after the end date: the program is not closed, so its window has not run.
    late = _ended_program(3, 0, slug="running-late")
    Program.objects.filter(pk=late.pk).update(status="active")
    log = _program_with_notes(late)
    assert session_logs.session_notes_purge_expired(today=timezone.localdate()) == 0
    log.refresh_from_db()
    assert log.private_notes == "NOTE"


def test_erasure_leaves_no_name_in_the_back_offices_history(hr_admin):
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    person = UserFactory(full_name="Mai Mentor")
    LogEntry.objects.create(
        user=hr_admin,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(person.pk),
        object_repr=str(person),
        action_flag=CHANGE,
    )
    account_anonymise(user=person, by=hr_admin)
    assert list(LogEntry.objects.values_list("object_repr", flat=True)) == [f"#{person.pk}"]
