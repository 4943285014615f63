"""The pair page and its actions: who may open them, the log/confirm/correct flow, action
items, ending a pair, and a query count that does not grow with the sessions."""

import datetime
import importlib.util

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.views.debug import SafeExceptionReporterFilter

from matching import session_logs
from matching.models import ActionItem, Pair, Session, SessionLog
from programs.models import Enrolment, Topic
from tests.factories import EnrolmentFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db

HAS_LIFECYCLE = importlib.util.find_spec("matching.pair_lifecycle") is not None


@pytest.fixture
def pair(program, mentor, mentee):
    program.status = "active"
    program.save()
    return Pair.objects.create(
        program=program,
        mentor=Enrolment.objects.get(user=mentor, program=program),
        mentee=Enrolment.objects.get(user=mentee, program=program),
    )


@pytest.fixture
def other_pair(other_participant):
    mentee = Enrolment.objects.get(user=other_participant)
    mentor = EnrolmentFactory(
        program=mentee.program, role="mentor", user=UserFactory(email="om@example.com")
    )
    return Pair.objects.create(program=mentee.program, mentor=mentor, mentee=mentee)


@pytest.fixture
def people(hr_admin, executive, mentor, mentee, other_participant, other_pair):
    return {
        "anonymous": None,
        "mentor": mentor,
        "mentee": mentee,
        "other_mentee": other_participant,
        "other_mentor": other_pair.mentor.user,
        "executive": executive,
        "hr_admin": hr_admin,
    }


def _session(pair, days_ago=2, **fields):
    return Session.objects.create(
        pair=pair,
        starts_at=timezone.now() - datetime.timedelta(days=days_ago),
        duration_minutes=60,
        **fields,
    )


def _log_data(pair, **overrides):
    data = {
        "outcome": "held",
        "held_on": (timezone.localtime() - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "actual_minutes": "45",
        "topics_covered": [str(pair.program.topics.order_by("pk").first().pk)],
        "takeaways": "Hashtags matter.",
        "private_notes": "Try the new tool.",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "10",
        "items-0-text": "Open an account",
        "items-0-owner": str(pair.mentee_id),
        "items-0-due_on": "",
        "items-1-text": "",
        "items-1-owner": "",
        "items-1-due_on": "",
    }
    data.update(overrides)
    return data


def _pages(pair, session, item):
    """(url name, url, method) of every page and action of a pair."""
    return [
        ("my_pair", reverse("matching:my_pair", args=[pair.public_id]), "get"),
        ("session_log", reverse("matching:session_log", args=[pair.public_id, session.pk]), "get"),
        ("session_log", reverse("matching:session_log", args=[pair.public_id, session.pk]), "post"),
        (
            "session_confirm",
            reverse("matching:session_confirm", args=[pair.public_id, session.pk]),
            "post",
        ),
        ("action_add", reverse("matching:action_add", args=[pair.public_id]), "post"),
        ("action_done", reverse("matching:action_done", args=[pair.public_id, item.pk]), "post"),
        ("pair_end", reverse("matching:pair_end", args=[pair.public_id]), "post"),
    ]


# --- Access -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["anonymous", "other_mentee", "other_mentor", "executive", "hr_admin"]
)
def test_pair_pages_are_closed_to_everyone_but_the_two_people(client_for, people, pair, role):
    session = _session(pair)
    item = ActionItem.objects.create(pair=pair, text="Read", owner=pair.mentee)
    client = client_for(people[role])
    for name, url, method in _pages(pair, session, item):
        response = getattr(client, method)(url, {"reason": "x", "end-reason": "x"})
        if role == "anonymous":
            assert response.status_code == 302, name
            assert response["Location"].startswith("/accounts/login/"), name
        else:
            assert response.status_code == 404, name
    assert not SessionLog.objects.exists()
    assert ActionItem.objects.get().done_at is None
    assert Pair.objects.get(pk=pair.pk).status == "active"


def test_a_member_of_another_pair_guessing_ids_gets_404(client_for, pair, other_pair):
    """The other pair's people, with the other pair's id in the address and our session's id."""
    session = _session(pair)
    item = ActionItem.objects.create(pair=pair, text="Read", owner=pair.mentee)
    client = client_for(other_pair.mentee.user)
    urls = [
        reverse("matching:session_log", args=[other_pair.public_id, session.pk]),
        reverse("matching:session_confirm", args=[other_pair.public_id, session.pk]),
        reverse("matching:action_done", args=[other_pair.public_id, item.pk]),
    ]
    assert client.get(urls[0]).status_code == 404
    assert client.post(urls[0], _log_data(pair)).status_code == 404
    for url in urls[1:]:
        assert client.post(url).status_code == 404
    assert not SessionLog.objects.exists()
    assert ActionItem.objects.get().done_at is None


