"""The hard rules: the reporting line (direct and indirect, both directions, loops and deep
charts), shared languages and HR exclusions, as sets and as matrices. No database."""

import random

import numpy as np
import pytest

from matching.rules import (
    MAX_REPORTING_DEPTH,
    ReportingLineError,
    eligibility_matrix,
    hard_rules,
    managers_above,
    reporting_line_conflicts,
)
from matching.scoring import MenteeProfile, MentorProfile, Person

# An org chart by user id: 1 is the CEO; 2 and 3 report to 1; 4 and 5 to 2; 6 to 4; 7 to 3.
ORG = {1: None, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 3}


def person(pid: int, user_id: int, languages=("en",), manager_id=None) -> Person:
    return Person(
        id=pid,
        email=f"u{user_id}@example.com",
        languages=languages,
        utc_offset_hours=0,
        department="",
        manager_id=manager_id,
        user_id=user_id,
    )


def mentor(pid: int, user_id: int, **kwargs) -> MentorProfile:
    return MentorProfile(person(pid, user_id, **kwargs), capacity=1, topics={})


def mentee(pid: int, user_id: int, **kwargs) -> MenteeProfile:
    return MenteeProfile(person(pid, user_id, **kwargs), topics={})


def conflicts(mentor_user: int, mentee_user: int, managers=ORG) -> bool:
    return bool(
        reporting_line_conflicts([mentor(10, mentor_user)], [mentee(20, mentee_user)], managers)
    )


def test_managers_above_walks_the_whole_chain():
    assert managers_above(6, ORG) == {4, 2, 1}
    assert managers_above(1, ORG) == set()


@pytest.mark.parametrize(
    ("mentor_user", "mentee_user"),
    [
        (6, 4),  # the mentee manages the mentor
        (6, 2),  # ... or manages the mentor's manager
        (6, 1),  # ... at any depth
        (4, 6),  # the mentor manages the mentee
        (2, 6),
        (1, 7),
    ],
)
def test_a_pair_inside_one_reporting_line_conflicts_in_either_direction(mentor_user, mentee_user):
    assert conflicts(mentor_user, mentee_user)


@pytest.mark.parametrize(
    ("mentor_user", "mentee_user"),
    [(6, 5), (5, 4), (6, 3), (7, 2), (4, 3)],  # siblings, cousins, uncles: not one line
)
def test_people_in_different_lines_do_not_conflict(mentor_user, mentee_user):
    assert not conflicts(mentor_user, mentee_user)


def test_conflicts_are_reported_as_mentor_and_mentee_ids():
    mentors = [mentor(10, 6), mentor(11, 5)]
    mentees = [mentee(20, 2), mentee(21, 7)]
    # 2 manages 4 who manages 6, and 2 manages 5; 7 is in the other branch.
    assert reporting_line_conflicts(mentors, mentees, ORG) == {(10, 20), (11, 20)}


def test_the_persons_own_manager_is_used_when_the_chart_does_not_know_them():
    assert reporting_line_conflicts([mentor(10, 99, manager_id=4)], [mentee(20, 2)], ORG) == {
        (10, 20)
    }


def test_a_loop_in_the_chart_ends_and_keeps_everyone_on_it_apart():
    looped = {1: 2, 2: 3, 3: 1, 4: 3}
    assert managers_above(4, looped) == {1, 2, 3}
    assert managers_above(1, looped) == {2, 3}
    assert conflicts(1, 3, looped)
    assert conflicts(3, 1, looped)
    assert conflicts(4, 2, looped)


def test_a_self_managed_user_is_not_their_own_manager():
    assert managers_above(1, {1: 1}) == set()


def test_a_chain_deeper_than_any_organisation_is_refused():
    deep = {user: user + 1 for user in range(MAX_REPORTING_DEPTH + 5)}
    with pytest.raises(ReportingLineError, match="longer than"):
        managers_above(0, deep)


def test_the_same_person_on_both_sides_conflicts():
    assert conflicts(5, 5)


def test_eligibility_needs_a_shared_language_no_reporting_line_and_no_exclusion():
    mentors = [
        mentor(10, 5, languages=("en",)),
        mentor(11, 6, languages=("en", "vi")),
        mentor(12, 7, languages=("tr",)),
    ]
    mentees = [mentee(20, 3, languages=("vi", "en")), mentee(21, 4, languages=("en",))]
    excluded = {(10, 20), (99, 21), (10, 99)}  # unknown ids are ignored
    matrix = eligibility_matrix(mentors, mentees, ORG, excluded)
    assert matrix.dtype == bool
    # Mentee 20 (user 3): 10 was excluded by HR, 11 is fine, 12 (user 7) reports to user 3.
    # Mentee 21 (user 4): 10 is fine, 11 (user 6) reports to user 4, 12 speaks only tr.
    assert matrix.tolist() == [[False, True, False], [True, False, False]]

    rules = hard_rules(mentors, mentees, ORG, excluded)
    assert rules.shares_language.tolist() == [[True, True, False], [True, True, False]]
    assert rules.reporting_line.tolist() == [[False, False, True], [False, True, False]]
    assert rules.excluded.tolist() == [[True, False, False], [False, False, False]]


def test_empty_sides_give_empty_matrices():
    assert eligibility_matrix([], [mentee(20, 3)], ORG).shape == (1, 0)
    assert eligibility_matrix([mentor(10, 3)], [], ORG).shape == (0, 1)


def _naive_in_one_line(a: int, b: int, managers) -> bool:
    def chain(user):
        seen = []
        current = managers.get(user)
        while current is not None and current not in seen:
            seen.append(current)
            current = managers.get(current)
        return seen

    return a == b or a in chain(b) or b in chain(a)


@pytest.mark.parametrize("seed", range(3))
def test_conflicts_match_a_pair_by_pair_walk_on_a_random_chart(seed):
    rng = random.Random(seed)
    users = list(range(1, 301))
    rng.shuffle(users)
    managers = {u: (users[rng.randrange(i)] if i else None) for i, u in enumerate(users)}
    participants = rng.sample(users, 120)
    mentors = [mentor(pid, user) for pid, user in enumerate(participants[:60])]
    mentees = [mentee(pid, user) for pid, user in enumerate(participants[60:], start=100)]
    expected = {
        (m.id, e.id)
        for m in mentors
        for e in mentees
        if _naive_in_one_line(m.person.user_id, e.person.user_id, managers)
    }
    assert expected  # the chart is deep enough for the test to mean something
    assert reporting_line_conflicts(mentors, mentees, managers) == expected
    line = hard_rules(mentors, mentees, managers).reporting_line
    assert {(mentors[j].id, mentees[i].id) for i, j in np.argwhere(line)} == expected
