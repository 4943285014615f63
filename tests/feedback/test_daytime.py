"""Quiet hours in the recipient's time zone (pure datetimes)."""

import datetime

import pytest

from feedback.daytime import next_daytime

UTC = datetime.UTC


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "zone", "expected"),
    [
        # 10:00 in Istanbul (UTC+3) is daytime: sent as it is.
        (at(2027, 3, 1, 7, 0), "Europe/Istanbul", at(2027, 3, 1, 7, 0)),
        # 02:00 in Ho Chi Minh City (UTC+7) waits for 08:00 there, 01:00 UTC.
        (at(2027, 3, 1, 19, 0), "Asia/Ho_Chi_Minh", at(2027, 3, 2, 1, 0)),
        # 20:00 sharp in Istanbul is already quiet: the next morning.
        (at(2027, 3, 1, 17, 0), "Europe/Istanbul", at(2027, 3, 2, 5, 0)),
        # 07:59 in Istanbul waits a minute.
        (at(2027, 3, 1, 4, 59), "Europe/Istanbul", at(2027, 3, 1, 5, 0)),
        # The night the clocks go forward in Berlin: 08:00 CEST is 06:00 UTC.
        (at(2027, 3, 28, 0, 30), "Europe/Berlin", at(2027, 3, 28, 6, 0)),
        # The night they go back: 08:00 CET is 07:00 UTC.
        (at(2027, 10, 31, 0, 30), "Europe/Berlin", at(2027, 10, 31, 7, 0)),
    ],
)
def test_a_moment_moves_to_the_recipients_next_daytime(moment, zone, expected):
    assert next_daytime(moment, zone, start_hour=8, end_hour=20) == expected


def test_equal_hours_mean_no_quiet_hours():
    night = at(2027, 3, 1, 23, 0)
    assert next_daytime(night, "UTC", start_hour=0, end_hour=0) == night


def test_a_window_across_midnight():
    # Night shift readers: 22:00 to 06:00.
    assert next_daytime(at(2027, 3, 1, 23, 0), "UTC", start_hour=22, end_hour=6) == at(
        2027, 3, 1, 23, 0
    )
    assert next_daytime(at(2027, 3, 1, 12, 0), "UTC", start_hour=22, end_hour=6) == at(
        2027, 3, 1, 22, 0
    )
