"""Services that propose, change and cancel a pair's sessions, and send both people the calendar
invitation (or its cancellation) after the transaction commits."""

import datetime
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from matching.forms_sessions import MAX_MINUTES, MIN_MINUTES
from matching.models import Pair, Session
from matching.tasks_sessions import send_session_mail
from mentorship.accounts.models import User


def _member_ids(pair: Pair) -> tuple[int, int]:
    return pair.mentor.user_id, pair.mentee.user_id


def _check_pair(pair: Pair, by: User) -> None:
    if by.pk not in _member_ids(pair):
        raise ValidationError(_("Only the two people of this pair can plan its sessions."))
    if pair.status != Pair.Status.ACTIVE:
        raise ValidationError(_("This pair has ended: its sessions can no longer be planned."))


def _check_slot(
    *, pair: Pair, starts_at: datetime.datetime, duration_minutes: int, exclude: int | None = None
) -> None:
    if timezone.is_naive(starts_at):
        raise ValueError("starts_at must be an aware datetime")
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("This time is in the past. Choose a later one.")})
    if duration_minutes <= 0:
        raise ValidationError(
            {"duration_minutes": _("A session must end after it starts.")}, code="end_before_start"
        )
    if duration_minutes < MIN_MINUTES:
        raise ValidationError(
            {
                "duration_minutes": _("A session lasts at least %(minutes)d minutes.")
                % {"minutes": MIN_MINUTES}
            }
        )
    if duration_minutes > MAX_MINUTES:
        raise ValidationError(
            {"duration_minutes": _("A session cannot last more than 8 hours.")}, code="too_long"
        )
    ends_at = starts_at + datetime.timedelta(minutes=duration_minutes)
    people = _member_ids(pair)
    # Serialise scheduling per person, so that two proposals at once cannot both pass the
    # overlap check below.
    list(User.objects.select_for_update().filter(pk__in=people).order_by("pk").values("pk"))
    # No session is longer than MAX_MINUTES, so only those starting in this window can overlap.
    candidates = (
        Session.objects.filter(status=Session.Status.SCHEDULED)
        .filter(Q(pair__mentor__user_id__in=people) | Q(pair__mentee__user_id__in=people))
        .filter(
            starts_at__lt=ends_at,
            starts_at__gt=starts_at - datetime.timedelta(minutes=MAX_MINUTES),
        )
        .exclude(pk=exclude)
        .only("starts_at", "duration_minutes")
    )
    for other in candidates:
        if other.starts_at + datetime.timedelta(minutes=other.duration_minutes) > starts_at:
            raise ValidationError(
                {"starts_at": _("This overlaps another session one of you has planned.")},
                code="overlap",
            )


def _locked_scheduled(session: Session, by: User | None) -> Session:
    locked = (
        Session.objects.select_for_update()
        .select_related("pair__mentor", "pair__mentee")
        .get(pk=session.pk)
    )
    if by is not None:
        _check_pair(locked.pair, by)
    if locked.status != Session.Status.SCHEDULED:
        raise ValidationError(_("Only a scheduled session can be changed or cancelled."))
    return locked


def _notify_on_commit(session: Session) -> None:
    for user_id in _member_ids(session.pair):
        transaction.on_commit(
            partial(send_session_mail.delay, session.pk, user_id, session.sequence)
        )


@transaction.atomic
def session_propose(
    *,
    pair: Pair,
    by: User,
    starts_at: datetime.datetime,
    duration_minutes: int,
    location: str = "",
) -> Session:
    _check_pair(pair, by)
    _check_slot(pair=pair, starts_at=starts_at, duration_minutes=duration_minutes)
    session = Session.objects.create(
        pair=pair,
        proposed_by=by,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        location=location.strip(),
    )
    _notify_on_commit(session)
    return session


@transaction.atomic
def session_update(
    *,
    session: Session,
    by: User,
    starts_at: datetime.datetime,
    duration_minutes: int,
    location: str = "",
) -> Session:
    session = _locked_scheduled(session, by)
    _check_slot(
        pair=session.pair,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        exclude=session.pk,
    )
    session.starts_at = starts_at
    session.duration_minutes = duration_minutes
    session.location = location.strip()
    session.sequence += 1
    session.save(
        update_fields=["starts_at", "duration_minutes", "location", "sequence", "updated_at"]
    )
    _notify_on_commit(session)
    return session


def _cancel(session: Session, *, notify: bool = True) -> Session:
    session.status = Session.Status.CANCELLED
    # Raised even when no mail goes out, so that a mail still queued for the old sequence is
    # skipped by send_session_mail.
    session.sequence += 1
    session.save(update_fields=["status", "sequence", "updated_at"])
    if notify:
        _notify_on_commit(session)
    return session


@transaction.atomic
def session_cancel(*, session: Session, by: User) -> Session:
    locked = _locked_scheduled(session, by)
    if locked.starts_at <= timezone.now():
        raise ValidationError(
            _(
                "This session has already started, so it can no longer be cancelled. "
                "Log it instead."
            ),
            code="started",
        )
    return _cancel(locked)


@transaction.atomic
def sessions_cancel_for_pair(pair: Pair) -> list[Session]:
    """Close every session of a pair still marked scheduled (when the pair ends). Future ones are
    cancelled and both people get the calendar cancellation; past ones, never logged, are over,
    so they are only marked cancelled, with no mail. Works whatever the pair's status."""
    now = timezone.now()
    sessions = list(
        Session.objects.select_for_update()
        .select_related("pair__mentor", "pair__mentee")
        .filter(pair=pair, status=Session.Status.SCHEDULED)
        .order_by("starts_at")
    )
    return [_cancel(session, notify=session.starts_at > now) for session in sessions]
