"""The optimiser: exact (against an exhaustive search on small random cohorts), never breaks a
hard rule, keeps pins, deterministic; readable reasons for unmatched mentees; alternatives; and
the greedy pass it is compared with. No database."""

import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.optimiser import Cohort, PinError, UnmatchedReason, alternatives, greedy, solve
from matching.scoring import MenteeProfile, MentorProfile, Person, Weights, score_pair

PROPERTIES = settings(deadline=None, max_examples=200)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def person(pid: int, languages=("en",), user_id=None, manager_id=None, offset=0.0, department=""):
    return Person(
        id=pid,
        email=f"p{pid}@example.com",
        languages=languages,
        utc_offset_hours=offset,
        department=department,
        manager_id=manager_id,
        user_id=user_id if user_id is not None else 1000 + pid,
    )


def mentor(pid: int, topics=None, capacity: int = 1, **kwargs) -> MentorProfile:
    return MentorProfile(person(pid, **kwargs), capacity, topics or {})


def mentee(pid: int, topics=None, **kwargs) -> MenteeProfile:
    return MenteeProfile(person(pid, **kwargs), topics or {})


def pair_ids(solution) -> list[tuple[int, int]]:
    return [(mentor_id, mentee_id) for mentor_id, mentee_id, _ in solution.pairs]


# --- A reference written without the code under test ----------------------------------------


def naive_managers_above(user_id: int, managers: dict) -> set[int]:
    seen: list[int] = []
    current = managers.get(user_id)
    while current is not None and current not in seen:
        seen.append(current)
        current = managers.get(current)
    return set(seen)


def naive_eligible(m: MentorProfile, e: MenteeProfile, managers: dict, excluded: set) -> bool:
    a, b = m.person.user_id, e.person.user_id
    return (
        bool(set(m.person.languages) & set(e.person.languages))
        and a != b
        and a not in naive_managers_above(b, managers)
        and b not in naive_managers_above(a, managers)
        and (m.id, e.id) not in excluded
    )


def exhaustive_optimum(cohort: dict) -> tuple[int, float]:
    """(most mentees matched, best total score among those) over every assignment that keeps
    the rules and the pins: each mentee in turn gets no mentor or any eligible one with room,
    memoised on the remaining capacities."""
    mentors = sorted(cohort["mentors"], key=lambda m: m.id)
    mentees = sorted(cohort["mentees"], key=lambda m: m.id)
    weights, managers, excluded = cohort["weights"], cohort["managers"], cohort["excluded"]
    pinned_to = {mentee_id: mentor_id for mentor_id, mentee_id in cohort["pinned"]}
    options = []
    for e in mentees:
        allowed = [
            (j, score_pair(m, e, weights).total)
            for j, m in enumerate(mentors)
            if naive_eligible(m, e, managers, excluded)
        ]
        if e.id in pinned_to:
            options.append([(j, s) for j, s in allowed if mentors[j].id == pinned_to[e.id]])
        else:
            options.append([(None, 0.0), *allowed])

    @cache
    def best(i: int, room: tuple[int, ...]) -> tuple[int, float]:
        if i == len(mentees):
            return (0, 0.0)
        result = (-1, 0.0)
        for j, score in options[i]:
            if j is None:
                count, total = best(i + 1, room)
                result = max(result, (count, total))
            elif room[j] > 0:
                count, total = best(i + 1, room[:j] + (room[j] - 1,) + room[j + 1 :])
                result = max(result, (count + 1, total + score))
        return result

    return best(0, tuple(m.capacity for m in mentors))


# --- Random small cohorts ---------------------------------------------------------------------

weights_strategy = st.one_of(
    st.sampled_from([Weights(), Weights(0, 0, 0, 0), Weights(2, 0.5, 1, 0), Weights(0, 1, 1, 1)]),
    st.builds(
        Weights,
        *(st.floats(0, 3, allow_nan=False, allow_infinity=False) for _ in range(4)),
    ),
)


