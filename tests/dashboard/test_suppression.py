"""The anonymity rules, without a database."""

from mentorship.dashboard.suppression import (
    hidden_siblings,
    selection_allowed,
    too_small,
    total_reveals_a_part,
)


def test_a_group_one_short_of_the_threshold_is_hidden():
    assert too_small(4, 5)


def test_a_group_at_the_threshold_is_shown():
    assert not too_small(5, 5)


def test_an_empty_group_is_hidden():
    assert too_small(0, 5)


def test_siblings_all_large_enough_are_all_shown():
    assert hidden_siblings({"mentors": 5, "mentees": 7}, 5) == set()


def test_one_hidden_sibling_takes_the_next_smallest_with_it():
    sizes = {"sales": 4, "it": 9, "hr": 6, "finance": 12}
    assert hidden_siblings(sizes, 5) == {"sales", "hr"}


def test_one_hidden_of_two_siblings_hides_both():
    assert hidden_siblings({"mentors": 4, "mentees": 30}, 5) == {"mentors", "mentees"}


def test_two_hidden_siblings_protect_each_other():
    sizes = {"jan": 2, "feb": 3, "mar": 8, "apr": 9}
    assert hidden_siblings(sizes, 5) == {"jan", "feb"}


def test_a_tie_for_next_smallest_hides_the_first_given():
    sizes = {"a": 1, "b": 6, "c": 6}
    assert hidden_siblings(sizes, 5) == {"a", "b"}


def test_a_lone_sibling_below_the_threshold_is_hidden():
    assert hidden_siblings({"only": 3}, 5) == {"only"}


def test_no_siblings_hide_nothing():
    assert hidden_siblings({}, 5) == set()


def test_a_filter_needs_the_selected_group_at_the_threshold():
    assert not selection_allowed(selected=4, complement=20, threshold=5)
    assert selection_allowed(selected=5, complement=20, threshold=5)


def test_a_filter_is_refused_when_its_complement_is_small():
    # The unfiltered page minus this one would describe the four others.
    assert not selection_allowed(selected=20, complement=4, threshold=5)


def test_a_filter_with_an_empty_complement_is_allowed():
    assert selection_allowed(selected=6, complement=0, threshold=5)


def test_a_filter_with_a_complement_at_the_threshold_is_allowed():
    assert selection_allowed(selected=5, complement=5, threshold=5)


def test_a_total_over_programs_hides_when_one_program_is_small():
    # Program 2's figure is hidden on its page; overview - program 1 would give it.
    assert total_reveals_a_part([(10, 5), (3, 5)])


def test_a_total_over_programs_is_shown_when_two_are_small():
    assert not total_reveals_a_part([(10, 5), (3, 5), (2, 5)])


def test_an_empty_program_gives_nothing_away():
    assert not total_reveals_a_part([(10, 5), (0, 5)])


def test_each_program_is_judged_by_its_own_threshold():
    assert not total_reveals_a_part([(10, 5), (4, 3)])
    assert total_reveals_a_part([(10, 3), (4, 5)])
