"""What is due: turns survey schedules and reminder rules into invitations and delivery rows.

Every planner inserts rows whose unique key says what, to whom and which occurrence, and
ignores the rows that exist already: a second beat, or two running at once, adds nothing. What
is due lives here, in the database, never in far-future messages on the broker. Each delivery
is due at the first moment of the recipient's daytime (MAIL_DAYTIME, their own time zone).
"""

import datetime
import logging
from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfoNotFoundError

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from feedback import occurrences
from feedback.daytime import next_daytime
from feedback.models import Delivery, SurveyInvitation, SurveySchedule
from matching import cadence
from matching.models import Pair, Session
from matching.pair_health import cadence_of, with_held_sessions
from mentorship.accounts.models import User
from programs.models import Enrolment, EnrolmentStatus, Program, ProgramStatus

Kind = Delivery.Kind
logger = logging.getLogger(__name__)

# A session pulse goes out only for sessions logged in this window: a schedule added today
# does not survey sessions of months ago, and the scan stays small.
RECENT_SESSIONS = datetime.timedelta(days=14)
# A reminder of a session is worth sending only if it arrives this long before the start.
SESSION_REMINDER_LEAD = datetime.timedelta(hours=24)
SESSION_REMINDER_MIN_NOTICE = datetime.timedelta(hours=1)
# "Please log your session": this long after it ended, for sessions of the last two weeks.
LOG_NUDGE_AFTER = datetime.timedelta(hours=1)
# Rows are written in chunks that keep under SQLite's limit on query parameters.
INSERT_CHUNK = 500


def plan_everything(now: datetime.datetime) -> dict[str, int]:
    """Run every planner; returns how many deliveries each one asked for (existing ones
    included, since an insert that meets its unique key is silently skipped), or -1 for a
    planner that failed: its error is logged and the others still run, so that one bad row
    never stops every mail."""
    planners = {
        "invitations": survey_invitations_plan,
        Kind.SURVEY: survey_deliveries_plan,
        Kind.SURVEY_REMINDER: survey_reminders_plan,
        Kind.SESSION_SOON: session_reminders_plan,
        Kind.LOG_NUDGE: log_nudges_plan,
        Kind.CADENCE_NUDGE: cadence_nudges_plan,
        Kind.HR_DIGEST: hr_digests_plan,
    }
    planned = {}
    for name, planner in planners.items():
        try:
            with transaction.atomic():
                planned[name] = planner(now)
        except Exception:
            logger.exception("the %s planner failed", name)
            planned[name] = -1
    return planned


def daytime_for(user: User, moment: datetime.datetime) -> datetime.datetime:
    """The first moment at or after `moment` in the person's daytime. A time zone the system
    does not know (tzdata older than the account) falls back to the site's: one person's odd
    zone must never stop the planner."""
    start_hour, end_hour = settings.MAIL_DAYTIME_HOURS
    try:
        return next_daytime(moment, user.time_zone, start_hour=start_hour, end_hour=end_hour)
    except (ZoneInfoNotFoundError, ValueError):
        return next_daytime(moment, settings.TIME_ZONE, start_hour=start_hour, end_hour=end_hour)


def _insert(rows: Iterable) -> int:
    """Insert, skipping rows whose unique key exists; returns how many were offered."""
    rows = list(rows)
    if rows:
        model = type(rows[0])
        model.objects.bulk_create(rows, ignore_conflicts=True, batch_size=INSERT_CHUNK)
    return len(rows)


def _delivery(*, key: str, kind: str, to: User, object_id: int | None, now) -> Delivery:
    return Delivery(
        key=key, kind=kind, recipient=to, object_id=object_id, due_at=daytime_for(to, now)
    )


# --- Surveys ---------------------------------------------------------------------------------


def survey_invitations_plan(now: datetime.datetime) -> int:
    """Invite the audience of every active schedule whose occurrence has come."""
    schedules = SurveySchedule.objects.filter(
        is_active=True, program__status__in=[ProgramStatus.ACTIVE, ProgramStatus.COMPLETED]
    ).select_related("program")
    offered = 0
    for schedule in schedules:
        offered += _insert(_invitations_of(schedule, now))
    return offered


