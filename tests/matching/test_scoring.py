"""The score of a pair: each component, the weights, the vectorised matrix against the pair-by-pair
function, and the one-line explanation. No database."""

import json
import random

import numpy as np
import pytest
from django.utils import translation

from matching.scoring import (
    Breakdown,
    MenteeProfile,
    MentorProfile,
    Person,
    Weights,
    overlap_hours,
    score_matrix,
    score_pair,
    shared_language_counts,
)


def person(
    pid: int,
    languages: tuple[str, ...] = ("en",),
    offset: float = 0.0,
    department: str = "",
) -> Person:
    return Person(
        id=pid,
        email=f"p{pid}@example.com",
        languages=languages,
        utc_offset_hours=offset,
        department=department,
        manager_id=None,
        user_id=1000 + pid,
    )


def mentor(pid: int, topics=None, capacity: int = 1, **kwargs) -> MentorProfile:
    return MentorProfile(person(pid, **kwargs), capacity, topics or {})


def mentee(pid: int, topics=None, **kwargs) -> MenteeProfile:
    return MenteeProfile(person(pid, **kwargs), topics or {})


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_topic_points_are_level_times_priority_summed_over_shared_topics():
    breakdown = score_pair(mentor(1, {1: 3, 2: 1, 3: 2}), mentee(2, {1: 2, 2: 3, 4: 3}), Weights())
    assert breakdown.topic == 3 * 2 + 1 * 3
    # Strongest shared topic first; topic 4 (not taught) and 3 (not wanted) do not count.
    assert breakdown.shared_topic_ids == (1, 2)


def test_pair_without_a_shared_topic_scores_zero_for_topics_but_still_scores():
    breakdown = score_pair(mentor(1, {1: 3}), mentee(2, {2: 3}), Weights())
    assert breakdown.topic == 0
    assert breakdown.shared_topics == ()
    assert breakdown.total == pytest.approx(0.5 + 1.0)  # one language, same time zone


@pytest.mark.parametrize(
    ("mentor_languages", "mentee_languages", "expected"),
    [
        (("en",), ("vi",), 0.0),
        (("en", "vi"), ("vi", "tr"), 0.5),
        (("en", "vi", "tr"), ("tr", "vi"), 1.0),
        (("pt-BR", "EN"), ("pt", "en"), 1.0),
    ],
)
def test_language_component(mentor_languages, mentee_languages, expected):
    breakdown = score_pair(
        mentor(1, languages=mentor_languages), mentee(2, languages=mentee_languages), Weights()
    )
    assert breakdown.language == expected


def test_languages_are_normalised_to_primary_subtags():
    assert person(1, languages=("pt-BR", " EN ", "en", "")).languages == ("en", "pt")


@pytest.mark.parametrize(
    ("a", "b", "hours"),
    [
        (0, 0, 8),
        (0, 3, 5),
        (7, 0, 1),
        (0, 8, 0),
        (0, 12, 0),
        (5.5, 0, 2.5),
        (-3, 3, 2),
        # 26 h apart on paper, 2 h round the clock: Monday afternoon meets Tuesday morning.
        (14, -12, 6),
    ],
)
def test_working_day_overlap(a, b, hours):
    assert overlap_hours(a, b) == hours
    assert overlap_hours(b, a) == hours


def test_time_zone_component_is_the_shared_fraction_of_the_working_day():
    breakdown = score_pair(mentor(1, offset=7), mentee(2, offset=3), Weights())
    assert breakdown.overlap_hours == 4
    assert breakdown.time_zone == 0.5


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("IT", "Sales", 1.0), ("IT", " it ", 0.0), ("", "Sales", 0.0), ("", "", 0.0)],
)
def test_department_counts_only_when_both_are_known_and_differ(a, b, expected):
    breakdown = score_pair(mentor(1, department=a), mentee(2, department=b), Weights())
    assert breakdown.department == expected


def test_weights_scale_each_component():
    pair = (
        mentor(1, {1: 2}, languages=("en", "vi"), offset=0, department="IT"),
        mentee(2, {1: 3}, languages=("en", "vi"), offset=4, department="Sales"),
    )
    weights = Weights(topic=2.0, language=3.0, time_zone=4.0, department=5.0)
    breakdown = score_pair(*pair, weights)
    assert (breakdown.topic, breakdown.language, breakdown.time_zone, breakdown.department) == (
        6.0,
        1.0,
        0.5,
        1.0,
    )
    assert breakdown.total == pytest.approx(2 * 6 + 3 * 1 + 4 * 0.5 + 5 * 1)
    assert score_pair(*pair, Weights(0, 0, 0, 0)).total == 0


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_weights_must_be_finite_and_not_negative(bad):
    with pytest.raises(ValueError, match="topic"):
        Weights(topic=bad)