@st.composite
def cohorts(draw) -> dict:
    n_mentors = draw(st.integers(0, 5))
    n_mentees = draw(st.integers(0, 6))
    n_people = n_mentors + n_mentees
    # Users 1..n, some of them managers outside the program. Each user's manager comes earlier
    # in a random order, so the chart has no loop.
    n_users = n_people + draw(st.integers(0, 3))
    order = draw(st.permutations(range(1, n_users + 1)))
    managers: dict[int, int | None] = {}
    for position, user_id in enumerate(order):
        if position == 0 or draw(st.integers(0, 3)) == 0:
            managers[user_id] = None
        else:
            managers[user_id] = order[draw(st.integers(0, position - 1))]
    users = draw(st.permutations(range(1, n_users + 1)))[:n_people]
    ids = draw(st.lists(st.integers(1, 500), min_size=n_people, max_size=n_people, unique=True))
    languages = st.lists(st.sampled_from(["en", "vi", "tr"]), max_size=3, unique=True)
    topics = st.dictionaries(st.integers(1, 4), st.integers(1, 3), max_size=3)

    def random_person(index: int) -> Person:
        return person(
            ids[index],
            languages=tuple(draw(languages)),
            user_id=users[index],
            manager_id=managers[users[index]],
            offset=draw(st.sampled_from([-12, -5, 0, 3, 5.5, 7, 14])),
            department=draw(st.sampled_from(["", "IT", "Sales"])),
        )

    mentors = [
        MentorProfile(random_person(k), draw(st.integers(1, 2)), draw(topics))
        for k in range(n_mentors)
    ]
    mentees = [MenteeProfile(random_person(n_mentors + k), draw(topics)) for k in range(n_mentees)]
    all_pairs = [(m.id, e.id) for m in mentors for e in mentees]
    excluded = draw(st.sets(st.sampled_from(all_pairs), max_size=4)) if all_pairs else set()
    weights = draw(weights_strategy)

    # Pins: a few eligible pairs, kept only while they respect one mentor per mentee and
    # the capacities.
    eligible = [
        (m, e) for m in mentors for e in mentees if naive_eligible(m, e, managers, excluded)
    ]
    pinned: set[tuple[int, int]] = set()
    if eligible:
        for m, e in draw(st.lists(st.sampled_from(eligible), max_size=2)):
            taken = sum(1 for mentor_id, _ in pinned if mentor_id == m.id)
            if taken < m.capacity and all(mentee_id != e.id for _, mentee_id in pinned):
                pinned.add((m.id, e.id))
    return {
        "mentors": mentors,
        "mentees": mentees,
        "weights": weights,
        "managers": managers,
        "excluded": excluded,
        "pinned": pinned,
    }


def run(cohort: dict, how=solve):
    return how(
        cohort["mentors"],
        cohort["mentees"],
        cohort["weights"],
        cohort["managers"],
        excluded=cohort["excluded"],
        pinned=cohort["pinned"],
    )


@PROPERTIES
@given(cohorts())
def test_the_result_is_the_exhaustive_optimum(cohort):
    solution = run(cohort)
    count, total = exhaustive_optimum(cohort)
    assert solution.matched_count == count
    assert solution.total_score == pytest.approx(total, rel=0, abs=1e-9)

    # The greedy pass can never do better, only as well or worse.
    quick = run(cohort, greedy)
    assert quick.matched_count <= count
    if quick.matched_count == count:
        assert quick.total_score <= total + 1e-9


@PROPERTIES
@given(cohorts())
def test_no_result_breaks_a_hard_rule_and_pins_are_kept(cohort):
    solution = run(cohort)
    mentors = {m.id: m for m in cohort["mentors"]}
    mentees = {e.id: e for e in cohort["mentees"]}
    taken = {mentor_id: 0 for mentor_id in mentors}
    for mentor_id, mentee_id, breakdown in solution.pairs:
        m, e = mentors[mentor_id], mentees[mentee_id]
        assert naive_eligible(m, e, cohort["managers"], cohort["excluded"])
        assert breakdown == score_pair(m, e, cohort["weights"])
        taken[mentor_id] += 1
    assert all(taken[mentor_id] <= mentors[mentor_id].capacity for mentor_id in mentors)

    matched = [mentee_id for _, mentee_id, _ in solution.pairs]
    assert len(matched) == len(set(matched))
    assert set(cohort["pinned"]) <= set(pair_ids(solution))
    assert sorted(matched + [mentee_id for mentee_id, _ in solution.unmatched]) == sorted(mentees)
    assert solution.total_score == pytest.approx(sum(b.total for _, _, b in solution.pairs))

    # "At capacity" must be true: every eligible mentor of that mentee is full.
    for mentee_id, reason in solution.unmatched:
        eligible = [
            m
            for m in mentors.values()
            if naive_eligible(m, mentees[mentee_id], cohort["managers"], cohort["excluded"])
        ]
        if reason.code == UnmatchedReason.AT_CAPACITY:
            assert eligible
            assert all(taken[m.id] == m.capacity for m in eligible)
        else:
            assert not eligible