def _invitations_of(schedule: SurveySchedule, now) -> Iterator[SurveyInvitation]:
    closes_at = now + datetime.timedelta(days=schedule.open_days)
    if schedule.trigger == SurveySchedule.Trigger.AFTER_SESSION:
        for session in _sessions_to_survey(schedule, now):
            for enrolment in (session.pair.mentor, session.pair.mentee):
                if schedule.includes(enrolment.role):
                    yield SurveyInvitation(
                        schedule=schedule,
                        enrolment=enrolment,
                        occurrence=f"session:{session.pk}",
                        session=session,
                        closes_at=closes_at,
                    )
        return
    occurrence = _dated_occurrence(schedule, now.date())
    if occurrence is None:
        return
    invited = SurveyInvitation.objects.filter(
        schedule=schedule, occurrence=occurrence.key, enrolment=OuterRef("pk")
    )
    for enrolment in _audience(schedule).exclude(Exists(invited)):
        yield SurveyInvitation(
            schedule=schedule,
            enrolment=enrolment,
            occurrence=occurrence.key,
            closes_at=closes_at,
        )


def _dated_occurrence(schedule: SurveySchedule, today: datetime.date):
    program = schedule.program
    if schedule.trigger == SurveySchedule.Trigger.EVERY_WEEKS:
        if program.status != ProgramStatus.ACTIVE:
            return None
        return occurrences.every_weeks(
            weeks=schedule.every_weeks,
            start=program.start_date,
            end=program.end_date,
            today=today,
        )
    anchor = (
        program.start_date
        if schedule.trigger == SurveySchedule.Trigger.FROM_START
        else program.end_date
    )
    return occurrences.from_day(anchor + datetime.timedelta(days=schedule.offset_days), today)


def _sessions_to_survey(schedule: SurveySchedule, now):
    logged_before = now - datetime.timedelta(hours=schedule.delay_hours)
    # The window ends `delay_hours` ago, however long the delay.
    logged_after = max(schedule.created_at, logged_before - RECENT_SESSIONS)
    already = SurveyInvitation.objects.filter(schedule=schedule, session=OuterRef("pk"))
    return (
        Session.objects.filter(
            pair__program=schedule.program,
            status=Session.Status.HELD,
            log__logged_at__lte=logged_before,
            log__logged_at__gte=logged_after,
        )
        .exclude(Exists(already))
        .select_related("pair__mentor", "pair__mentee")
    )


def _audience(schedule: SurveySchedule):
    """The approved participants of the program who are (or, once it is over, were) in a pair,
    on the sides the schedule asks."""
    program: Program = schedule.program
    pairs = Pair.objects.filter(program=program)
    if program.status == ProgramStatus.ACTIVE:
        pairs = pairs.filter(status=Pair.Status.ACTIVE)
    in_pair = Q(pk__in=pairs.values("mentor")) | Q(pk__in=pairs.values("mentee"))
    roles = [role for role in ("mentor", "mentee") if schedule.includes(role)]
    return Enrolment.objects.filter(
        in_pair, program=program, status=EnrolmentStatus.APPROVED, role__in=roles
    )


def survey_deliveries_plan(now: datetime.datetime) -> int:
    """One mail per open invitation that has none yet."""
    has_mail = Delivery.objects.filter(kind=Kind.SURVEY, object_id=OuterRef("pk"))
    invitations = (
        SurveyInvitation.objects.filter(answered=False, closes_at__gt=now)
        .exclude(Exists(has_mail))
        .select_related("enrolment__user")
    )
    return _insert(
        _delivery(
            key=f"survey:{invitation.pk}",
            kind=Kind.SURVEY,
            to=invitation.enrolment.user,
            object_id=invitation.pk,
            now=now,
        )
        for invitation in invitations
    )


def survey_reminders_plan(now: datetime.datetime) -> int:
    """Remind who has not answered: at most the schedule's number of reminders, each at least
    its interval after the last mail about that invitation was sent."""
    offered = 0
    schedules = SurveySchedule.objects.filter(
        is_active=True,
        max_reminders__gt=0,
        invitations__answered=False,
        invitations__closes_at__gt=now,
    ).distinct()
    for schedule in schedules:
        about_it = Delivery.objects.filter(object_id=OuterRef("pk"))
        reminders = (
            about_it.filter(kind=Kind.SURVEY_REMINDER)
            .values("object_id")
            .annotate(count=Count("pk"))
            .values("count")
        )
        last_sent = (
            about_it.filter(kind__in=[Kind.SURVEY, Kind.SURVEY_REMINDER])
            .values("object_id")
            .annotate(last=Max("sent_at"))
            .values("last")
        )
        unsent = about_it.filter(
            kind__in=[Kind.SURVEY, Kind.SURVEY_REMINDER],
            status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING],
        )
        interval = datetime.timedelta(days=schedule.reminder_every_days)
        invitations = (
            SurveyInvitation.objects.filter(schedule=schedule, answered=False, closes_at__gt=now)
            .annotate(
                reminders=Coalesce(Subquery(reminders), 0),
                last_sent=Subquery(last_sent),
            )
            .filter(reminders__lt=schedule.max_reminders, last_sent__lte=now - interval)
            .exclude(Exists(unsent))
            .select_related("enrolment__user")
        )
        offered += _insert(
            _delivery(
                key=f"survey-reminder:{invitation.pk}:{invitation.reminders + 1}",
                kind=Kind.SURVEY_REMINDER,
                to=invitation.enrolment.user,
                object_id=invitation.pk,
                now=now,
            )
            for invitation in invitations
            # A reminder that would arrive after the survey closed is no use.
            if daytime_for(invitation.enrolment.user, now) < invitation.closes_at
        )
    return offered


