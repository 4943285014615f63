"""Session logs: either side of a pair writes what happened, the other confirms or corrects it,
and the action items agreed in the session are recorded with it."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from matching import scheduling
from matching.models import ActionItem, Pair, Session, SessionLog
from programs.models import Enrolment, Program, ProgramStatus, Topic

LOG_OUTCOMES = (Session.Status.HELD, Session.Status.CANCELLED, Session.Status.NO_SHOW)
MAX_SESSION_MINUTES = 8 * 60


@dataclass(frozen=True)
class ActionItemDraft:
    text: str
    owner: Enrolment
    due_on: datetime.date | None = None


@dataclass(frozen=True)
class SessionLogged:
    log: SessionLog
    # True when the other side rewrote a log: it then waits for the first author's confirmation.
    corrected: bool


def pair_topics(pair: Pair) -> QuerySet[Topic]:
    """The topics a pair can cover: what the mentor teaches or the mentee wants to learn, within
    the topics of the pair's program."""
    return (
        Topic.objects.filter(pk__in=pair.program.topics.values("pk"))
        .filter(
            Q(pk__in=pair.mentor.teach_topics.values("topic_id"))
            | Q(pk__in=pair.mentee.learn_topics.values("topic_id"))
        )
        .order_by("name")
    )


def enrolment_of(pair: Pair, user) -> Enrolment | None:
    """The side of the pair a person is on, or None for anyone else."""
    if pair.mentor.user_id == user.pk:
        return pair.mentor
    if pair.mentee.user_id == user.pk:
        return pair.mentee
    return None


# An error report of a failure in here must not carry what the pair wrote.
@sensitive_variables("takeaways", "private_notes")
@transaction.atomic
def session_log_save(
    *,
    session: Session,
    by,
    outcome: str,
    held_on: datetime.datetime | None,
    actual_minutes: int,
    topics_covered: list[Topic],
    takeaways: str,
    private_notes: str,
    action_items: list[ActionItemDraft],
) -> SessionLogged:
    """Write (or correct) the log of a session and set the session's status to its outcome.

    Raises ValidationError, saving nothing, on input a form should have refused already.
    """
    pair = Pair.objects.select_related("program", "mentor", "mentee").get(pk=session.pair_id)
    if enrolment_of(pair, by) is None:
        raise ValidationError(_("Only the two people of a pair can log its sessions."))
    if outcome not in LOG_OUTCOMES:
        raise ValidationError(_("Say whether the session was held, cancelled or a no-show."))
    if not 0 <= actual_minutes <= MAX_SESSION_MINUTES:
        raise ValidationError(_("A session lasts at most 8 hours."))
    if outcome == Session.Status.HELD and (held_on is None or actual_minutes == 0):
        raise ValidationError(_("A held session needs its date and its length."))
    now = timezone.now()
    if held_on is not None and held_on > now:
        raise ValidationError(_("A session cannot be logged before it has happened."))
    allowed = set(pair_topics(pair).values_list("pk", flat=True))
    if any(topic.pk not in allowed for topic in topics_covered):
        raise ValidationError(_("Only the topics of your pair can be covered."))
    sides = {pair.mentor_id, pair.mentee_id}
    for item in action_items:
        if item.owner.pk not in sides:
            raise ValidationError(_("An action item belongs to the mentor or the mentee."))
        if not item.text.strip():
            raise ValidationError(_("An action item needs a text."))

    # Lock the session so that two people logging at once do not both create a log.
    locked = Session.objects.select_for_update().get(pk=session.pk)
    if outcome in (Session.Status.HELD, Session.Status.NO_SHOW) and locked.starts_at > now:
        raise ValidationError(
            _("This session has not started yet: it can only be logged as cancelled.")
        )
    if outcome == Session.Status.CANCELLED and locked.status == Session.Status.SCHEDULED:
        # Through scheduling, so that both calendars get the cancellation (higher SEQUENCE,
        # METHOD:CANCEL) before the log says so.
        cancelled = scheduling.session_cancel(session=locked, by=by)
        session.sequence = cancelled.sequence
    log = SessionLog.objects.filter(session=session).first()
    corrected = log is not None and log.logged_by_id not in (None, by.pk)
    if log is None:
        log = SessionLog(session=session)
    log.outcome = outcome
    log.held_on = held_on
    log.actual_minutes = actual_minutes
    log.takeaways = takeaways
    log.private_notes = private_notes
    log.logged_by = by
    # Any new version of a log waits for the other side's word again.
    log.confirmed_by = None
    log.confirmed_at = None
    log.save()
    log.topics_covered.set(topics_covered)
    Session.objects.filter(pk=session.pk).update(status=outcome, updated_at=timezone.now())
    session.status = outcome
    ActionItem.objects.bulk_create(
        ActionItem(
            pair=pair, session=session, text=item.text.strip(), owner=item.owner, due_on=item.due_on
        )
        for item in action_items
    )
    return SessionLogged(log=log, corrected=corrected)


@transaction.atomic
def session_log_confirm(*, session: Session, by) -> SessionLog:
    """The other side agrees with a log. The author cannot confirm their own log."""
    log = (
        SessionLog.objects.select_related("session__pair__mentor", "session__pair__mentee")
        .filter(session=session)
        .first()
    )
    if log is None:
        raise ValidationError(_("This session has not been logged yet."))
    if enrolment_of(log.session.pair, by) is None:
        raise ValidationError(_("Only the two people of a pair can confirm its sessions."))
    if log.logged_by_id == by.pk:
        raise ValidationError(_("The other side of your pair confirms what you logged."))
    now = timezone.now()
    updated = (
        SessionLog.objects.filter(pk=log.pk, confirmed_at__isnull=True)
        .exclude(logged_by=by)
        .update(confirmed_by=by, confirmed_at=now)
    )
    if updated != 1:
        raise ValidationError(_("This log is already confirmed."))
    log.confirmed_by, log.confirmed_at = by, now
    return log


def action_item_done(*, pair: Pair, item_pk: int) -> bool:
    """Mark an open action item of the pair done; False when it was already done."""
    return (
        ActionItem.objects.filter(pair=pair, pk=item_pk, done_at__isnull=True).update(
            done_at=timezone.now()
        )
        == 1
    )


def session_notes_purge_expired(*, today: datetime.date) -> int:
    """Erase the takeaways and private notes of every program past its retention
    (`Program.notes_expire_on`); returns how many logs were emptied. Running it again finds
    nothing left to do."""
    # A program's window is month arithmetic on two of its columns: few rows, so in Python.
    expired = [
        program.pk
        # A program still running past its end date (pairs finishing) keeps its notes.
        for program in Program.objects.filter(
            end_date__lt=today, status__in=[ProgramStatus.COMPLETED, ProgramStatus.ARCHIVED]
        ).only("pk", "end_date", "notes_retention_months")
        if program.notes_expire_on <= today
    ]
    # "" is stored as NULL by the encrypted fields.
    return (
        SessionLog.objects.filter(session__pair__program__in=expired)
        .filter(Q(takeaways__isnull=False) | Q(private_notes__isnull=False))
        .update(takeaways="", private_notes="")
    )
