"""Cadence arithmetic: how many sessions a pair should have held by a given day, and whether it is
on track, behind or at risk. Pure dates and numbers, no ORM: callers count the sessions."""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

ON_TRACK = "on_track"
BEHIND = "behind"
AT_RISK = "at_risk"

STATUS_LABELS = {
    ON_TRACK: _("On track"),
    BEHIND: _("Behind"),
    AT_RISK: _("At risk"),
}

# Mentorloop flags a pair with no activity for more than 21 days; we follow it, but a pair whose
# program meets less often than every three weeks is only quiet once a whole period has passed.
QUIET_DAYS = 21


@dataclass(frozen=True)
class Cadence:
    expected: int
    held: int
    status: str
    # Days since the last held session; None when none was held yet.
    days_since_last: int | None

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def at_risk(self) -> bool:
        return self.status == AT_RISK


def expected_sessions(
    *,
    program_start: datetime.date,
    cadence_weeks: int,
    pair_start: datetime.date,
    today: datetime.date,
) -> int:
    """One session per cadence period, counted from the later of the program's and the pair's
    start. A period counts only once it has ended: a pair is not behind in the middle of its
    first period (day 0 to day N*7-1 expects 0; day N*7 expects 1)."""
    anchor = max(program_start, pair_start)
    if today <= anchor:
        return 0
    return (today - anchor).days // (cadence_weeks * 7)


def cadence_status(
    *,
    program_start: datetime.date,
    cadence_weeks: int,
    pair_start: datetime.date,
    today: datetime.date,
    held: int,
    last_held: datetime.date | None,
    program_end: datetime.date | None = None,
) -> Cadence:
    """Where a pair stands. After the program's end nothing more is expected: the figures are
    those of its last day.

    - on_track: held >= expected (and not quiet, below);
    - behind: exactly one session short;
    - at_risk: two or more short, or quiet: at least one session was expected and none was held
      for more than 21 days (or one cadence period, if that is longer). With no held session the
      quiet time counts from the later of the program's and the pair's start.
    """
    if program_end is not None:
        today = min(today, program_end)
    expected = expected_sessions(
        program_start=program_start,
        cadence_weeks=cadence_weeks,
        pair_start=pair_start,
        today=today,
    )
    days_since_last = (today - last_held).days if last_held is not None else None
    quiet_for = (
        days_since_last
        if days_since_last is not None
        else (today - max(program_start, pair_start)).days
    )
    quiet = expected >= 1 and quiet_for > max(QUIET_DAYS, cadence_weeks * 7)
    short = expected - held
    if short >= 2 or quiet:
        status = AT_RISK
    elif short == 1:
        status = BEHIND
    else:
        status = ON_TRACK
    return Cadence(expected=expected, held=held, status=status, days_since_last=days_since_last)
