"""The anonymity rules, on group sizes alone (no database)."""

from mentorship.dashboard.suppression import selection_allowed, suppress, too_small


def test_a_group_one_short_of_the_threshold_is_hidden():
    assert too_small(4, 5)


def test_a_group_at_the_threshold_is_shown():
    assert not too_small(5, 5)


def test_an_empty_group_is_hidden():
    assert too_small(0, 5)


def hide(sizes, lines, threshold=5):
    return suppress(sizes, lines, lambda key: threshold)


def test_parts_all_large_enough_are_all_shown():
    assert hide({"all": 12, "mentors": 5, "mentees": 7}, [("all", ["mentors", "mentees"])]) == set()


def test_one_small_part_takes_the_next_smallest_with_it():
    sizes = {"all": 30, "sales": 3, "it": 20, "hr": 7}
    assert hide(sizes, [("all", ["sales", "it", "hr"])]) == {"sales", "hr"}


def test_hidden_parts_must_add_up_to_the_threshold():
    # 1 + 2 = 3 people would still be worked out from the total: a third part goes.
    sizes = {"all": 30, "a": 1, "b": 2, "c": 6, "d": 21}
    assert hide(sizes, [("all", ["a", "b", "c", "d"])]) == {"a", "b", "c"}


def test_two_small_parts_that_reach_the_threshold_together_protect_each_other():
    sizes = {"all": 30, "jan": 2, "feb": 3, "mar": 25}
    assert hide(sizes, [("all", ["jan", "feb", "mar"])]) == {"jan", "feb"}


def test_a_small_part_with_no_other_to_hide_hides_the_total():
    assert hide({"all": 3, "only": 3}, [("all", ["only"])]) == {"all", "only"}


def test_empty_parts_neither_hide_nor_protect():
    sizes = {"all": 20, "a": 0, "b": 4, "c": 16}
    assert hide(sizes, [("all", ["a", "b", "c"])]) == {"b", "c"}


def test_a_hidden_total_never_has_all_its_parts_shown():
    # The total is hidden by a line above it; its two parts would add up to it.
    sizes = {"top": 40, "x": 10, "y": 30, "x1": 5, "x2": 5}
    lines = [("top", ["x", "y"]), ("x", ["x1", "x2"])]
    hidden = suppress(sizes, lines, lambda key: 12 if key == "x" else 5)
    assert "x" in hidden and {"x1", "x2"} & hidden


def test_hiding_spreads_across_lines_until_nothing_changes():
    # Rows are programs, columns departments. (p1, sales) is small; hiding (p1, it) with it
    # makes (p1, it) the only hidden part of the IT column, which takes (p2, it) along.
    sizes = {
        ("p1", "sales"): 2, ("p1", "it"): 6, ("p2", "sales"): 9, ("p2", "it"): 7,
        ("p1", "*"): 8, ("p2", "*"): 16, ("*", "sales"): 11, ("*", "it"): 13, ("*", "*"): 24,
    }  # fmt: skip
    lines = [
        (("p1", "*"), [("p1", "sales"), ("p1", "it")]),
        (("p2", "*"), [("p2", "sales"), ("p2", "it")]),
        (("*", "sales"), [("p1", "sales"), ("p2", "sales")]),
        (("*", "it"), [("p1", "it"), ("p2", "it")]),
        (("*", "*"), [("p1", "*"), ("p2", "*")]),
        (("*", "*"), [("*", "sales"), ("*", "it")]),
    ]
    hidden = hide(sizes, lines)
    assert hidden == {("p1", "sales"), ("p1", "it"), ("p2", "sales"), ("p2", "it")}
    # No line has exactly one hidden part under a shown total.
    for total, parts in lines:
        if total not in hidden:
            assert len([part for part in parts if part in hidden]) != 1


def test_each_key_is_judged_by_its_own_threshold():
    sizes = {"all": 14, "strict": 6, "lenient": 8}
    thresholds = {"all": 5, "strict": 7, "lenient": 3}
    assert suppress(sizes, [("all", ["strict", "lenient"])], thresholds.get) == {
        "strict",
        "lenient",
    }


def test_a_filter_needs_the_selected_group_at_the_threshold():
    assert not selection_allowed(selected=4, complement=20, threshold=5)
    assert selection_allowed(selected=5, complement=20, threshold=5)


def test_a_filter_is_refused_when_its_complement_is_small():
    assert not selection_allowed(selected=20, complement=4, threshold=5)


def test_a_filter_with_an_empty_complement_is_allowed():
    assert selection_allowed(selected=6, complement=0, threshold=5)


def test_a_filter_with_a_complement_at_the_threshold_is_allowed():
    assert selection_allowed(selected=5, complement=5, threshold=5)


def test_parts_that_share_people_are_not_counted_twice():
    # The same 3 pairs meet in January and February; 5 others only in March. Hidden January
    # and February hold 3 pairs, not 6: the quarter minus March would describe those 3.
    sizes = {"q1": 8, "jan": 3, "feb": 3, "mar": 5}
    assert hide(sizes, [("q1", ["jan", "feb", "mar"])]) == {"jan", "feb", "mar"}


def test_a_seeded_key_is_hidden_with_its_complement():
    # Hidden by another figure that shares its numbers: protected here as if it were small.
    sizes = {"all": 20, "a": 10, "b": 10}
    assert suppress(sizes, [("all", ["a", "b"])], lambda key: 5, seed=["a"]) == {"a", "b"}