# --- Reminders about sessions and pairs -------------------------------------------------------


def _pair_members(pair: Pair) -> tuple[User, User]:
    return pair.mentor.user, pair.mentee.user


def session_reminders_plan(now: datetime.datetime) -> int:
    """A day before a session, both people hear about it, if it was planned more than a day
    ahead (otherwise its invitation has just told them). A moved session is a new occurrence:
    its key carries the start time."""
    sessions = Session.objects.filter(
        status=Session.Status.SCHEDULED,
        pair__status=Pair.Status.ACTIVE,
        starts_at__gt=now + SESSION_REMINDER_MIN_NOTICE,
        starts_at__lte=now + SESSION_REMINDER_LEAD,
        created_at__lte=now - SESSION_REMINDER_MIN_NOTICE,
    ).select_related("pair__mentor__user", "pair__mentee__user")
    rows = []
    for session in sessions:
        if session.starts_at - session.created_at < SESSION_REMINDER_LEAD:
            continue
        for user in _pair_members(session.pair):
            delivery = _delivery(
                key=f"session-soon:{session.pk}:{session.starts_at:%Y%m%dT%H%M}:{user.pk}",
                kind=Kind.SESSION_SOON,
                to=user,
                object_id=session.pk,
                now=now,
            )
            if delivery.due_at <= session.starts_at - SESSION_REMINDER_MIN_NOTICE:
                rows.append(delivery)
    return _insert(rows)


def log_nudges_plan(now: datetime.datetime) -> int:
    """After a session has ended and nobody logged it, both people are asked to, once."""
    sessions = Session.objects.filter(
        status=Session.Status.SCHEDULED,
        pair__status=Pair.Status.ACTIVE,
        starts_at__lte=now - LOG_NUDGE_AFTER,
        starts_at__gte=now - RECENT_SESSIONS,
    ).select_related("pair__mentor__user", "pair__mentee__user")
    return _insert(
        _delivery(
            key=f"log-nudge:{session.pk}:{user.pk}",
            kind=Kind.LOG_NUDGE,
            to=user,
            object_id=session.pk,
            now=now,
        )
        for session in sessions
        if session.starts_at + datetime.timedelta(minutes=session.duration_minutes)
        <= now - LOG_NUDGE_AFTER
        for user in _pair_members(session.pair)
    )


def pairs_off_cadence(today: datetime.date):
    """(pair, cadence) of every active pair of an active program that is behind or at risk."""
    pairs = with_held_sessions(
        Pair.objects.filter(status=Pair.Status.ACTIVE, program__status=ProgramStatus.ACTIVE)
    ).select_related("program", "mentor__user", "mentee__user")
    for pair in pairs:
        status = cadence_of(pair, pair.program, today)
        if status.status != cadence.ON_TRACK:
            yield pair, status


def cadence_nudges_plan(now: datetime.datetime) -> int:
    """A pair that fell behind its rhythm hears about it once per missed session (the key
    carries how many sessions were expected), before HR has to chase it."""
    return _insert(
        _delivery(
            key=f"cadence:{pair.pk}:{status.expected}:{user.pk}",
            kind=Kind.CADENCE_NUDGE,
            to=user,
            object_id=pair.pk,
            now=now,
        )
        for pair, status in pairs_off_cadence(now.date())
        for user in _pair_members(pair)
    )


def hr_digests_plan(now: datetime.datetime) -> int:
    """Once a week (ISO week), each HR admin gets a digest, while any program is active."""
    if not Program.objects.filter(status=ProgramStatus.ACTIVE).exists():
        return 0
    year, week, _ = now.isocalendar()
    admins = User.objects.filter(is_active=True, is_hr_admin=True)
    return _insert(
        _delivery(
            key=f"hr-digest:{admin.pk}:{year}-W{week:02d}",
            kind=Kind.HR_DIGEST,
            to=admin,
            object_id=None,
            now=now,
        )
        for admin in admins
    )
