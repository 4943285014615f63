"""DaysBetween gives whole days on the database in use (PostgreSQL or SQLite)."""

import datetime

import pytest
from django.db.models import DateField, Value
from django.db.models.functions import TruncDate

from matching.models import Pair
from mentorship.dashboard.days import DaysBetween
from tests.dashboard.conftest import make_pair

pytestmark = pytest.mark.django_db


def date(value: datetime.date) -> Value:
    return Value(value, output_field=DateField())


@pytest.mark.parametrize(
    ("end", "start", "days"),
    [
        (datetime.date(2026, 3, 2), datetime.date(2026, 1, 5), 56),
        (datetime.date(2026, 1, 5), datetime.date(2026, 1, 5), 0),
        (datetime.date(2026, 1, 4), datetime.date(2026, 1, 5), -1),
        (datetime.date(2028, 3, 1), datetime.date(2028, 2, 28), 2),
    ],
)
def test_whole_days_between_two_dates(program, end, start, days):
    make_pair(program, mentee_department="Sales")
    row = Pair.objects.annotate(days=DaysBetween(date(end), date(start))).values("days").get()
    assert row["days"] == days


def test_a_datetime_late_in_the_day_counts_by_its_date(program):
    pair = make_pair(program, mentee_department="Sales")
    Pair.objects.filter(pk=pair.pk).update(
        started_at=datetime.datetime(2026, 1, 5, 23, 59, tzinfo=datetime.UTC)
    )
    row = (
        Pair.objects.annotate(
            days=DaysBetween(date(datetime.date(2026, 1, 6)), TruncDate("started_at"))
        )
        .values("days")
        .get()
    )
    assert row["days"] == 1
