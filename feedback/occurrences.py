"""When a dated survey schedule is due: the occurrence a day falls on, if any. Pure dates, no ORM.

A schedule fires on its day and stays due for a short catch-up window (a beat that was down for
a few days still sends), but a schedule added long after its day does not send stale surveys.
"""

import datetime
from dataclasses import dataclass

CATCH_UP_DAYS = 7


@dataclass(frozen=True)
class Occurrence:
    key: str
    day: datetime.date


def from_day(day: datetime.date, today: datetime.date) -> Occurrence | None:
    """A one-off schedule (N days from the program's start or end). Its key does not name the
    day: moving the program's dates after it fired must not send it a second time."""
    if day <= today <= day + datetime.timedelta(days=CATCH_UP_DAYS):
        return Occurrence(key="once", day=day)
    return None


def every_weeks(
    *, weeks: int, start: datetime.date, end: datetime.date, today: datetime.date
) -> Occurrence | None:
    """A repeating schedule: the N-th period ends on start + N * weeks; the first survey goes
    out at the end of the first period, the last no later than the program's last day."""
    if today < start:
        return None
    period = (today - start).days // (weeks * 7)
    if period < 1:
        return None
    day = start + datetime.timedelta(weeks=period * weeks)
    if day > end:
        return None
    if today > day + datetime.timedelta(days=CATCH_UP_DAYS):
        return None
    return Occurrence(key=f"week:{period}", day=day)
