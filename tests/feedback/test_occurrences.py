"""When a dated survey schedule is due (pure dates)."""

import datetime

from feedback.occurrences import CATCH_UP_DAYS, every_weeks, from_day

D = datetime.date
START, END = D(2027, 1, 4), D(2027, 7, 4)


def test_a_one_off_is_due_from_its_day_through_the_catch_up_window():
    day = D(2027, 2, 3)
    assert from_day(day, day - datetime.timedelta(days=1)) is None
    assert from_day(day, day).key == "once"
    assert from_day(day, day + datetime.timedelta(days=CATCH_UP_DAYS)).day == day
    assert from_day(day, day + datetime.timedelta(days=CATCH_UP_DAYS + 1)) is None


def test_a_repeating_schedule_fires_at_the_end_of_each_period():
    assert every_weeks(weeks=4, start=START, end=END, today=START) is None
    assert every_weeks(weeks=4, start=START, end=END, today=D(2027, 1, 31)) is None
    first = every_weeks(weeks=4, start=START, end=END, today=D(2027, 2, 1))
    assert (first.key, first.day) == ("week:1", D(2027, 2, 1))
    # Two days later it is still the same occurrence (same key: no second survey).
    assert every_weeks(weeks=4, start=START, end=END, today=D(2027, 2, 3)).key == "week:1"
    assert every_weeks(weeks=4, start=START, end=END, today=D(2027, 3, 1)).key == "week:2"


def test_a_repeating_schedule_stops_at_the_programs_end():
    after_end = END + datetime.timedelta(days=2)
    assert every_weeks(weeks=1, start=START, end=END, today=after_end) is None
    assert every_weeks(weeks=4, start=START, end=END, today=START - datetime.timedelta(1)) is None