@pytest.mark.parametrize("role", ["mentor", "mentee"])
def test_the_two_people_open_the_pair_and_log_pages(client_for, people, pair, role):
    session = _session(pair)
    client = client_for(people[role])
    assert client.get(reverse("matching:my_pair", args=[pair.public_id])).status_code == 200
    url = reverse("matching:session_log", args=[pair.public_id, session.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, _log_data(pair)).status_code == 302


def test_wrong_methods_are_405(client_for, mentor, pair):
    session = _session(pair)
    item = ActionItem.objects.create(pair=pair, text="Read", owner=pair.mentee)
    client = client_for(mentor)
    for name, url, method in _pages(pair, session, item):
        wrong = "post" if method == "get" and name == "my_pair" else "get"
        if name == "session_log":
            assert client.put(url).status_code == 405, name
        else:
            assert getattr(client, wrong)(url).status_code == 405, name


# --- The page -----------------------------------------------------------------------------------


def test_the_page_shows_profile_next_session_history_items_and_notes(
    client_for, mentor, mentee, pair
):
    upcoming = Session.objects.create(
        pair=pair,
        starts_at=timezone.now() + datetime.timedelta(days=3),
        duration_minutes=30,
        location="https://meet.example.com/abc",
    )
    past = _session(pair)
    topic = pair.program.topics.order_by("pk").first()
    session_logs.session_log_save(
        session=past,
        by=mentor,
        outcome="held",
        held_on=past.starts_at,
        actual_minutes=50,
        topics_covered=[topic],
        takeaways="Reels beat posts.",
        private_notes="Mehmet is nervous on camera.",
        action_items=[session_logs.ActionItemDraft(text="Post a reel", owner=pair.mentee)],
    )
    page = (
        client_for(mentee).get(reverse("matching:my_pair", args=[pair.public_id])).content.decode()
    )
    assert "Your mentor: Minh Trần" in page
    assert reverse("matching:session_propose", args=[pair.public_id]) in page
    assert reverse("matching:session_edit", args=[pair.public_id, upcoming.pk]) in page
    assert reverse("matching:session_cancel", args=[pair.public_id, upcoming.pk]) in page
    assert reverse("matching:session_ics", args=[pair.public_id, upcoming.pk]) in page
    assert "https://meet.example.com/abc" in page
    assert "50 minutes" in page
    assert topic.label in page
    assert "Post a reel" in page
    assert (
        reverse("matching:action_done", args=[pair.public_id, ActionItem.objects.get().pk]) in page
    )
    assert "Reels beat posts." in page
    assert "Mehmet is nervous on camera." in page
    assert "not confirmed yet" in page
    assert reverse("matching:session_confirm", args=[pair.public_id, past.pk]) in page
    # The author is not offered to confirm their own log.
    page = (
        client_for(mentor).get(reverse("matching:my_pair", args=[pair.public_id])).content.decode()
    )
    assert reverse("matching:session_confirm", args=[pair.public_id, past.pk]) not in page


def test_the_next_session_is_shown_in_the_viewers_time_zone(client_for, mentee, pair):
    mentee.time_zone = "Asia/Ho_Chi_Minh"
    mentee.save()
    starts = (timezone.now() + datetime.timedelta(days=3)).replace(
        hour=9, minute=0, second=0, microsecond=0, tzinfo=datetime.UTC
    )
    Session.objects.create(pair=pair, starts_at=starts, duration_minutes=30)
    page = (
        client_for(mentee).get(reverse("matching:my_pair", args=[pair.public_id])).content.decode()
    )
    assert "4 p.m." in page  # 09:00 UTC is 16:00 in Ho Chi Minh City
    assert "Asia/Ho_Chi_Minh" in page


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def _pair_with_sessions(count: int, slug: str) -> Pair:
    program = ProgramFactory(status="active", slug=slug, topics=Topic.objects.all()[:3])
    topics = list(program.topics.order_by("pk"))
    pair = Pair.objects.create(
        program=program,
        mentor=EnrolmentFactory(program=program, role="mentor", topics=topics),
        mentee=EnrolmentFactory(program=program, role="mentee", topics=topics),
    )
    for index in range(count):
        session = _session(pair, days_ago=index + 1)
        session_logs.session_log_save(
            session=session,
            by=pair.mentor.user,
            outcome="held",
            held_on=session.starts_at,
            actual_minutes=60,
            topics_covered=topics[: 1 + index % 3],
            takeaways=f"takeaway {index}",
            private_notes=f"note {index}",
            action_items=[
                session_logs.ActionItemDraft(text=f"item {index}", owner=pair.mentee),
                session_logs.ActionItemDraft(text=f"other {index}", owner=pair.mentor),
            ],
        )
    Session.objects.create(
        pair=pair, starts_at=timezone.now() + datetime.timedelta(days=2), duration_minutes=60
    )
    return pair


def test_the_pair_page_query_count_does_not_grow_with_sessions(client):
    small, large = _pair_with_sessions(1, "one"), _pair_with_sessions(8, "eight")
    counts = []
    for pair in (small, large):
        client.force_login(pair.mentee.user)
        url = reverse("matching:my_pair", args=[pair.public_id])
        client.get(url)  # the session and the like, loaded once
        counts.append(_queries(client, url))
    assert counts[0] == counts[1], counts


# --- Log, confirm, correct ----------------------------------------------------------------------


def test_log_confirm_and_correct(client_for, mentor, mentee, pair):
    session = _session(pair)
    url = reverse("matching:session_log", args=[pair.public_id, session.pk])
    response = client_for(mentor).post(url, _log_data(pair))
    assert response.status_code == 302
    log = SessionLog.objects.get(session=session)
    assert (log.outcome, log.actual_minutes, log.logged_by) == ("held", 45, mentor)
    assert log.private_notes == "Try the new tool."
    assert Session.objects.get(pk=session.pk).status == "held"
    assert ActionItem.objects.get().owner == pair.mentee

    confirm = reverse("matching:session_confirm", args=[pair.public_id, session.pk])
    # The author cannot confirm their own log.
    client_for(mentor).post(confirm)
    assert SessionLog.objects.get().confirmed_at is None

    # The other side corrects: the log is theirs now and waits for the mentor's word.
    response = client_for(mentee).post(url, _log_data(pair, outcome="no_show", actual_minutes="0"))
    assert response.status_code == 302
    log.refresh_from_db()
    assert (log.outcome, log.logged_by, log.confirmed_at) == ("no_show", mentee, None)
    assert Session.objects.get(pk=session.pk).status == "no_show"
    assert SessionLog.objects.count() == 1

    assert client_for(mentor).post(confirm).status_code == 302
    log.refresh_from_db()
    assert log.confirmed_by == mentor and log.confirmed_at is not None


def test_the_log_form_shows_the_existing_log_to_the_other_side(client_for, mentor, mentee, pair):
    session = _session(pair)
    url = reverse("matching:session_log", args=[pair.public_id, session.pk])
    client_for(mentor).post(url, _log_data(pair))
    page = client_for(mentee).get(url).content.decode()
    assert "Minh Trần logged this session" in page
    assert "Try the new tool." in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"outcome": "scheduled"}, "Select a valid choice"),
        ({"actual_minutes": "481"}, "less than or equal to 480"),
        ({"actual_minutes": "0"}, "Say how long the session lasted."),
        ({"held_on": ""}, "Say when the session took place."),
        (
            {"held_on": (timezone.now() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")},
            "cannot be logged before it has happened",
        ),
        ({"items-0-owner": "999999"}, "Select a valid choice"),
        ({"items-0-text": ""}, "This field is required."),
    ],
)
def test_bad_log_input_is_refused_and_nothing_saved(client_for, mentor, pair, overrides, message):
    session = _session(pair)
    url = reverse("matching:session_log", args=[pair.public_id, session.pk])
    response = client_for(mentor).post(url, _log_data(pair, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SessionLog.objects.exists()
    assert not ActionItem.objects.exists()
    assert Session.objects.get(pk=session.pk).status == "scheduled"


def test_a_log_dated_year_1_is_refused_and_the_pages_still_open(client_for, mentor, pair):
    # Stored in UTC from a zone behind it, 0001-01-01 fell before year 1: PostgreSQL kept it as
    # a BC timestamp that Python cannot read, and the pair page, HR's pairs page and the
    # person's data download answered 500 from then on.
    mentor.time_zone = "Pacific/Pago_Pago"
    mentor.save(update_fields=["time_zone"])
    session = _session(pair)
    client = client_for(mentor)
    url = reverse("matching:session_log", args=[pair.public_id, session.pk])
    response = client.post(url, _log_data(pair, held_on="0001-01-01T00:30"))
    assert response.status_code == 400
    assert "Enter a date from 2000 onwards." in response.content.decode()
    assert not SessionLog.objects.exists()
    assert client.get(reverse("matching:my_pair", args=[pair.public_id])).status_code == 200


def test_a_topic_outside_the_pairs_program_is_refused(client_for, mentor, pair):
    session = _session(pair)
    outside = Topic.objects.exclude(pk__in=pair.program.topics.all()).first()
    url = reverse("matching:session_log", args=[pair.public_id, session.pk])
    response = client_for(mentor).post(url, _log_data(pair, topics_covered=[str(outside.pk)]))
    assert response.status_code == 400
    assert "is not a topic of your pair" in response.content.decode()
    assert not SessionLog.objects.exists()
    with pytest.raises(ValidationError):
        session_logs.session_log_save(
            session=session,
            by=mentor,
            outcome="held",
            held_on=session.starts_at,
            actual_minutes=30,
            topics_covered=[outside],
            takeaways="",
            private_notes="",
            action_items=[],
        )
    assert not SessionLog.objects.exists()


def test_the_service_refuses_someone_outside_the_pair(pair, other_pair):
    session = _session(pair)
    with pytest.raises(ValidationError):
        session_logs.session_log_save(
            session=session,
            by=other_pair.mentee.user,
            outcome="cancelled",
            held_on=None,
            actual_minutes=0,
            topics_covered=[],
            takeaways="",
            private_notes="",
            action_items=[],
        )
    with pytest.raises(ValidationError):
        session_logs.session_log_confirm(session=session, by=other_pair.mentee.user)


def test_an_action_item_of_another_pair_cannot_be_logged(pair, other_pair, mentor):
    session = _session(pair)
    with pytest.raises(ValidationError):
        session_logs.session_log_save(
            session=session,
            by=mentor,
            outcome="cancelled",
            held_on=None,
            actual_minutes=0,
            topics_covered=[],
            takeaways="",
            private_notes="",
            action_items=[session_logs.ActionItemDraft(text="x", owner=other_pair.mentee)],
        )
    assert not ActionItem.objects.exists()


# --- Action items -------------------------------------------------------------------------------


def test_action_items_are_added_and_done(client_for, mentee, pair):
    client = client_for(mentee)
    url = reverse("matching:action_add", args=[pair.public_id])
    response = client.post(
        url, {"action-text": "Read the guide", "action-owner": pair.mentee_id, "action-due_on": ""}
    )
    assert response.status_code == 302
    item = ActionItem.objects.get()
    assert (item.text, item.owner, item.session) == ("Read the guide", pair.mentee, None)
    done = reverse("matching:action_done", args=[pair.public_id, item.pk])
    assert client.post(done).status_code == 302
    assert ActionItem.objects.get().done_at is not None
    page = client.get(reverse("matching:my_pair", args=[pair.public_id])).content.decode()
    assert "No open action item." in page


def test_a_bad_action_item_is_refused(client_for, mentee, pair, other_pair):
    client = client_for(mentee)
    url = reverse("matching:action_add", args=[pair.public_id])
    response = client.post(url, {"action-text": " ", "action-owner": pair.mentee_id}, follow=True)
    assert "This field is required." in response.content.decode()
    client.post(url, {"action-text": "x", "action-owner": other_pair.mentee_id})
    assert not ActionItem.objects.exists()


# --- Ending -------------------------------------------------------------------------------------


def test_ending_needs_a_reason(client_for, mentee, pair):
    response = client_for(mentee).post(
        reverse("matching:pair_end", args=[pair.public_id]), {"end-reason": " "}, follow=True
    )
    assert "This field is required." in response.content.decode()
    assert Pair.objects.get(pk=pair.pk).status == "active"


@pytest.mark.skipif(
    not HAS_LIFECYCLE,
    reason="matching.pair_lifecycle is written in parallel and not merged yet (local only; "
    "CI turns this skip into a failure)",
)
def test_either_side_ends_the_pair_with_a_reason(client_for, mentee, pair):
    response = client_for(mentee).post(
        reverse("matching:pair_end", args=[pair.public_id]), {"end-reason": "We moved teams."}
    )
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.status == "ended"
    assert pair.ended_reason == "We moved teams."
    # The page stays readable to its two people, without its forms.
    page = client_for(mentee).get(reverse("matching:my_pair", args=[pair.public_id]))
    assert page.status_code == 200
    assert page.context["read_only"] is True


def test_the_pair_page_shows_the_cadence_status(client_for, pair, mentor):
    url = reverse("matching:my_pair", args=[pair.public_id])
    # Just paired, before the program starts: nothing is expected yet.
    assert client_for(mentor).get(url).context["cadence"].status == "on_track"

    sixty_days_ago = timezone.now() - datetime.timedelta(days=60)
    pair.program.start_date = sixty_days_ago.date()
    pair.program.save()
    Pair.objects.filter(pk=pair.pk).update(started_at=sixty_days_ago)
    response = client_for(mentor).get(url)
    cadence = response.context["cadence"]
    assert (cadence.status, cadence.expected, cadence.held) == ("at_risk", 4, 0)
    assert str(cadence.label) in response.content.decode()


# --- Review fixes: error reports, ending, logging ahead of time, ended pairs ------------------


def test_takeaways_and_private_notes_never_reach_error_reports(client_for, mentor, pair):
    session = _session(pair)
    url = reverse("matching:session_log", args=[pair.public_id, session.pk])
    response = client_for(mentor).post(url, _log_data(pair))
    request = response.wsgi_request
    assert set(request.sensitive_post_parameters) == {"takeaways", "private_notes"}
    reported = SafeExceptionReporterFilter().get_post_parameters(request)
    assert reported["takeaways"] != "Hashtags matter."
    assert reported["private_notes"] != "Try the new tool."
    assert reported["outcome"] == "held"


def test_a_too_long_reason_gets_a_message_and_no_500(client_for, mentee, pair):
    from matching.pair_lifecycle import REASON_MAX_LENGTH

    response = client_for(mentee).post(
        reverse("matching:pair_end", args=[pair.public_id]), {"end-reason": "x" * 1500}, follow=True
    )
    assert response.status_code == 200
    assert f"at most {REASON_MAX_LENGTH} characters" in response.content.decode()
    assert Pair.objects.get(pk=pair.pk).status == "active"


def test_a_refusal_of_the_lifecycle_is_flashed_not_a_500(client_for, mentee, pair, monkeypatch):
    import matching.pair_lifecycle

    def refuse(**kwargs):
        raise ValidationError("This pair has ended already.")

    monkeypatch.setattr(matching.pair_lifecycle, "pair_end", refuse)
    response = client_for(mentee).post(
        reverse("matching:pair_end", args=[pair.public_id]), {"end-reason": "Moved."}, follow=True
    )
    assert response.status_code == 200
    assert "This pair has ended already." in response.content.decode()


@pytest.mark.skipif(not HAS_LIFECYCLE, reason="matching.pair_lifecycle not merged yet")
def test_ending_an_ended_pair_again_gets_a_message(client_for, mentee, mentor, pair):
    url = reverse("matching:pair_end", args=[pair.public_id])
    assert client_for(mentee).post(url, {"end-reason": "Moved."}).status_code == 302
    response = client_for(mentor).post(url, {"end-reason": "Me too."}, follow=True)
    assert response.status_code == 200
    assert "This pair has ended already." in response.content.decode()
    assert Pair.objects.get(pk=pair.pk).ended_reason == "Moved."


@pytest.mark.parametrize("outcome", ["held", "no_show"])
def test_a_session_not_started_yet_cannot_be_held_or_a_no_show(pair, mentor, outcome):
    session = _session(pair, days_ago=-2)  # in two days
    with pytest.raises(ValidationError, match="has not started yet"):
        session_logs.session_log_save(
            session=session,
            by=mentor,
            outcome=outcome,
            held_on=timezone.now() - datetime.timedelta(hours=1),
            actual_minutes=30,
            topics_covered=[],
            takeaways="",
            private_notes="",
            action_items=[],
        )
    assert not SessionLog.objects.exists()
    assert Session.objects.get(pk=session.pk).status == "scheduled"


def test_a_session_not_started_yet_logged_held_is_refused_on_the_page(client_for, mentor, pair):
    session = _session(pair, days_ago=-2)
    url = reverse("matching:session_log", args=[pair.public_id, session.pk])
    response = client_for(mentor).post(url, _log_data(pair))
    assert response.status_code == 400
    assert "has not started yet" in response.content.decode()
    assert not SessionLog.objects.exists()


def test_logging_a_scheduled_session_cancelled_cancels_the_invitations(
    client_for, mentor, pair, celery_eager, django_capture_on_commit_callbacks
):
    from icalendar import Calendar

    session = _session(pair, days_ago=-2)
    url = reverse("matching:session_log", args=[pair.public_id, session.pk])
    data = _log_data(pair, outcome="cancelled", held_on="", actual_minutes="0")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(mentor).post(url, data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.status, session.sequence) == ("cancelled", 1)
    assert SessionLog.objects.get(session=session).outcome == "cancelled"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [pair.mentor.user.email, pair.mentee.user.email]
    )
    for message in mail.outbox:
        (part,) = message.attachments
        calendar = Calendar.from_ical(part.get_payload(decode=True))
        assert str(calendar["METHOD"]) == "CANCEL"
        (event,) = calendar.walk("VEVENT")
        assert int(event["SEQUENCE"]) == 1


def _end(pair, reason="We moved teams."):
    Pair.objects.filter(pk=pair.pk).update(
        status="ended", ended_at=timezone.now(), ended_reason=reason
    )
    pair.refresh_from_db()


def test_an_ended_pair_is_read_only_for_its_two_people(client_for, mentor, mentee, pair):
    past = _session(pair)
    unlogged = _session(pair, days_ago=5)
    session_logs.session_log_save(
        session=past,
        by=mentor,
        outcome="held",
        held_on=past.starts_at,
        actual_minutes=50,
        topics_covered=[],
        takeaways="Reels beat posts.",
        private_notes="Mehmet is nervous on camera.",
        action_items=[session_logs.ActionItemDraft(text="Post a reel", owner=pair.mentee)],
    )
    item = ActionItem.objects.get()
    _end(pair)
    for person in (mentor, mentee):
        response = client_for(person).get(reverse("matching:my_pair", args=[pair.public_id]))
        assert response.status_code == 200
        page = response.content.decode()
        assert "This pair ended on" in page
        assert "(We moved teams.)" in page
        for text in ("Reels beat posts.", "Mehmet is nervous on camera.", "Post a reel"):
            assert text in page
        for url in (
            reverse("matching:session_propose", args=[pair.public_id]),
            reverse("matching:session_log", args=[pair.public_id, past.pk]),
            reverse("matching:session_log", args=[pair.public_id, unlogged.pk]),
            reverse("matching:session_confirm", args=[pair.public_id, past.pk]),
            reverse("matching:action_add", args=[pair.public_id]),
            reverse("matching:action_done", args=[pair.public_id, item.pk]),
            reverse("matching:pair_end", args=[pair.public_id]),
        ):
            assert url not in page, url
        assert "<form" not in page.split("<main", 1)[-1].split("</main>", 1)[0]


def test_every_action_of_an_ended_pair_is_refused(client_for, people, pair):
    session = _session(pair)
    item = ActionItem.objects.create(pair=pair, text="Read", owner=pair.mentee)
    _end(pair)
    for role in ("mentor", "mentee"):
        client = client_for(people[role])
        for name, url, method in _pages(pair, session, item):
            if name == "my_pair":
                continue
            data = _log_data(pair) if name == "session_log" else {"end-reason": "x"}
            response = getattr(client, method)(url, data)
            if name == "pair_end":
                assert response.status_code == 302, name
                assert response["Location"] == reverse("matching:my_pair", args=[pair.public_id])
            else:
                assert response.status_code == 404, (role, name, method)
    assert not SessionLog.objects.exists()
    assert ActionItem.objects.get().done_at is None
    assert Pair.objects.get(pk=pair.pk).ended_reason == "We moved teams."


@pytest.mark.parametrize("role", ["other_mentee", "other_mentor", "executive", "hr_admin"])
def test_an_ended_pair_stays_closed_to_everyone_else(client_for, people, pair, role):
    session = _session(pair)
    item = ActionItem.objects.create(pair=pair, text="Read", owner=pair.mentee)
    _end(pair)
    client = client_for(people[role])
    for name, url, method in _pages(pair, session, item):
        assert getattr(client, method)(url, {"end-reason": "x"}).status_code == 404, name


def test_the_ended_pair_page_query_count_does_not_grow_with_sessions(client):
    small, large = _pair_with_sessions(1, "one"), _pair_with_sessions(8, "eight")
    counts = []
    for pair in (small, large):
        _end(pair)
        client.force_login(pair.mentee.user)
        url = reverse("matching:my_pair", args=[pair.public_id])
        client.get(url)
        counts.append(_queries(client, url))
    assert counts[0] == counts[1], counts