@PROPERTIES
@given(cohorts(), st.randoms(use_true_random=False))
def test_the_same_input_gives_the_same_pairs(cohort, rnd):
    first = run(cohort)
    assert run(cohort).pairs == first.pairs

    shuffled = dict(cohort)
    shuffled["mentors"] = rnd.sample(cohort["mentors"], len(cohort["mentors"]))
    shuffled["mentees"] = rnd.sample(cohort["mentees"], len(cohort["mentees"]))
    items = list(cohort["managers"].items())
    rnd.shuffle(items)
    shuffled["managers"] = dict(items)
    shuffled["excluded"] = list(cohort["excluded"])
    rnd.shuffle(shuffled["excluded"])
    again = run(shuffled)
    assert again.pairs == first.pairs
    assert again.unmatched == first.unmatched
    assert again.total_score == first.total_score


@PROPERTIES
@given(cohorts(), st.integers(0, 3))
def test_alternatives_are_the_eligible_mentors_best_first(cohort, k):
    built = Cohort.build(
        cohort["mentors"],
        cohort["mentees"],
        cohort["weights"],
        cohort["managers"],
        cohort["excluded"],
    )
    every = built.all_alternatives(k)
    for e in cohort["mentees"]:
        expected = sorted(
            (
                (m.id, score_pair(m, e, cohort["weights"]).total)
                for m in cohort["mentors"]
                if naive_eligible(m, e, cohort["managers"], cohort["excluded"])
            ),
            key=lambda ranked: (-ranked[1], ranked[0]),
        )
        if k:
            expected = expected[:k]
        assert built.alternatives(e.id, k) == expected
        assert every[e.id] == expected


# --- The objective on examples ----------------------------------------------------------------


def test_greedy_loses_a_mentee_the_optimum_matches():
    # Mentee 10 prefers mentor 1 but can take 2; mentee 11 can only take 1 (language).
    mentors = [mentor(1, {1: 3}, languages=("en", "vi")), mentor(2, {1: 1}, languages=("en",))]
    mentees = [mentee(10, {1: 3}, languages=("en",)), mentee(11, {1: 1}, languages=("vi",))]

    quick = greedy(mentors, mentees, Weights(), {})
    assert pair_ids(quick) == [(1, 10)]
    assert texts(quick.unmatched) == [(11, "all eligible mentors are at capacity")]

    best = solve(mentors, mentees, Weights(), {})
    assert pair_ids(best) == [(1, 11), (2, 10)]
    assert best.unmatched == []


def test_greedy_scores_less_than_the_optimum_with_everyone_matched():
    mentors = [mentor(1, {1: 3, 2: 3}), mentor(2, {1: 2, 2: 1})]
    mentees = [mentee(10, {1: 2}), mentee(11, {2: 3})]
    quick = greedy(mentors, mentees, Weights(1, 0, 0, 0), {})
    best = solve(mentors, mentees, Weights(1, 0, 0, 0), {})
    assert pair_ids(quick) == [(1, 10), (2, 11)]  # 6 + 3
    assert pair_ids(best) == [(1, 11), (2, 10)]  # 9 + 4
    assert (quick.total_score, best.total_score) == (9.0, 13.0)


def test_matching_one_more_mentee_beats_any_score():
    # Mentor 1 with mentee 10 scores 81; but then 11, who can only take mentor 1, is left out.
    mentors = [
        mentor(1, {t: 3 for t in range(1, 10)}, languages=("en", "tr")),
        mentor(2, languages=("en",)),
    ]
    mentees = [
        mentee(10, {t: 3 for t in range(1, 10)}, languages=("en",)),
        mentee(11, languages=("tr",)),
    ]
    best = solve(mentors, mentees, Weights(topic=1, language=0, time_zone=0, department=0), {})
    assert pair_ids(best) == [(1, 11), (2, 10)]
    assert best.total_score == 0


