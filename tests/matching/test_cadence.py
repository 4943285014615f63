"""The cadence arithmetic, without a database."""

import datetime

from matching.cadence import AT_RISK, BEHIND, ON_TRACK, cadence_status, expected_sessions

PROGRAM_START = datetime.date(2027, 1, 4)


def status(today, held=0, last_held=None, pair_start=PROGRAM_START, weeks=2):
    return cadence_status(
        program_start=PROGRAM_START,
        cadence_weeks=weeks,
        pair_start=pair_start,
        today=today,
        held=held,
        last_held=last_held,
    )


def day(n: int) -> datetime.date:
    return PROGRAM_START + datetime.timedelta(days=n)


def expected(today: datetime.date) -> int:
    return expected_sessions(
        program_start=PROGRAM_START, cadence_weeks=2, pair_start=PROGRAM_START, today=today
    )


def test_a_period_counts_only_once_it_has_ended():
    assert expected(day(13)) == 0
    assert expected(day(14)) == 1
    assert expected(day(55)) == 3


def test_nothing_is_expected_before_the_program_starts():
    result = status(today=day(-10), pair_start=day(-30))
    assert (result.expected, result.status, result.days_since_last) == (0, ON_TRACK, None)


def test_pair_that_started_mid_program_counts_from_its_own_start():
    # The program began 60 days ago; the pair 10 days ago: its first period is not over.
    result = status(today=day(60), pair_start=day(50))
    assert result.expected == 0
    assert result.status == ON_TRACK
    # Four weeks after the pair began: two periods.
    assert status(today=day(78), held=2, last_held=day(70), pair_start=day(50)).expected == 2


def test_held_as_many_as_expected_is_on_track():
    result = status(today=day(30), held=2, last_held=day(25))
    assert (result.expected, result.held, result.status, result.days_since_last) == (
        2,
        2,
        ON_TRACK,
        5,
    )


def test_held_more_than_expected_is_on_track():
    assert status(today=day(15), held=3, last_held=day(14)).status == ON_TRACK


def test_one_short_is_behind():
    result = status(today=day(30), held=1, last_held=day(20))
    assert (result.expected, result.status) == (2, BEHIND)


def test_two_short_is_at_risk():
    result = status(today=day(43), held=1, last_held=day(40))
    assert (result.expected, result.status) == (3, AT_RISK)


def test_quiet_for_21_days_is_not_yet_at_risk_but_22_is():
    # Program meets every two weeks; enough sessions held, but the last one long ago.
    assert status(today=day(41), held=2, last_held=day(20)).status == ON_TRACK
    result = status(today=day(42), held=3, last_held=day(20))
    assert (result.days_since_last, result.status) == (22, AT_RISK)


def test_no_session_ever_counts_quiet_days_from_the_start():
    # Day 21: one period over, nothing held -> one short.
    assert status(today=day(21)).status == BEHIND
    assert status(today=day(22)).status == AT_RISK


def test_a_longer_cadence_is_not_quiet_within_one_period():
    # Every four weeks: 25 days since the last session is still within the period.
    result = status(today=day(30), held=1, last_held=day(5), weeks=4)
    assert (result.expected, result.status) == (1, ON_TRACK)
    assert status(today=day(34), held=1, last_held=day(5), weeks=4).status == AT_RISK


def test_labels_are_words():
    assert status(today=day(30), held=1, last_held=day(20)).label == "Behind"
    assert status(today=day(1)).label == "On track"


def test_nothing_more_is_expected_after_the_program_ends():
    start = datetime.date(2027, 1, 4)
    end = start + datetime.timedelta(weeks=26)
    result = cadence_status(
        program_start=start,
        cadence_weeks=2,
        pair_start=start,
        today=end + datetime.timedelta(days=365),
        held=13,
        last_held=end - datetime.timedelta(days=3),
        program_end=end,
    )
    assert (result.expected, result.held, result.status) == (13, 13, "on_track")
