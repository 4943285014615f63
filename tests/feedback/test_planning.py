"""The planners: what becomes an invitation or a delivery, when, for whom, and never twice."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from feedback import planning
from feedback.models import Delivery, MailPreferences, SurveyInvitation, SurveySchedule
from matching.models import Pair, Session, SessionLog
from mentorship.accounts.models import User
from tests.factories import UserFactory
from tests.feedback.factories import SurveyInvitationFactory, SurveyScheduleFactory, builtin

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# A Monday, 10:00 UTC: daytime in Istanbul (13:00) and in Ho Chi Minh City (17:00).
NOW = datetime.datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def active_program(pair):
    program = pair.program
    program.start_date = datetime.date(2027, 1, 4)
    program.end_date = datetime.date(2027, 7, 4)
    program.save()
    Pair.objects.filter(pk=pair.pk).update(started_at=datetime.datetime(2027, 1, 4, tzinfo=UTC))
    return program


def _keys(kind=None) -> set[str]:
    rows = Delivery.objects.all() if kind is None else Delivery.objects.filter(kind=kind)
    return set(rows.values_list("key", flat=True))


def _held_session(pair, *, logged_at, starts_at=None):
    session = Session.objects.create(
        pair=pair,
        starts_at=starts_at or logged_at - datetime.timedelta(hours=2),
        duration_minutes=60,
        status=Session.Status.HELD,
    )
    log = SessionLog.objects.create(
        session=session, outcome=Session.Status.HELD, logged_by=pair.mentor.user
    )
    SessionLog.objects.filter(pk=log.pk).update(logged_at=logged_at)
    return session


# --- Survey invitations -------------------------------------------------------------------------


def test_a_dated_schedule_invites_both_sides_of_every_active_pair_once(active_program, pair):
    schedule = SurveyScheduleFactory(program=active_program, offset_days=28)  # 2027-02-01
    with time_machine.travel(datetime.datetime(2027, 2, 1, 9, 0, tzinfo=UTC)):
        now = timezone.now()
        planning.plan_everything(now)
        planning.plan_everything(now)

    invitations = SurveyInvitation.objects.filter(schedule=schedule)
    assert {(i.enrolment_id, i.occurrence) for i in invitations} == {
        (pair.mentor_id, "once"),
        (pair.mentee_id, "once"),
    }
    assert _keys(Delivery.Kind.SURVEY) == {f"survey:{i.pk}" for i in invitations}


def test_the_audience_setting_limits_who_is_invited(active_program, pair):
    SurveyScheduleFactory(
        program=active_program, offset_days=28, audience=SurveySchedule.Audience.MENTEES
    )
    with time_machine.travel(datetime.datetime(2027, 2, 1, 9, 0, tzinfo=UTC)):
        planning.survey_invitations_plan(timezone.now())
    assert list(SurveyInvitation.objects.values_list("enrolment", flat=True)) == [pair.mentee_id]


def test_a_schedule_whose_day_is_long_past_sends_nothing(active_program):
    SurveyScheduleFactory(program=active_program, offset_days=1)  # 2027-01-05
    planning.plan_everything(NOW)
    assert not SurveyInvitation.objects.exists()


def test_an_inactive_schedule_or_a_draft_program_sends_nothing(active_program, pair):
    SurveyScheduleFactory(program=active_program, offset_days=28, is_active=False)
    with time_machine.travel(datetime.datetime(2027, 2, 1, 9, 0, tzinfo=UTC)):
        planning.survey_invitations_plan(timezone.now())
        active_program.status = "draft"
        active_program.save()
        SurveyScheduleFactory(program=active_program, offset_days=28)
        planning.survey_invitations_plan(timezone.now())
    assert not SurveyInvitation.objects.exists()


def test_an_ended_pair_is_not_surveyed_while_the_program_runs(active_program, pair):
    Pair.objects.filter(pk=pair.pk).update(status=Pair.Status.ENDED, ended_at=NOW)
    SurveyScheduleFactory(program=active_program, offset_days=28)
    with time_machine.travel(datetime.datetime(2027, 2, 1, 9, 0, tzinfo=UTC)):
        planning.survey_invitations_plan(timezone.now())
    assert not SurveyInvitation.objects.exists()


def test_the_session_pulse_follows_a_logged_session_after_its_delay(active_program, pair):
    schedule = SurveyScheduleFactory(
        program=active_program,
        template=builtin("session-pulse"),
        trigger=SurveySchedule.Trigger.AFTER_SESSION,
        delay_hours=2,
    )
    SurveySchedule.objects.filter(pk=schedule.pk).update(created_at=NOW - datetime.timedelta(30))
    session = _held_session(pair, logged_at=NOW - datetime.timedelta(hours=1))

    planning.survey_invitations_plan(NOW)
    assert not SurveyInvitation.objects.exists()  # logged an hour ago: too early

    later = NOW + datetime.timedelta(hours=1, minutes=1)
    planning.survey_invitations_plan(later)
    planning.survey_invitations_plan(later)
    assert set(SurveyInvitation.objects.values_list("occurrence", "session", "enrolment")) == {
        (f"session:{session.pk}", session.pk, pair.mentor_id),
        (f"session:{session.pk}", session.pk, pair.mentee_id),
    }


def test_sessions_logged_before_the_schedule_existed_get_no_pulse(active_program, pair):
    _held_session(pair, logged_at=NOW - datetime.timedelta(days=3))
    with time_machine.travel(NOW):
        SurveyScheduleFactory(
            program=active_program,
            template=builtin("session-pulse"),
            trigger=SurveySchedule.Trigger.AFTER_SESSION,
        )
        planning.survey_invitations_plan(timezone.now())
    assert not SurveyInvitation.objects.exists()


def test_the_survey_mail_waits_for_the_recipients_morning(active_program, pair):
    User.objects.filter(pk=pair.mentee.user_id).update(time_zone="Asia/Ho_Chi_Minh")
    invitation = SurveyInvitationFactory(
        schedule=SurveyScheduleFactory(program=active_program),
        enrolment=pair.mentee,
        closes_at=NOW + datetime.timedelta(days=14),
    )
    night_in_vietnam = datetime.datetime(2027, 3, 1, 16, 0, tzinfo=UTC)  # 23:00 there
    planning.survey_deliveries_plan(night_in_vietnam)
    delivery = Delivery.objects.get(key=f"survey:{invitation.pk}")
    assert delivery.due_at == datetime.datetime(2027, 3, 2, 1, 0, tzinfo=UTC)  # 08:00 there


# --- Survey reminders ----------------------------------------------------------------------------


def test_survey_reminders_are_spaced_and_limited(active_program, pair):
    schedule = SurveyScheduleFactory(
        program=active_program, max_reminders=2, reminder_every_days=3, open_days=30
    )
    invitation = SurveyInvitationFactory(
        schedule=schedule, enrolment=pair.mentee, closes_at=NOW + datetime.timedelta(days=30)
    )
    Delivery.objects.create(
        key=f"survey:{invitation.pk}",
        kind=Delivery.Kind.SURVEY,
        recipient=pair.mentee.user,
        object_id=invitation.pk,
        due_at=NOW,
        status=Delivery.Status.SENT,
        sent_at=NOW,
    )

    planning.survey_reminders_plan(NOW + datetime.timedelta(days=2))
    assert _keys(Delivery.Kind.SURVEY_REMINDER) == set()

    three_days = NOW + datetime.timedelta(days=3)
    planning.survey_reminders_plan(three_days)
    planning.survey_reminders_plan(three_days)  # the first is not sent yet: nothing more
    assert _keys(Delivery.Kind.SURVEY_REMINDER) == {f"survey-reminder:{invitation.pk}:1"}

    Delivery.objects.filter(kind=Delivery.Kind.SURVEY_REMINDER).update(
        status=Delivery.Status.SENT, sent_at=three_days
    )
    planning.survey_reminders_plan(three_days + datetime.timedelta(days=3))
    Delivery.objects.filter(kind=Delivery.Kind.SURVEY_REMINDER).update(
        status=Delivery.Status.SENT, sent_at=three_days + datetime.timedelta(days=3)
    )
    planning.survey_reminders_plan(three_days + datetime.timedelta(days=9))
    assert _keys(Delivery.Kind.SURVEY_REMINDER) == {
        f"survey-reminder:{invitation.pk}:1",
        f"survey-reminder:{invitation.pk}:2",
    }


def test_an_answered_or_closed_survey_gets_no_reminder(active_program, pair):
    schedule = SurveyScheduleFactory(program=active_program)
    answered = SurveyInvitationFactory(
        schedule=schedule,
        enrolment=pair.mentee,
        answered=True,
        closes_at=NOW + datetime.timedelta(days=14),
    )
    closed = SurveyInvitationFactory(
        schedule=schedule, enrolment=pair.mentor, closes_at=NOW + datetime.timedelta(days=1)
    )
    for invitation in (answered, closed):
        Delivery.objects.create(
            key=f"survey:{invitation.pk}",
            kind=Delivery.Kind.SURVEY,
            recipient=invitation.enrolment.user,
            object_id=invitation.pk,
            due_at=NOW - datetime.timedelta(days=5),
            status=Delivery.Status.SENT,
            sent_at=NOW - datetime.timedelta(days=5),
        )
    planning.survey_reminders_plan(NOW + datetime.timedelta(days=2))
    assert _keys(Delivery.Kind.SURVEY_REMINDER) == set()


# --- Session reminders, log nudges, cadence nudges ----------------------------------------------


def _planned_session(pair, *, starts_at, created_at):
    session = Session.objects.create(pair=pair, starts_at=starts_at, duration_minutes=60)
    Session.objects.filter(pk=session.pk).update(created_at=created_at)
    return session


def test_both_people_hear_about_a_session_a_day_before_once(active_program, pair):
    session = _planned_session(
        pair,
        starts_at=NOW + datetime.timedelta(hours=23),
        created_at=NOW - datetime.timedelta(days=5),
    )
    planning.session_reminders_plan(NOW)
    planning.session_reminders_plan(NOW + datetime.timedelta(minutes=1))
    stamp = f"{session.starts_at:%Y%m%dT%H%M}"
    assert _keys(Delivery.Kind.SESSION_SOON) == {
        f"session-soon:{session.pk}:{stamp}:{pair.mentor.user_id}",
        f"session-soon:{session.pk}:{stamp}:{pair.mentee.user_id}",
    }


def test_a_session_planned_less_than_a_day_ahead_gets_no_reminder(active_program, pair):
    _planned_session(
        pair,
        starts_at=NOW + datetime.timedelta(hours=20),
        created_at=NOW - datetime.timedelta(hours=2),
    )
    planning.session_reminders_plan(NOW)
    assert _keys() == set()


def test_a_moved_session_is_reminded_again_at_its_new_time(active_program, pair):
    session = _planned_session(
        pair,
        starts_at=NOW + datetime.timedelta(hours=23),
        created_at=NOW - datetime.timedelta(days=5),
    )
    planning.session_reminders_plan(NOW)
    Session.objects.filter(pk=session.pk).update(starts_at=NOW + datetime.timedelta(hours=22))
    planning.session_reminders_plan(NOW)
    assert len(_keys(Delivery.Kind.SESSION_SOON)) == 4


def test_an_unlogged_session_nudges_both_people_an_hour_after_it_ended(active_program, pair):
    session = _planned_session(
        pair,
        starts_at=NOW - datetime.timedelta(hours=1, minutes=30),
        created_at=NOW - datetime.timedelta(days=5),
    )
    planning.log_nudges_plan(NOW)
    assert _keys(Delivery.Kind.LOG_NUDGE) == set()  # ended 30 minutes ago
    planning.log_nudges_plan(NOW + datetime.timedelta(minutes=31))
    assert _keys(Delivery.Kind.LOG_NUDGE) == {
        f"log-nudge:{session.pk}:{pair.mentor.user_id}",
        f"log-nudge:{session.pk}:{pair.mentee.user_id}",
    }


def test_a_pair_behind_its_cadence_is_nudged_once_per_missed_session(active_program, pair):
    # Every two weeks from 2027-01-04; on 2027-03-01 (8 weeks) four sessions were expected.
    for weeks in (2, 4):
        _held_session(
            pair,
            logged_at=datetime.datetime(2027, 1, 4, 12, tzinfo=UTC)
            + datetime.timedelta(weeks=weeks),
        )
    planning.cadence_nudges_plan(NOW)
    planning.cadence_nudges_plan(NOW + datetime.timedelta(hours=1))
    assert _keys(Delivery.Kind.CADENCE_NUDGE) == {
        f"cadence:{pair.pk}:4:{pair.mentor.user_id}",
        f"cadence:{pair.pk}:4:{pair.mentee.user_id}",
    }
    planning.cadence_nudges_plan(NOW + datetime.timedelta(weeks=2))
    assert len(_keys(Delivery.Kind.CADENCE_NUDGE)) == 4  # expected 5 now: a new nudge


def test_a_pair_on_track_is_left_alone(active_program, pair):
    for weeks in (2, 4, 6, 8):
        _held_session(
            pair,
            logged_at=datetime.datetime(2027, 1, 4, 9, tzinfo=UTC)
            + datetime.timedelta(weeks=weeks),
        )
    planning.cadence_nudges_plan(NOW)
    assert _keys(Delivery.Kind.CADENCE_NUDGE) == set()


def test_every_hr_admin_gets_one_digest_a_week(active_program, hr_admin):
    other_admin = UserFactory(is_hr_admin=True)
    UserFactory(is_hr_admin=True, is_active=False)
    planning.hr_digests_plan(NOW)
    planning.hr_digests_plan(NOW + datetime.timedelta(days=6))  # the same ISO week
    assert _keys(Delivery.Kind.HR_DIGEST) == {
        f"hr-digest:{hr_admin.pk}:2027-W09",
        f"hr-digest:{other_admin.pk}:2027-W09",
    }
    planning.hr_digests_plan(NOW + datetime.timedelta(days=7))
    assert len(_keys(Delivery.Kind.HR_DIGEST)) == 4


def test_no_digest_without_an_active_program(program, hr_admin):
    planning.hr_digests_plan(NOW)
    assert _keys() == set()


def test_preferences_do_not_stop_planning_but_sending(active_program, pair):
    # Planning ignores preferences so that turning a reminder back on works at once; the
    # sending task skips what the person turned off (tests/feedback/test_delivery.py).
    MailPreferences.objects.create(user=pair.mentee.user, log_reminders=False)
    _planned_session(
        pair,
        starts_at=NOW - datetime.timedelta(hours=3),
        created_at=NOW - datetime.timedelta(days=5),
    )
    planning.log_nudges_plan(NOW)
    assert len(_keys(Delivery.Kind.LOG_NUDGE)) == 2


def test_a_paused_schedule_sends_no_reminders(active_program, pair):
    schedule = SurveyScheduleFactory(program=active_program, is_active=False)
    invitation = SurveyInvitationFactory(
        schedule=schedule, enrolment=pair.mentee, closes_at=NOW + datetime.timedelta(days=30)
    )
    Delivery.objects.create(
        key=f"survey:{invitation.pk}",
        kind=Delivery.Kind.SURVEY,
        recipient=pair.mentee.user,
        object_id=invitation.pk,
        due_at=NOW,
        status=Delivery.Status.SENT,
        sent_at=NOW - datetime.timedelta(days=10),
    )
    planning.survey_reminders_plan(NOW)
    assert _keys(Delivery.Kind.SURVEY_REMINDER) == set()


def test_a_pulse_with_a_long_delay_still_goes_out(active_program, pair):
    schedule = SurveyScheduleFactory(
        program=active_program,
        template=builtin("session-pulse"),
        trigger=SurveySchedule.Trigger.AFTER_SESSION,
        delay_hours=14 * 24,
    )
    SurveySchedule.objects.filter(pk=schedule.pk).update(created_at=NOW - datetime.timedelta(60))
    _held_session(pair, logged_at=NOW - datetime.timedelta(days=14, minutes=1))
    planning.survey_invitations_plan(NOW)
    assert SurveyInvitation.objects.count() == 2


def test_a_failing_planner_does_not_stop_the_others(active_program, pair, hr_admin, monkeypatch):
    def broken(now):
        raise RuntimeError("a bad row")

    monkeypatch.setattr(planning, "session_reminders_plan", broken)
    planned = planning.plan_everything(NOW)
    assert planned[Delivery.Kind.SESSION_SOON] == -1
    assert _keys(Delivery.Kind.HR_DIGEST) == {f"hr-digest:{hr_admin.pk}:2027-W09"}


def test_an_unknown_time_zone_falls_back_to_the_sites(pair):
    User.objects.filter(pk=pair.mentee.user_id).update(time_zone="Mars/Olympus_Mons")
    user = User.objects.get(pk=pair.mentee.user_id)
    assert planning.daytime_for(user, NOW) == NOW  # 10:00 UTC is daytime in UTC
