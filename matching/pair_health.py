"""How each pair is doing against its program's cadence, for the HR pairs page, the reminders
and the HR digest: held sessions counted in the database, the status from cadence.py."""

import datetime

from django.db.models import Case, Count, F, IntegerField, Max, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from matching import cadence
from matching.models import Pair, Session


def with_held_sessions(pairs: QuerySet[Pair]) -> QuerySet[Pair]:
    """Each pair with its held sessions counted and its last held session found, in the same
    query. The last session is dated by its log's actual start (SessionLog.held_on) when the
    log gives one, else by the time it was planned for."""
    held = Q(sessions__status=Session.Status.HELD)
    return pairs.annotate(
        held_count=Count("sessions", filter=held),
        last_held_at=Max(
            Coalesce(F("sessions__log__held_on"), F("sessions__starts_at")), filter=held
        ),
    )


def pairs_for_hr_list(program) -> QuerySet[Pair]:
    """Every pair of the program, active first, with what the HR list shows."""
    return (
        with_held_sessions(Pair.objects.filter(program=program))
        .select_related("mentor__user", "mentee__user")
        .annotate(
            active_first=Case(
                When(status=Pair.Status.ACTIVE, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("active_first", "mentee__user__full_name", "pk")
    )


def cadence_of(pair: Pair, program, today: datetime.date) -> cadence.Cadence:
    """The cadence status of a pair annotated by `with_held_sessions`. An ended pair is measured
    up to the day it ended."""
    as_of = min(today, timezone.localdate(pair.ended_at)) if pair.ended_at else today
    last_held = timezone.localdate(pair.last_held_at) if pair.last_held_at else None
    return cadence.cadence_status(
        program_start=program.start_date,
        cadence_weeks=program.cadence_weeks,
        pair_start=timezone.localdate(pair.started_at),
        today=as_of,
        held=pair.held_count,
        last_held=last_held,
        program_end=program.end_date,
    )
