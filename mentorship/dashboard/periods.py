"""The dashboard's periods: calendar quarters, each made of its three months (pure, no ORM).

Periods are fixed, non-overlapping blocks rather than free ranges of months: two free ranges
that differ by one month would give that month away by subtraction, whereas quarters and months
are parts of their totals, which complementary suppression protects.
"""

import datetime


def month_key(day: datetime.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def quarter_key(day: datetime.date) -> str:
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def month_start(key: str) -> datetime.date:
    year, month = key.split("-")
    return datetime.date(int(year), int(month), 1)


def quarter_bounds(key: str) -> tuple[datetime.date, datetime.date]:
    """The first and the last day of a quarter."""
    year, quarter = key.split("-Q")
    first = datetime.date(int(year), 3 * int(quarter) - 2, 1)
    after = first.replace(year=first.year + 1, month=1) if quarter == "4" else None
    after = after or first.replace(month=first.month + 3)
    return first, after - datetime.timedelta(days=1)


def is_quarter_key(value: str) -> bool:
    try:
        quarter_bounds(value)
    except (ValueError, TypeError):
        return False
    return quarter_key(quarter_bounds(value)[0]) == value


def quarters_between(first: datetime.date, last: datetime.date) -> list[str]:
    """The quarters from the one holding `first` to the one holding `last`, in order."""
    quarters = []
    day = first.replace(day=1, month=(first.month - 1) // 3 * 3 + 1)
    while day <= last:
        quarters.append(quarter_key(day))
        day = quarter_bounds(quarter_key(day))[1] + datetime.timedelta(days=1)
    return quarters


def months_of(quarter: str) -> list[str]:
    first, _last = quarter_bounds(quarter)
    return [month_key(first.replace(month=first.month + offset)) for offset in range(3)]
