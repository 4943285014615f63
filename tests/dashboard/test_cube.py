"""The table of figures: totals add up, period sizes stay apart, and the lines the pages can
subtract are all there (no database)."""

import pickle

from hypothesis import given
from hypothesis import strategies as st

from mentorship.dashboard.cube import ALL, ANONYMOUS, Cube
from mentorship.dashboard.periods import (
    is_quarter_key,
    months_of,
    quarter_bounds,
    quarters_between,
)


def test_sums_reach_every_total():
    cube = Cube(period_parent={"2026-01": "2026-Q1"})
    cube.add((1, "Sales", "2026-01", ALL), held=3)
    cube.add((2, "IT", "2026-01", ALL), held=4)
    assert cube.sum((ALL, ALL, ALL, ALL), "held") == 7
    assert cube.sum((1, ALL, "2026-Q1", ALL), "held") == 3
    assert cube.sum((ALL, "IT", "2026-01", ALL), "held") == 4


def test_sizes_add_over_programs_and_groups_but_not_over_periods():
    cube = Cube(period_parent={"2026-01": "2026-Q1", "2026-02": "2026-Q1"})
    # One pair meeting in January and in February is one pair in the quarter.
    cube.count((1, "Sales", "2026-01", ALL), 1)
    cube.count((1, "Sales", "2026-02", ALL), 1)
    cube.count((1, "Sales", "2026-Q1", ALL), 1)
    cube.count((2, "Sales", "2026-Q1", ALL), 2)
    assert cube.size((1, "Sales", "2026-Q1", ALL)) == 1
    assert cube.size((ALL, "Sales", "2026-Q1", ALL)) == 3
    assert cube.size((ALL, ALL, "2026-01", ALL)) == 1


def test_months_are_parts_of_their_quarter_and_quarters_of_all_time():
    cube = Cube(period_parent={"2026-01": "2026-Q1"})
    for period in ("2026-01", "2026-Q1", ALL):
        cube.count((1, "Sales", period, ALL), 5)
    lines = {(total, tuple(parts)) for total, parts in cube.lines()}
    assert ((1, "Sales", "2026-Q1", ALL), ((1, "Sales", "2026-01", ALL),)) in lines
    assert ((1, "Sales", ALL, ALL), ((1, "Sales", "2026-Q1", ALL),)) in lines
    assert ((ALL, "Sales", "2026-01", ALL), ((1, "Sales", "2026-01", ALL),)) in lines


def test_anonymous_answers_are_a_group_only_totals_hold():
    cube = Cube()
    cube.count((1, "Sales", ALL, ALL), 6)
    cube.count((1, ANONYMOUS, ALL, ALL), 2)
    cube.suppress(lambda key: 5)
    # Sales minus the total would be the two anonymous answers: both hidden.
    assert cube.is_hidden((1, "Sales", ALL, ALL), 5)
    assert cube.is_hidden((1, ANONYMOUS, ALL, ALL), 5)
    assert not cube.is_hidden((1, ALL, ALL, ALL), 5)


def test_the_markers_survive_the_cache():
    cube = Cube()
    cube.count((1, ANONYMOUS, ALL, ALL), 2)
    again = pickle.loads(pickle.dumps(cube))  # noqa: S301 (our own bytes)
    assert again.size((1, ANONYMOUS, ALL, ALL)) == 2
    assert again.size((ALL, ALL, ALL, ALL)) == 2


@given(
    st.dictionaries(
        st.tuples(st.sampled_from([1, 2, 3]), st.sampled_from(["a", "b", "c", ANONYMOUS])),
        st.integers(min_value=0, max_value=12),
        max_size=12,
    )
)
def test_no_shown_total_has_a_lone_or_small_hidden_remainder(cells):
    """Whatever the cells, every line under a shown total hides nothing or parts that add up
    to the threshold, and a hidden total has a hidden part."""
    cube = Cube()
    for (program, group), n in cells.items():
        cube.count((program, group, ALL, ALL), n)
    cube.suppress(lambda key: 5)
    for total, parts in cube.lines():
        parts = [part for part in parts if cube.size(part) > 0]
        hidden = [part for part in parts if part in cube.hidden]
        if not parts:
            continue
        if total in cube.hidden:
            assert hidden
        else:
            assert not hidden or (len(hidden) >= 2 and sum(map(cube.size, hidden)) >= 5)


def test_quarters_cover_the_range_in_order():
    import datetime

    assert quarters_between(datetime.date(2025, 11, 30), datetime.date(2026, 4, 1)) == [
        "2025-Q4",
        "2026-Q1",
        "2026-Q2",
    ]
    assert quarter_bounds("2025-Q4") == (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))
    assert months_of("2026-Q2") == ["2026-04", "2026-05", "2026-06"]


def test_only_real_quarters_are_quarters():
    assert is_quarter_key("2026-Q3")
    assert not any(is_quarter_key(value) for value in ("2026-Q5", "2026-Q0", "Q1", "", "2026-03"))