def _random_profiles(rng: random.Random, n_mentors: int, n_mentees: int):
    def random_person(pid: int) -> Person:
        return person(
            pid,
            languages=tuple(rng.sample(["en", "vi", "tr", "ja", "de"], rng.randint(0, 3))),
            offset=rng.choice([-12, -5, -3.5, 0, 0, 1, 3, 5.75, 7, 9, 14]),
            department=rng.choice(["", "IT", "it", "Sales", "Finance"]),
        )

    def random_topics() -> dict[int, int]:
        return {t: rng.randint(1, 3) for t in rng.sample(range(1, 20), rng.randint(0, 5))}

    mentors = [
        MentorProfile(random_person(pid), rng.randint(1, 3), random_topics())
        for pid in range(1, n_mentors + 1)
    ]
    mentees = [
        MenteeProfile(random_person(pid), random_topics()) for pid in range(100, 100 + n_mentees)
    ]
    return mentors, mentees


@pytest.mark.parametrize("seed", range(5))
def test_score_matrix_equals_score_pair_cell_by_cell(seed):
    rng = random.Random(seed)
    mentors, mentees = _random_profiles(rng, 37, 41)
    weights = Weights(*(rng.uniform(0, 3) for _ in range(4)))
    matrix = score_matrix(mentors, mentees, weights)
    assert matrix.shape == (41, 37)
    assert matrix.dtype == np.float64
    expected = np.array([[score_pair(m, e, weights).total for m in mentors] for e in mentees])
    # Same operations in the same order: equal to the last bit, not merely close.
    np.testing.assert_array_equal(matrix, expected)


def test_shared_language_counts():
    mentors = [mentor(1, languages=("en", "vi")), mentor(2, languages=("ja",))]
    mentees = [mentee(3, languages=("vi", "en", "tr")), mentee(4, languages=())]
    assert shared_language_counts(mentors, mentees).tolist() == [[2, 0], [0, 0]]


@pytest.mark.parametrize(("n_mentors", "n_mentees"), [(0, 0), (0, 3), (3, 0)])
def test_score_matrix_of_an_empty_side(n_mentors, n_mentees):
    mentors, mentees = _random_profiles(random.Random(0), n_mentors, n_mentees)
    assert score_matrix(mentors, mentees, Weights()).shape == (n_mentees, n_mentors)


def test_explain_names_topics_languages_hours_and_departments():
    breakdown = score_pair(
        mentor(1, {7: 3, 8: 1}, languages=("en", "vi"), offset=7, department="IT"),
        mentee(2, {7: 2, 8: 1}, languages=("vi", "en"), offset=5, department="Board"),
        Weights(),
    )
    assert breakdown.explain({7: "AI and automation tools", 8: "Social media"}) == (
        "Shares AI and automation tools (level 3 × priority 2), Social media (level 1 × priority"
        " 1); 2 shared languages (en, vi); 6 h of working day in common; different departments"
    )


def test_explain_without_shared_topic_names_unknown_topics_and_minutes():
    poor = score_pair(mentor(1, {1: 3}), mentee(2, {2: 3}, offset=12), Weights())
    assert poor.explain({}) == (
        "No shared topic; 1 shared language (en); no working hours in common"
    )
    unnamed = score_pair(mentor(1, {5: 2}), mentee(2, {5: 1}, offset=5.75), Weights())
    assert unnamed.explain({}) == (
        "Shares topic #5 (level 2 × priority 1); 1 shared language (en); "
        "2 h 15 min of working day in common"
    )


def test_breakdown_is_json_ready():
    breakdown = score_pair(mentor(1, {1: 2}), mentee(2, {1: 2}), Weights())
    assert isinstance(breakdown, Breakdown)
    data = json.loads(json.dumps(breakdown.as_dict()))
    assert data["shared_topics"] == [{"topic": 1, "level": 2, "priority": 2}]
    assert data["total"] == breakdown.total
