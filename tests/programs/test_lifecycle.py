"""The lifecycle rules as plain functions: which moves exist and the reasons a move is refused."""

from dataclasses import replace
from datetime import date

import pytest

from programs import lifecycle

READY = lifecycle.ProgramFacts(
    status=lifecycle.DRAFT,
    start_date=date(2027, 1, 11),
    end_date=date(2027, 7, 9),
    enrolment_deadline=date(2027, 1, 4),
    topics_offered=3,
    enrolments=0,
    approved_mentors=4,
    approved_mentees=4,
    incomplete_profiles=0,
    unmatched_mentees=0,
)


@pytest.mark.parametrize(
    ("status", "target"),
    [
        ("draft", "enrolment"),
        ("draft", "archived"),
        ("enrolment", "matching"),
        ("matching", "enrolment"),
        ("matching", "active"),
        ("active", "completed"),
        ("completed", "archived"),
    ],
)
def test_allowed_moves_with_everything_in_place(status, target):
    assert lifecycle.refusal_reasons(replace(READY, status=status), target) == []


@pytest.mark.parametrize(
    ("status", "target"),
    [
        ("draft", "active"),
        ("draft", "matching"),
        ("enrolment", "active"),
        ("active", "draft"),
        ("active", "enrolment"),
        ("completed", "active"),
        ("archived", "draft"),
        ("archived", "enrolment"),
        ("enrolment", "nonsense"),
    ],
)
def test_illegal_moves_are_refused_with_a_reason(status, target):
    reasons = lifecycle.refusal_reasons(replace(READY, status=status), target)
    labels = {**lifecycle.STATUS_LABELS, "nonsense": "nonsense"}
    assert reasons == [f"cannot go from {labels[status]} to {labels[target]}"]


def test_enrolment_needs_topics_and_sane_dates():
    facts = replace(
        READY, topics_offered=0, end_date=date(2027, 1, 1), enrolment_deadline=date(2027, 2, 1)
    )
    assert lifecycle.refusal_reasons(facts, "enrolment") == [
        "cannot open enrolment: the program offers no topic",
        "cannot open enrolment: the end date is not after the start date",
        "cannot open enrolment: the enrolment deadline is after the start",
    ]


def test_matching_needs_approved_mentors_mentees_and_complete_profiles():
    facts = replace(
        READY, status="enrolment", approved_mentors=0, approved_mentees=0, incomplete_profiles=3
    )
    assert lifecycle.refusal_reasons(facts, "matching") == [
        "cannot start matching: no approved mentor",
        "cannot start matching: no approved mentee",
        "cannot start matching: 3 approved profiles are incomplete",
    ]


def test_starting_with_unmatched_mentees_says_how_many():
    facts = replace(READY, status="matching", unmatched_mentees=4)
    assert lifecycle.refusal_reasons(facts, "active") == ["cannot start: 4 mentees unmatched"]
    facts = replace(READY, status="matching", unmatched_mentees=1)
    assert lifecycle.refusal_reasons(facts, "active") == ["cannot start: 1 mentee unmatched"]


def test_back_to_draft_only_while_nobody_is_enrolled():
    facts = replace(READY, status="enrolment", enrolments=2)
    assert lifecycle.refusal_reasons(facts, "draft") == [
        "cannot go back to draft: 2 people are already enrolled"
    ]
    assert lifecycle.refusal_reasons(replace(facts, enrolments=0), "draft") == []