def test_capacity_counts_pins_and_the_solver():
    mentors = [mentor(1, {1: 3}, capacity=2)]
    mentees = [mentee(10, {1: 3}), mentee(11, {1: 2}), mentee(12, {1: 1})]
    best = solve(mentors, mentees, Weights(), {}, pinned={(1, 12)})
    assert pair_ids(best) == [(1, 10), (1, 12)]
    assert texts(best.unmatched) == [(11, "all eligible mentors are at capacity")]


def test_a_pin_is_kept_whatever_its_score():
    mentors = [mentor(1, {1: 3})]
    mentees = [mentee(10, {1: 3}), mentee(11)]
    assert pair_ids(solve(mentors, mentees, Weights(), {})) == [(1, 10)]
    assert pair_ids(solve(mentors, mentees, Weights(), {}, pinned={(1, 11)})) == [(1, 11)]


def test_ties_are_broken_the_same_way_every_time():
    mentors = [mentor(pid, capacity=1) for pid in (5, 3, 9)]
    mentees = [mentee(pid) for pid in (40, 20, 30)]
    first = solve(mentors, mentees, Weights(), {})
    assert len(first.pairs) == 3
    assert pair_ids(solve(mentors[::-1], mentees[::-1], Weights(), {})) == pair_ids(first)


def test_an_empty_cohort():
    assert solve([], [], Weights(), {}).pairs == []
    no_mentors = solve([], [mentee(10, languages=("ja",))], Weights(), {})
    assert texts(no_mentors.unmatched) == [(10, "no mentor shares a language: speaks ja")]
    no_mentees = solve([mentor(1)], [], Weights(), {})
    assert (no_mentees.pairs, no_mentees.unmatched, no_mentees.total_score) == ([], [], 0)


def test_duplicate_ids_are_refused():
    with pytest.raises(ValueError, match="mentee ids appear more than once"):
        solve([mentor(1)], [mentee(10), mentee(10)], Weights(), {})


# --- Unmatched reasons -------------------------------------------------------------------------

ORG = {1: None, 2: 1, 3: 2}  # user 3 reports to 2, who reports to 1


def texts(unmatched):
    """Unmatched mentees with their reasons put into words."""
    return [(mentee_id, str(reason)) for mentee_id, reason in unmatched]


def reason_for(mentors, mentees, managers=None, excluded=()) -> str:
    solution = solve(mentors, mentees, Weights(), managers or {}, excluded=set(excluded))
    [(mentee_id, reason)] = solution.unmatched
    assert mentee_id == 10
    return str(reason)


def test_reason_no_mentor_shares_a_language():
    mentors = [mentor(1, languages=("en",)), mentor(2, languages=("vi", "tr"))]
    assert reason_for(mentors, [mentee(10, languages=("ja", "ko"))]) == (
        "no mentor shares a language: speaks ja, ko"
    )
    assert reason_for(mentors, [mentee(10, languages=())]) == (
        "no mentor shares a language: no language in the profile"
    )


def test_reason_reporting_line():
    mentors = [
        mentor(1, user_id=3, languages=("en",)),  # reports (indirectly) to the mentee
        mentor(2, languages=("vi",)),
    ]
    assert reason_for(mentors, [mentee(10, user_id=1, languages=("en",))], ORG) == (
        "every mentor who shares a language is in the same reporting line"
    )


def test_reason_excluded_by_hr():
    mentors = [mentor(1), mentor(2)]
    assert reason_for(mentors, [mentee(10)], excluded={(1, 10), (2, 10)}) == (
        "every mentor who shares a language was excluded by HR"
    )


def test_reason_reporting_line_and_exclusions_together():
    mentors = [mentor(1, user_id=2), mentor(2)]
    assert reason_for(mentors, [mentee(10, user_id=3)], ORG, excluded={(2, 10)}) == (
        "every mentor who shares a language is in the same reporting line or was excluded by HR"
    )


