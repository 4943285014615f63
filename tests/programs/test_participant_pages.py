"""Participant pages (my programs, apply, my profile, guidelines): who may open them, the profile
form's validation, the guidelines acknowledgement, applying, and the query count of the list."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programs.models import Enrolment, EnrolmentStatus, LearnTopic, TeachTopic, Topic
from tests.factories import EnrolmentFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db

PROGRAM_PAGES = ["programs:apply", "programs:my_profile", "programs:guidelines"]
ALL_PAGES = ["programs:my_programs", *PROGRAM_PAGES]
OWN_PAGES = ["programs:my_programs", "programs:my_profile", "programs:guidelines"]


def page_url(name: str, slug: str = "digital-leaders-2027") -> str:
    if name == "programs:my_programs":
        return reverse(name)
    return reverse(name, kwargs={"slug": slug})


def enrolment_of(user, program) -> Enrolment:
    return Enrolment.objects.get(user=user, program=program)


def snapshot(enrolment: Enrolment) -> tuple:
    """Everything the profile form may change, read fresh from the database."""
    enrolment = Enrolment.objects.get(pk=enrolment.pk)
    return (
        enrolment.languages,
        enrolment.time_zone,
        enrolment.goals,
        enrolment.status,
        enrolment.guidelines_acknowledged_at,
        sorted(TeachTopic.objects.filter(enrolment=enrolment).values_list("topic_id", "level")),
        sorted(
            LearnTopic.objects.filter(enrolment=enrolment).values_list(
                "topic_id", "priority", "confidence_start"
            )
        ),
    )


def profile_data(rows, *, languages=("vi", "en"), time_zone="Asia/Ho_Chi_Minh", goals=None):
    """The POST of the profile form. `rows` is a list of (topic, numbers or None when the row
    is left unticked), in the order the page shows them."""
    data = {
        "languages": list(languages),
        "time_zone": time_zone,
        "goals": goals if goals is not None else "Learn to explain AI tools to leaders.",
        "topics-TOTAL_FORMS": str(len(rows)),
        "topics-INITIAL_FORMS": str(len(rows)),
        "topics-MIN_NUM_FORMS": "0",
        "topics-MAX_NUM_FORMS": "1000",
    }
    for index, (topic, numbers) in enumerate(rows):
        data[f"topics-{index}-topic"] = str(topic.pk)
        if numbers is not None:
            data[f"topics-{index}-chosen"] = "on"
            data.update({f"topics-{index}-{key}": str(value) for key, value in numbers.items()})
    return data


def offered(program) -> list[Topic]:
    return list(program.topics.order_by("pk"))


# --- Who may open what ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_PAGES)
def test_anonymous_visitor_is_sent_to_sign_in(client, program, name):
    response = client.get(page_url(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ALL_PAGES)
def test_inactive_user_is_sent_to_sign_in(client_for, program, inactive_user, name):
    EnrolmentFactory(program=program, user=inactive_user)
    response = client_for(inactive_user).get(page_url(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ["mentor", "mentee"])
@pytest.mark.parametrize("name", OWN_PAGES)
def test_mentor_and_mentee_open_their_own_pages(request, client_for, program, role, name):
    user = request.getfixturevalue(role)
    response = client_for(user).get(page_url(name))
    assert response.status_code == 200
    assert "Digital leaders 2027" in response.content.decode()


@pytest.mark.parametrize("name", ["programs:my_profile", "programs:guidelines"])
def test_participant_of_another_program_sees_nothing_of_it(
    client_for, program, other_participant, name
):
    client = client_for(other_participant)
    refused = client.get(page_url(name))
    assert refused.status_code == 404
    assert "Digital leaders 2027" not in refused.content.decode()
    assert client.get(page_url(name, slug="other-cohort")).status_code == 200


@pytest.mark.parametrize("who", ["hr_admin", "executive"])
@pytest.mark.parametrize("name", ["programs:my_profile", "programs:guidelines"])
def test_hr_admin_and_executive_have_no_profile_in_a_program_they_are_not_in(
    request, client_for, program, mentor, who, name
):
    response = client_for(request.getfixturevalue(who)).get(page_url(name))
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["hr_admin", "executive"])
def test_my_programs_of_hr_admin_and_executive_lists_no_enrolment(
    request, client_for, program, mentor, mentee, who
):
    response = client_for(request.getfixturevalue(who)).get(page_url("programs:my_programs"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "You are not taking part in a program yet" in body
    assert page_url("programs:my_profile") not in body


@pytest.mark.parametrize("name", PROGRAM_PAGES)
def test_an_unknown_program_is_404(client_for, mentor, name):
    assert client_for(mentor).get(page_url(name, slug="no-such-program")).status_code == 404


@pytest.mark.parametrize("name", ["programs:my_profile", "programs:guidelines"])
def test_guessing_another_programs_slug_reveals_nothing(
    client_for, program, mentee, other_participant, name
):
    response = client_for(mentee).get(page_url(name, slug="other-cohort"))
    assert response.status_code == 404
    assert "Other cohort" not in response.content.decode()


def test_the_apply_page_of_a_closed_program_does_not_show_its_details(client_for, participant):
    ProgramFactory(name="Secret pilot", slug="secret-pilot", status="draft")
    response = client_for(participant).get(page_url("programs:apply", slug="secret-pilot"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "This program does not take applications now." in body
    assert "Secret pilot" not in body


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("programs:my_programs", "post"),
        ("programs:my_programs", "delete"),
        ("programs:apply", "put"),
        ("programs:my_profile", "delete"),
        ("programs:guidelines", "put"),
    ],
)
def test_wrong_http_method_is_405(client_for, mentor, name, method):
    response = getattr(client_for(mentor), method)(page_url(name))
    assert response.status_code == 405


# --- My programs ------------------------------------------------------------------------------


def test_my_programs_lists_own_enrolments_and_open_programs_not_joined(client_for, program):
    user = UserFactory()
    EnrolmentFactory(program=program, user=user, role="mentor", guidelines_acknowledged_at=None)
    closed = ProgramFactory(name="Spring cohort", status="active")
    EnrolmentFactory(program=closed, user=user, role="mentee")
    autumn = ProgramFactory(name="Autumn cohort")
    ProgramFactory(name="Draft cohort", status="draft")

    response = client_for(user).get(page_url("programs:my_programs"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Digital leaders 2027" in body and "Spring cohort" in body
    assert "Still missing: acknowledging the guidelines" in body
    assert page_url("programs:my_profile") in body
    assert page_url("programs:guidelines") in body
    # Open to apply: only the open program this person is not in.
    assert page_url("programs:apply", slug=autumn.slug) in body
    assert page_url("programs:apply") not in body
    assert "Draft cohort" not in body


def _person_with(size: int):
    """A person in `size` programs (both roles, some profiles incomplete), with `size` more
    programs open to them."""
    person = UserFactory()
    for index in range(size):
        EnrolmentFactory(
            user=person,
            role="mentor" if index % 2 else "mentee",
            guidelines_acknowledged_at=None if index % 3 else timezone.now(),
        )
        ProgramFactory()
    return person


def _count_my_programs_queries(client, person) -> int:
    client.force_login(person)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page_url("programs:my_programs"))
    assert response.status_code == 200
    assert response.content.decode().count('class="card program-card"') >= 2 * 2
    return len(queries)


def test_my_programs_queries_do_not_grow_with_enrolments_and_programs(client):
    small = _count_my_programs_queries(client, _person_with(2))
    large = _count_my_programs_queries(client, _person_with(12))
    assert small == large


# --- The profile form -------------------------------------------------------------------------


def test_mentor_saves_languages_time_zone_goals_and_levels(client_for, program, mentor):
    first, second, third = offered(program)
    data = profile_data([(first, {"level": 3}), (second, {"level": 1}), (third, None)])

    response = client_for(mentor).post(page_url("programs:my_profile"), data)

    assert response.status_code == 302
    assert response.url == page_url("programs:my_profile")
    enrolment = enrolment_of(mentor, program)
    assert enrolment.languages == ["vi", "en"]
    assert enrolment.time_zone == "Asia/Ho_Chi_Minh"
    assert enrolment.goals == "Learn to explain AI tools to leaders."
    assert sorted(enrolment.teach_topics.values_list("topic_id", "level")) == sorted(
        [(first.pk, 3), (second.pk, 1)]
    )
    assert enrolment.missing_profile_parts() == []


def test_mentee_saves_topics_with_priority_and_confidence(client_for, program, mentee):
    first, second, third = offered(program)
    data = profile_data(
        [
            (first, None),
            (second, {"priority": 3, "confidence": 1}),
            (third, {"priority": 1, "confidence": 5}),
        ],
        languages=["tr"],
        time_zone="Europe/Istanbul",
    )

    response = client_for(mentee).post(page_url("programs:my_profile"), data)

    assert response.status_code == 302
    enrolment = enrolment_of(mentee, program)
    assert enrolment.languages == ["tr"]
    assert sorted(
        enrolment.learn_topics.values_list("topic_id", "priority", "confidence_start")
    ) == sorted([(second.pk, 3, 1), (third.pk, 1, 5)])


def test_profile_form_shows_the_programs_topics_with_the_current_choices(
    client_for, program, mentor
):
    first, second, third = offered(program)
    enrolment = enrolment_of(mentor, program)
    enrolment.teach_topics.all().delete()
    TeachTopic.objects.create(enrolment=enrolment, topic=second, level=3)

    body = client_for(mentor).get(page_url("programs:my_profile")).content.decode()

    for topic in (first, second, third):
        assert topic.label in body
    assert body.count('type="checkbox"') == 3
    assert body.count("checked") == 1
    assert '<option value="3" selected>' in body


def test_mentors_and_mentees_see_their_own_field_names(client_for, program, mentor, mentee):
    mentor_page = client_for(mentor).get(page_url("programs:my_profile")).content.decode()
    assert "Topics you can teach" in mentor_page
    assert "I can teach this" in mentor_page and "Your level" in mentor_page
    assert "How confident are you today?" not in mentor_page
    assert "What you hope to get from mentoring" in mentor_page

    mentee_page = client_for(mentee).get(page_url("programs:my_profile")).content.decode()
    assert "Topics you want to learn" in mentee_page
    assert "I want to learn this" in mentee_page
    assert "How confident are you today?" in mentee_page and "Your level" not in mentee_page
    assert "What you want to learn, and why" in mentee_page
    assert "Languages you can hold a session in" in mentee_page


def test_language_choices_put_the_common_languages_first(client_for, program, mentee):
    body = client_for(mentee).get(page_url("programs:my_profile")).content.decode()
    positions = [body.index(f'<option value="{code}"') for code in ("en", "vi", "tr", "ab")]
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    ("role", "change", "message"),
    [
        ("mentor", {"languages": []}, "Choose at least one language you can hold a session in."),
        ("mentor", {"languages": ["xx"]}, "“xx” is not a language in the list."),
        ("mentee", {"time_zone": "Mars/Olympus_Mons"}, "“Mars/Olympus_Mons” is not a known time"),
        ("mentee", {"goals": "   "}, "Write a sentence or two about your goals."),
        ("mentor", {"topics-0-level": "4"}, "Choose a level from 1 to 3."),
        ("mentee", {"topics-0-confidence": "0"}, "Choose how confident you are, from 1 to 5."),
        ("mentee", {"topics-0-priority": "9"}, "Choose a priority from 1 to 3."),
        ("mentee", {"topics-0-confidence": ""}, "Tell us how confident you are today"),
        ("mentor", {"topics-0-chosen": None}, "Choose at least one topic."),
        ("mentor", {"topics-0-topic": "not-offered"}, "This program does not offer this topic."),
    ],
)
def test_bad_profile_input_is_refused_with_a_message_and_changes_nothing(
    request, client_for, program, role, change, message
):
    user = request.getfixturevalue(role)
    enrolment = enrolment_of(user, program)
    first, second, third = offered(program)
    numbers = {"level": 2} if role == "mentor" else {"priority": 2, "confidence": 3}
    data = profile_data([(first, numbers), (second, None), (third, None)])
    for key, value in change.items():
        if value is None:
            data.pop(key)
        elif value == "not-offered":
            data[key] = str(Topic.objects.exclude(pk__in=[first.pk, second.pk, third.pk])[0].pk)
        else:
            data[key] = value
    before = snapshot(enrolment)

    response = client_for(user).post(page_url("programs:my_profile"), data)

    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert "Your profile was not saved." in body
    assert snapshot(enrolment) == before


def test_an_error_on_a_topic_row_is_tied_to_its_control(client_for, program, mentor):
    first, second, third = offered(program)
    data = profile_data([(first, {"level": 4}), (second, None), (third, None)])
    body = client_for(mentor).post(page_url("programs:my_profile"), data).content.decode()
    assert 'aria-describedby="id_topics-0-level_error"' in body
    assert 'id="id_topics-0-level_error"' in body


@pytest.mark.parametrize("status", [EnrolmentStatus.WITHDRAWN, EnrolmentStatus.DECLINED])
def test_a_closed_enrolment_cannot_be_edited(client_for, program, mentee, status):
    enrolment = enrolment_of(mentee, program)
    Enrolment.objects.filter(pk=enrolment.pk).update(status=status)
    first, _second, _third = offered(program)
    before = snapshot(enrolment)

    client = client_for(mentee)
    page = client.get(page_url("programs:my_profile"))
    response = client.post(
        page_url("programs:my_profile"),
        profile_data([(first, {"priority": 3, "confidence": 4})], languages=["de"]),
    )

    assert page.status_code == 200
    assert "can no longer be changed" in page.content.decode()
    assert 'name="topics-TOTAL_FORMS"' not in page.content.decode()
    assert response.status_code == 200
    assert "can no longer be changed" in response.content.decode()
    assert snapshot(enrolment) == before


def test_profile_lists_what_is_missing_and_links_to_the_guidelines(client_for, program):
    user = UserFactory()
    EnrolmentFactory(
        program=program, user=user, goals="", guidelines_acknowledged_at=None, topics=[]
    )
    body = client_for(user).get(page_url("programs:my_profile")).content.decode()
    assert "Goals" in body
    assert "At least one topic" in body
    assert "Acknowledging the guidelines" in body
    assert page_url("programs:guidelines") in body


# --- Guidelines -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["mentor", "mentee"])
def test_acknowledging_the_guidelines_completes_the_profile(client_for, program, role):
    user = UserFactory()
    enrolment = EnrolmentFactory(
        program=program, user=user, role=role, guidelines_acknowledged_at=None
    )
    assert [str(part) for part in enrolment.missing_profile_parts()] == [
        "acknowledging the guidelines"
    ]

    response = client_for(user).post(page_url("programs:guidelines"))

    assert response.status_code == 302
    assert response.url == page_url("programs:my_profile")
    enrolment.refresh_from_db()
    assert enrolment.guidelines_acknowledged_at is not None
    assert enrolment.missing_profile_parts() == []
    assert Enrolment.objects.with_profile_complete().get(pk=enrolment.pk).profile_is_complete


def test_guidelines_show_the_programs_cadence_and_dates(client_for):
    program = ProgramFactory(
        name="Cadence cohort",
        cadence_weeks=3,
        session_minutes=45,
        start_date=datetime.date(2031, 1, 6),
        end_date=datetime.date(2031, 7, 6),
        enrolment_deadline=None,
    )
    enrolment = EnrolmentFactory(program=program, guidelines_acknowledged_at=None)

    response = client_for(enrolment.user).get(page_url("programs:guidelines", program.slug))

    body = response.content.decode()
    assert "Plan for one session of 45 minutes every 3 weeks." in body
    assert "about 8 sessions in all" in body
    assert "Jan. 6, 2031" in body and "July 6, 2031" in body
    assert "I have read the guidelines and will follow them" in body


def test_a_withdrawn_participant_cannot_acknowledge_the_guidelines(client_for, program):
    enrolment = EnrolmentFactory(
        program=program, status=EnrolmentStatus.WITHDRAWN, guidelines_acknowledged_at=None
    )
    response = client_for(enrolment.user).post(page_url("programs:guidelines"))
    assert response.status_code == 200
    assert "can no longer be changed" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.guidelines_acknowledged_at is None


# --- Applying ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["mentor", "mentee"])
def test_applying_to_an_open_program_creates_an_application(client_for, program, participant, role):
    client = client_for(participant)
    assert client.get(page_url("programs:apply")).status_code == 200

    response = client.post(
        page_url("programs:apply"), {"role": role, "why": "  I want to learn TikTok.  "}
    )

    assert response.status_code == 302
    assert response.url == page_url("programs:my_profile")
    enrolment = enrolment_of(participant, program)
    assert enrolment.status == EnrolmentStatus.APPLIED
    assert enrolment.role == role
    assert enrolment.goals == "I want to learn TikTok."
    assert enrolment.applied_at is not None


def _close(program, how: str) -> None:
    if how == "draft":
        program.status = "draft"
    elif how == "deadline passed":
        program.enrolment_deadline = timezone.localdate() - datetime.timedelta(days=1)
    else:
        program.allow_applications = False
    program.save()


@pytest.mark.parametrize("how", ["draft", "deadline passed", "applications not allowed"])
def test_a_closed_program_refuses_applications(client_for, program, participant, how):
    _close(program, how)
    client = client_for(participant)

    page = client.get(page_url("programs:apply"))
    response = client.post(page_url("programs:apply"), {"role": "mentee", "why": "Please."})

    assert page.status_code == 200
    assert "This program does not take applications now." in page.content.decode()
    assert response.status_code == 200
    assert "This program does not take applications now." in response.content.decode()
    assert not Enrolment.objects.filter(user=participant).exists()


def test_applying_when_already_enrolled_changes_nothing(client_for, program, mentor):
    enrolment = enrolment_of(mentor, program)
    before = (snapshot(enrolment), enrolment.role, enrolment.applied_at)

    response = client_for(mentor).post(
        page_url("programs:apply"), {"role": "mentee", "why": "Again."}
    )

    assert response.status_code == 200
    assert "You are already part of this program." in response.content.decode()
    enrolment.refresh_from_db()
    assert (snapshot(enrolment), enrolment.role, enrolment.applied_at) == before


def test_a_person_who_withdrew_may_apply_again(client_for, program, mentee):
    Enrolment.objects.filter(user=mentee, program=program).update(status=EnrolmentStatus.WITHDRAWN)
    response = client_for(mentee).post(
        page_url("programs:apply"), {"role": "mentee", "why": "I have time again."}
    )
    assert response.status_code == 302
    enrolment = enrolment_of(mentee, program)
    assert enrolment.status == EnrolmentStatus.APPLIED
    assert enrolment.goals == "I have time again."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"why": "Because."}, "Choose whether you join as a mentor or as a mentee."),
        ({"role": "executive", "why": "Because."}, "Select a valid choice."),
        ({"role": "mentor", "why": "   "}, "Tell us in a sentence or two why you want to join."),
    ],
)
def test_an_incomplete_application_is_refused(client_for, program, participant, data, message):
    response = client_for(participant).post(page_url("programs:apply"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Enrolment.objects.filter(user=participant).exists()
