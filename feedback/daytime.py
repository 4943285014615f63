"""Quiet hours: the first moment at or after a given one that falls in a person's daytime, in
their own time zone. Pure datetimes, no ORM."""

import datetime
from zoneinfo import ZoneInfo


def next_daytime(
    moment: datetime.datetime, time_zone: str, *, start_hour: int, end_hour: int
) -> datetime.datetime:
    """`moment` itself when it is between `start_hour` and `end_hour` (exclusive) local time,
    otherwise the next `start_hour` o'clock there. Returned in UTC.

    A window that wraps midnight ("22-6" for night shifts) works too.
    """
    zone = ZoneInfo(time_zone)
    local = moment.astimezone(zone)
    if _in_window(local.hour, start_hour, end_hour):
        return moment.astimezone(datetime.UTC)
    day = local.date()
    if start_hour <= local.hour:
        day += datetime.timedelta(days=1)
    # A wall-clock hour is built on the date, not by adding hours, so a DST change in the night
    # still gives start_hour o'clock (no country moves its clocks at a daytime start hour).
    start = datetime.datetime.combine(day, datetime.time(start_hour), tzinfo=zone)
    return start.astimezone(datetime.UTC)


def _in_window(hour: int, start_hour: int, end_hour: int) -> bool:
    if start_hour == end_hour:
        return True  # no quiet hours at all
    if start_hour < end_hour:
        return start_hour <= hour < end_hour
    return hour >= start_hour or hour < end_hour
