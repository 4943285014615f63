"""Proposing, changing and cancelling sessions: the services, the mails with their .ics, and the
pages, for each role."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from icalendar import Calendar

from matching import scheduling
from matching.models import Pair, Session
from programs.models import Enrolment
from tests.factories import EnrolmentFactory, ProgramFactory, UserFactory

UTC = datetime.UTC
NOW = datetime.datetime(2027, 4, 1, 8, 0, tzinfo=UTC)
# 09:00 UTC is 16:00 in Ho Chi Minh City (UTC+7) and 12:00 in Istanbul (UTC+3).
START = datetime.datetime(2027, 4, 6, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pair(program, mentor, mentee):
    mentor.time_zone = "Asia/Ho_Chi_Minh"
    mentor.save(update_fields=["time_zone"])
    mentee.time_zone = "Europe/Istanbul"
    mentee.save(update_fields=["time_zone"])
    return Pair.objects.create(
        program=program,
        mentor=Enrolment.objects.get(program=program, user=mentor),
        mentee=Enrolment.objects.get(program=program, user=mentee),
    )


@pytest.fixture
def other_pair(db):
    """A pair of another program, whose members must see nothing of `pair`."""
    program = ProgramFactory(name="Other cohort", slug="other-cohort")
    return Pair.objects.create(
        program=program,
        mentor=EnrolmentFactory(program=program, role="mentor"),
        mentee=EnrolmentFactory(
            program=program, role="mentee", user=UserFactory(email="olga@example.com")
        ),
    )


def propose(pair, by, **changes):
    values = {"starts_at": START, "duration_minutes": 60, "location": "https://meet.example/x"}
    values.update(changes)
    return scheduling.session_propose(pair=pair, by=by, **values)


def ics_of(message) -> tuple[Calendar, object, str]:
    (part,) = message.attachments
    assert part.get_filename() == "invite.ics"
    mimetype = part["Content-Type"]
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    (event,) = calendar.walk("VEVENT")
    return calendar, event, mimetype


def by_recipient() -> dict:
    return {message.to[0]: message for message in mail.outbox}


# --- Services and mails ---------------------------------------------------------------------


def test_proposing_mails_both_people_an_invitation_in_their_own_time_zone(
    pair, mentor, mentee, celery_eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        session = propose(pair, mentor)

    assert session.sequence == 0
    assert session.status == Session.Status.SCHEDULED
    messages = by_recipient()
    assert set(messages) == {"minh@example.com", "mehmet@example.com"}
    to_mentor, to_mentee = messages["minh@example.com"], messages["mehmet@example.com"]
    assert "16:00" in to_mentor.body and "Asia/Ho_Chi_Minh" in to_mentor.body
    assert "12:00" in to_mentee.body and "Europe/Istanbul" in to_mentee.body
    assert "12:00" not in to_mentor.body and "16:00" not in to_mentee.body
    assert "Mehmet Kaya" in to_mentor.subject and "Minh Trần" in to_mentee.subject
    assert "16:00" in to_mentor.alternatives[0][0]
    for message in (to_mentor, to_mentee):
        calendar, event, mimetype = ics_of(message)
        assert mimetype == "text/calendar; method=REQUEST; charset=UTF-8"
        assert str(calendar["METHOD"]) == "REQUEST"
        assert str(event["UID"]) == f"{session.uid}@reverse-mentoring"
        assert int(event["SEQUENCE"]) == 0
        assert event.decoded("DTSTART") == START
        assert event.decoded("DTEND") == START + datetime.timedelta(hours=1)
        assert str(event["ORGANIZER"]) == "mailto:minh@example.com"
        assert "text/calendar" in message.message().as_string()


def test_an_update_keeps_the_uid_and_raises_the_sequence(
    pair, mentor, mentee, celery_eager, django_capture_on_commit_callbacks
):
    session = propose(pair, mentor)
    moved = START + datetime.timedelta(days=1, hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        updated = scheduling.session_update(
            session=session, by=mentee, starts_at=moved, duration_minutes=45, location="Room 4"
        )

    updated.refresh_from_db()
    assert updated.sequence == 1
    assert (updated.starts_at, updated.duration_minutes, updated.location) == (moved, 45, "Room 4")
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        calendar, event, _ = ics_of(message)
        assert str(calendar["METHOD"]) == "REQUEST"
        assert str(event["UID"]) == f"{session.uid}@reverse-mentoring"
        assert int(event["SEQUENCE"]) == 1
        assert event.decoded("DTSTART") == moved
        assert "changed" in message.subject


def test_cancelling_sends_method_cancel(
    pair, mentor, mentee, celery_eager, django_capture_on_commit_callbacks
):
    session = propose(pair, mentor)
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.session_cancel(session=session, by=mentee)

    session.refresh_from_db()
    assert (session.status, session.sequence) == (Session.Status.CANCELLED, 1)
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        calendar, event, mimetype = ics_of(message)
        assert mimetype == "text/calendar; method=CANCEL; charset=UTF-8"
        assert str(calendar["METHOD"]) == "CANCEL"
        assert str(event["STATUS"]) == "CANCELLED"
        assert int(event["SEQUENCE"]) == 1
        assert "cancelled" in message.subject


def test_a_mail_for_an_older_sequence_is_skipped(pair, mentor, celery_eager):
    from matching.tasks_sessions import send_session_mail

    session = propose(pair, mentor)
    scheduling.session_update(session=session, by=mentor, starts_at=START, duration_minutes=30)
    send_session_mail.delay(session.pk, mentor.pk, 0)
    assert mail.outbox == []
    send_session_mail.delay(session.pk, mentor.pk, 1)
    assert len(mail.outbox) == 1


def test_only_a_scheduled_session_can_change_or_be_cancelled(pair, mentor):
    session = propose(pair, mentor)
    scheduling.session_cancel(session=session, by=mentor)
    with pytest.raises(ValidationError, match="Only a scheduled session"):
        scheduling.session_cancel(session=session, by=mentor)
    with pytest.raises(ValidationError, match="Only a scheduled session"):
        scheduling.session_update(session=session, by=mentor, starts_at=START, duration_minutes=60)
    session.refresh_from_db()
    assert session.sequence == 1


def test_ending_a_pair_cancels_its_future_sessions(
    pair, mentor, celery_eager, django_capture_on_commit_callbacks
):
    future = propose(pair, mentor)
    later = propose(pair, mentor, starts_at=START + datetime.timedelta(days=7))
    with time_machine.travel(NOW - datetime.timedelta(days=2), tick=False):
        past = propose(pair, mentor, starts_at=NOW - datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = scheduling.sessions_cancel_for_pair(pair)

    assert {s.pk for s in cancelled} == {future.pk, later.pk, past.pk}
    for session in (future, later):
        session.refresh_from_db()
        assert (session.status, session.sequence) == (Session.Status.CANCELLED, 1)
    # Two future sessions, two people each: four cancellations, none for the past one.
    assert len(mail.outbox) == 4
    assert all(str(ics_of(m)[0]["METHOD"]) == "CANCEL" for m in mail.outbox)
    assert {str(ics_of(m)[1]["UID"]) for m in mail.outbox} == {
        f"{future.uid}@reverse-mentoring",
        f"{later.uid}@reverse-mentoring",
    }


def test_ending_a_pair_closes_a_past_unlogged_session_without_mail(
    pair, mentor, celery_eager, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW - datetime.timedelta(days=2), tick=False):
        past = propose(pair, mentor, starts_at=NOW - datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        scheduling.sessions_cancel_for_pair(pair)

    past.refresh_from_db()
    assert past.status == Session.Status.CANCELLED
    # The sequence still moves on, so a mail queued for the old one is skipped.
    assert past.sequence == 1
    assert callbacks == []
    assert mail.outbox == []


def test_ending_a_pair_through_the_lifecycle_closes_past_and_cancels_future(
    pair, mentor, celery_eager, django_capture_on_commit_callbacks
):
    from matching.pair_lifecycle import pair_end

    future = propose(pair, mentor)
    with time_machine.travel(NOW - datetime.timedelta(days=2), tick=False):
        past = propose(pair, mentor, starts_at=NOW - datetime.timedelta(hours=3))
    with django_capture_on_commit_callbacks(execute=True):
        pair_end(pair=pair, by=mentor, reason="Moving on.")

    past.refresh_from_db()
    future.refresh_from_db()
    assert past.status == future.status == Session.Status.CANCELLED
    assert len(mail.outbox) == 2
    assert {str(ics_of(m)[1]["UID"]) for m in mail.outbox} == {f"{future.uid}@reverse-mentoring"}


def test_a_session_that_has_started_cannot_be_cancelled(pair, mentor, mentee, celery_eager):
    with time_machine.travel(NOW - datetime.timedelta(days=1), tick=False):
        started = propose(pair, mentor, starts_at=NOW - datetime.timedelta(minutes=10))
    with pytest.raises(ValidationError, match="already started"):
        scheduling.session_cancel(session=started, by=mentee)
    started.refresh_from_db()
    assert (started.status, started.sequence) == (Session.Status.SCHEDULED, 0)
    assert mail.outbox == []


def test_a_session_starting_right_now_cannot_be_cancelled(pair, mentor):
    with time_machine.travel(NOW - datetime.timedelta(days=1), tick=False):
        started = propose(pair, mentor, starts_at=NOW)
    with pytest.raises(ValidationError, match="already started"):
        scheduling.session_cancel(session=started, by=mentor)


# --- Time zones: a move between scheduling and the session, daylight saving ----------------


def test_a_move_to_another_zone_keeps_the_instant_and_mails_the_new_local_time(
    pair, mentor, mentee, celery_eager, django_capture_on_commit_callbacks
):
    from matching.forms_sessions import SessionForm

    # Mehmet proposes 12:00 in Istanbul (09:00 UTC) ...
    session = propose(pair, mentee)
    assert SessionForm.initial_for(session, mentee.time_zone)["time"] == datetime.time(12, 0)
    # ... then moves to Ho Chi Minh City (UTC+7) before the session.
    mentee.time_zone = "Asia/Ho_Chi_Minh"
    mentee.save(update_fields=["time_zone"])
    session.refresh_from_db()
    assert session.starts_at == START
    assert SessionForm.initial_for(session, mentee.time_zone)["time"] == datetime.time(16, 0)

    with django_capture_on_commit_callbacks(execute=True):
        scheduling.session_update(
            session=session, by=mentee, starts_at=session.starts_at, duration_minutes=45
        )

    session.refresh_from_db()
    assert session.starts_at == START
    to_mentee = by_recipient()["mehmet@example.com"]
    assert "16:00" in to_mentee.body and "Asia/Ho_Chi_Minh" in to_mentee.body
    assert "12:00" not in to_mentee.body and "Europe/Istanbul" not in to_mentee.body
    assert ics_of(to_mentee)[1].decoded("DTSTART") == START


def test_the_edit_page_shows_the_time_in_the_zone_after_a_move(client_for, pair, mentee):
    session = propose(pair, mentee)  # 12:00 in Istanbul
    mentee.time_zone = "Asia/Ho_Chi_Minh"
    mentee.save(update_fields=["time_zone"])
    page = client_for(mentee).get(
        reverse("matching:session_edit", args=[pair.public_id, session.pk])
    )
    assert page.status_code == 200
    assert page.context["form"]["time"].value() == datetime.time(16, 0)
    assert 'value="16:00"' in page.content.decode()


def test_london_autumn_fold_is_stored_as_the_first_occurrence(client_for, pair, mentor):
    # 31 October 2027: London clocks go back at 02:00 BST, so 01:30 happens twice. The first,
    # still on BST (UTC+1), is 00:30 UTC.
    mentor.time_zone = "Europe/London"
    mentor.save(update_fields=["time_zone"])
    response = client_for(mentor).post(
        reverse("matching:session_propose", args=[pair.public_id]),
        {"date": "2027-10-31", "time": "01:30", "duration_minutes": "60", "location": ""},
    )
    assert response.status_code == 302
    session = Session.objects.get()
    assert session.starts_at == datetime.datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    # And it reads back as 01:30 in London, and as 03:30 in Istanbul (UTC+3, no DST).
    assert local_of(session, "Europe/London") == (datetime.date(2027, 10, 31), "01:30")
    assert local_of(session, "Europe/Istanbul") == (
        datetime.date(2027, 10, 31),
        "03:30",
    )


def test_an_istanbul_time_round_trips_through_the_page(client_for, pair, mentee):
    response = client_for(mentee).post(
        reverse("matching:session_propose", args=[pair.public_id]),
        {"date": "2027-10-31", "time": "01:30", "duration_minutes": "60", "location": ""},
    )
    assert response.status_code == 302
    session = Session.objects.get()
    assert session.starts_at == datetime.datetime(2027, 10, 30, 22, 30, tzinfo=UTC)
    assert local_of(session, "Europe/Istanbul") == (datetime.date(2027, 10, 31), "01:30")


def local_of(session, time_zone):
    from matching.forms_sessions import SessionForm

    initial = SessionForm.initial_for(session, time_zone)
    return initial["date"], initial["time"].strftime("%H:%M")


# --- Bad input: each refused with its message, nothing saved ---------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"starts_at": NOW - datetime.timedelta(minutes=1)}, "in the past"),
        ({"duration_minutes": 0}, "must end after it starts"),
        ({"duration_minutes": -30}, "must end after it starts"),
        ({"duration_minutes": 10}, "at least 15 minutes"),
        ({"duration_minutes": 8 * 60 + 1}, "more than 8 hours"),
    ],
)
def test_bad_times_are_refused(pair, mentor, changes, message):
    with pytest.raises(ValidationError, match=message):
        propose(pair, mentor, **changes)
    assert not Session.objects.exists()


def test_eight_hours_is_the_longest_session(pair, mentor):
    assert propose(pair, mentor, duration_minutes=480).duration_minutes == 480


def test_a_person_cannot_have_overlapping_sessions_across_two_pairs(pair, mentor, mentee):
    # Minh also mentors in a second program.
    second_program = ProgramFactory()
    second = Pair.objects.create(
        program=second_program,
        mentor=EnrolmentFactory(program=second_program, role="mentor", user=mentor),
        mentee=EnrolmentFactory(program=second_program, role="mentee"),
    )
    elsewhere = propose(second, mentor, starts_at=START + datetime.timedelta(minutes=30))

    with pytest.raises(ValidationError, match="overlaps another session"):
        propose(pair, mentee)
    assert Session.objects.filter(pair=pair).count() == 0
    # Back to back is fine, and a cancelled session frees its slot.
    propose(pair, mentee, starts_at=START - datetime.timedelta(minutes=30), duration_minutes=60)
    scheduling.session_cancel(session=elsewhere, by=mentor)
    propose(pair, mentee, starts_at=START + datetime.timedelta(minutes=45))
    assert Session.objects.filter(pair=pair).count() == 2


def test_an_update_does_not_overlap_with_itself(pair, mentor):
    session = propose(pair, mentor)
    updated = scheduling.session_update(
        session=session,
        by=mentor,
        starts_at=START + datetime.timedelta(minutes=15),
        duration_minutes=60,
    )
    assert updated.sequence == 1


def test_a_non_member_cannot_propose(pair, other_pair):
    with pytest.raises(ValidationError, match="Only the two people"):
        propose(pair, other_pair.mentee.user)
    assert not Session.objects.exists()


def test_an_ended_pair_cannot_schedule(pair, mentor):
    pair.status = Pair.Status.ENDED
    pair.save(update_fields=["status"])
    with pytest.raises(ValidationError, match="has ended"):
        propose(pair, mentor)
    assert not Session.objects.exists()


def test_a_non_member_cannot_cancel(pair, mentor, other_pair):
    session = propose(pair, mentor)
    with pytest.raises(ValidationError):
        scheduling.session_cancel(session=session, by=other_pair.mentee.user)
    session.refresh_from_db()
    assert (session.status, session.sequence) == (Session.Status.SCHEDULED, 0)


# --- Pages ----------------------------------------------------------------------------------


@pytest.fixture
def session(pair, mentor):
    return propose(pair, mentor)


def urls(pair, session) -> dict:
    return {
        "propose": reverse("matching:session_propose", args=[pair.public_id]),
        "edit": reverse("matching:session_edit", args=[pair.public_id, session.pk]),
        "cancel": reverse("matching:session_cancel", args=[pair.public_id, session.pk]),
        "ics": reverse("matching:session_ics", args=[pair.public_id, session.pk]),
    }


def test_anonymous_is_sent_to_login(client, pair, session):
    for url in urls(pair, session).values():
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]


@pytest.mark.parametrize("who", ["mentor", "mentee"])
def test_both_members_see_the_pages(client_for, pair, session, who, request):
    client = client_for(request.getfixturevalue(who))
    links = urls(pair, session)
    assert client.get(links["propose"]).status_code == 200
    page = client.get(links["edit"])
    assert page.status_code == 200
    assert 'type="time"' in page.content.decode()
    ics = client.get(links["ics"])
    assert ics.status_code == 200
    assert ics["Content-Type"] == "text/calendar; method=REQUEST; charset=UTF-8"
    assert 'filename="invite.ics"' in ics["Content-Disposition"]
    assert str(Calendar.from_ical(ics.content)["METHOD"]) == "REQUEST"


@pytest.mark.parametrize("who", ["stranger", "hr_admin"])
def test_others_get_404_even_guessing_ids(client_for, pair, session, other_pair, hr_admin, who):
    user = other_pair.mentee.user if who == "stranger" else hr_admin
    client = client_for(user)
    for name, url in urls(pair, session).items():
        method = client.post if name == "cancel" else client.get
        assert method(url).status_code == 404, name
    # Their own pair with our session's id is still 404.
    guessed = reverse("matching:session_edit", args=[other_pair.public_id, session.pk])
    assert client_for(other_pair.mentee.user).get(guessed).status_code == 404
    session.refresh_from_db()
    assert session.status == Session.Status.SCHEDULED


def test_wrong_methods_are_405(client_for, pair, session, mentor):
    client = client_for(mentor)
    links = urls(pair, session)
    assert client.get(links["cancel"]).status_code == 405
    assert client.post(links["ics"]).status_code == 405
    assert client.put(links["propose"]).status_code == 405
    assert client.delete(links["edit"]).status_code == 405


def test_proposing_through_the_page_reads_the_time_in_the_users_zone(
    client_for, pair, mentee, celery_eager, django_capture_on_commit_callbacks
):
    client = client_for(mentee)  # Europe/Istanbul, UTC+3
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("matching:session_propose", args=[pair.public_id]),
            {"date": "2027-04-06", "time": "12:00", "duration_minutes": "60", "location": "Café"},
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("matching:my_pair", args=[pair.public_id])
    session = Session.objects.get()
    assert session.starts_at == START
    assert session.proposed_by == mentee
    assert len(mail.outbox) == 2


def test_the_page_shows_a_refusal_and_saves_nothing(client_for, pair, mentor):
    response = client_for(mentor).post(
        reverse("matching:session_propose", args=[pair.public_id]),
        {"date": "2027-04-06", "time": "16:00", "duration_minutes": "600", "location": ""},
    )
    assert response.status_code == 200
    assert "more than 8 hours" in response.content.decode()
    assert not Session.objects.exists()


def test_the_page_refuses_a_time_skipped_by_daylight_saving(client_for, pair, mentor):
    mentor.time_zone = "Europe/London"
    mentor.save(update_fields=["time_zone"])
    response = client_for(mentor).post(
        reverse("matching:session_propose", args=[pair.public_id]),
        {"date": "2027-03-28", "time": "01:30", "duration_minutes": "60", "location": ""},
    )
    assert response.status_code == 200
    assert "does not exist" in response.content.decode()
    assert not Session.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2029-04-10"])
def test_a_date_years_away_is_refused_not_a_500(client_for, pair, mentor, day):
    # At the ends of the calendar the conversion to UTC and the overlap window overflowed.
    mentor.time_zone = "Pacific/Pago_Pago"
    mentor.save(update_fields=["time_zone"])
    response = client_for(mentor).post(
        reverse("matching:session_propose", args=[pair.public_id]),
        {"date": day, "time": "00:30", "duration_minutes": "60", "location": ""},
    )
    assert response.status_code == 200
    assert "Choose a date between today and two years from now." in response.content.decode()
    assert not Session.objects.exists()


def test_editing_and_cancelling_through_the_pages(
    client_for, pair, session, mentee, celery_eager, django_capture_on_commit_callbacks
):
    client = client_for(mentee)
    links = urls(pair, session)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            links["edit"],
            {"date": "2027-04-07", "time": "12:00", "duration_minutes": "45", "location": "B"},
        )
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.starts_at, session.sequence) == (START + datetime.timedelta(days=1), 1)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(links["cancel"])
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.status, session.sequence) == (Session.Status.CANCELLED, 2)
    ics = client.get(links["ics"])
    assert ics["Content-Type"] == "text/calendar; method=CANCEL; charset=UTF-8"
    assert len(mail.outbox) == 4


def test_the_cancel_page_refuses_a_started_session(client_for, pair, mentor, celery_eager):
    with time_machine.travel(NOW - datetime.timedelta(days=1), tick=False):
        started = propose(pair, mentor, starts_at=NOW - datetime.timedelta(minutes=5))
    response = client_for(mentor).post(urls(pair, started)["cancel"], follow=True)
    assert response.redirect_chain[-1][0] == reverse("matching:my_pair", args=[pair.public_id])
    assert "already started" in response.content.decode()
    started.refresh_from_db()
    assert started.status == Session.Status.SCHEDULED
    assert mail.outbox == []