def test_reason_at_capacity():
    mentors = [mentor(1, {1: 3})]
    solution = solve(mentors, [mentee(9, {1: 3}), mentee(10)], Weights(), {})
    assert texts(solution.unmatched) == [(10, "all eligible mentors are at capacity")]


# --- Pins that cannot be kept -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("pinned", "excluded", "message"),
    [
        ({(2, 10)}, set(), "p2@example.com and p10@example.com are pinned but share no language."),
        (
            {(3, 10)},
            set(),
            "p3@example.com and p10@example.com are pinned but are in one reporting line.",
        ),
        (
            {(1, 10)},
            {(1, 10)},
            "p1@example.com and p10@example.com are both pinned and excluded by HR.",
        ),
        (
            {(1, 10), (1, 11)},
            set(),
            "p1@example.com is pinned to 2 mentees but takes at most 1.",
        ),
        ({(1, 10), (4, 10)}, set(), "p10@example.com is pinned to 2 mentors; a mentee has one."),
        ({(7, 10)}, set(), "A pinned pair names mentor #7, who is not in the cohort."),
        ({(1, 77)}, set(), "A pinned pair names mentee #77, who is not in the cohort."),
    ],
)
def test_a_pin_that_breaks_a_rule_is_an_error(pinned, excluded, message):
    mentors = [
        mentor(1),
        mentor(2, languages=("vi",)),
        mentor(3, user_id=3),
        mentor(4, capacity=2),
    ]
    mentees = [mentee(10, user_id=1), mentee(11)]
    with pytest.raises(PinError) as error:
        solve(mentors, mentees, Weights(), ORG, excluded=excluded, pinned=pinned)
    assert error.value.problems == [message]


def test_every_bad_pin_is_reported_at_once():
    with pytest.raises(PinError) as error:
        greedy(
            [mentor(1), mentor(2, languages=("vi",))],
            [mentee(10), mentee(11)],
            Weights(),
            {},
            excluded={(1, 10)},
            pinned={(1, 10), (2, 11)},
        )
    assert len(error.value.problems) == 2


# --- Alternatives -----------------------------------------------------------------------------


def test_alternatives_rank_eligible_mentors_best_first_ties_by_id():
    mentors = [
        mentor(4, {1: 1}),
        mentor(3, {1: 1}),
        mentor(2, {1: 3}),
        mentor(1, {1: 3}, languages=("vi",)),  # not eligible: no shared language
        mentor(5, {1: 2}),
    ]
    mentees = [mentee(10, {1: 2}), mentee(11, {1: 3})]
    args = (mentors, mentees, Weights(), {})
    ranked = alternatives(10, 0, *args)
    assert [mentor_id for mentor_id, _ in ranked] == [2, 5, 3, 4]
    assert [score for _, score in ranked] == [7.5, 5.5, 3.5, 3.5]
    assert alternatives(10, 2, *args) == ranked[:2]
    assert alternatives(10, 1, *args, excluded={(2, 10)}) == [(5, 5.5)]

    cohort = Cohort.build(*args)
    assert cohort.all_alternatives(0) == {10: ranked, 11: cohort.alternatives(11)}
    # Capacity does not hide a mentor: HR may swap to make room.
    assert alternatives(11, 1, *args)[0][0] == 2


def test_alternative_scores_equal_the_pair_breakdowns():
    mentors = [mentor(1, {1: 3, 2: 1}, offset=5.5, department="IT"), mentor(2, {2: 2}, offset=-3)]
    mentees = [mentee(10, {1: 2, 2: 3}, offset=1, department="Board")]
    for mentor_id, score in alternatives(10, 0, mentors, mentees, Weights(1.3, 0.7, 2.1, 0.4), {}):
        [profile] = [m for m in mentors if m.id == mentor_id]
        assert score == score_pair(profile, mentees[0], Weights(1.3, 0.7, 2.1, 0.4)).total


# --- Purity -----------------------------------------------------------------------------------


def test_the_matching_core_imports_without_a_database_or_settings():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    code = (
        "import sys, matching.optimiser, matching.rules, matching.scoring; "
        "assert not any(m.startswith(('django.db', 'programs')) for m in sys.modules)"
    )
    subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        check=True,
    )
