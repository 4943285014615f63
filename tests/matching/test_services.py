"""Matching against the database: runs stored with suggestions and reasons, pins and exclusions
kept by re-runs, approval into pairs with introductions, re-matching, withdrawals, the command."""

import json
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from matching import services
from matching.models import MatchRun, Pair, PairRule
from programs import services as program_services
from programs.models import Enrolment, Topic
from tests.factories import EnrolmentFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(hr_admin):
    """A program in matching: three mentors, three mentees; one mentee manages one mentor."""
    program = ProgramFactory(status="matching", slug="cohort", topics=Topic.objects.all()[:3])
    ai, social, data = program.topics.order_by("pk")
    boss = UserFactory(email="boss@example.com", full_name="Boss Mentee", department="Sales")
    people = {
        "m_ai": EnrolmentFactory(
            program=program,
            role="mentor",
            topics=[ai],
            user=UserFactory(email="m-ai@example.com", department="IT"),
        ),
        "m_social": EnrolmentFactory(
            program=program,
            role="mentor",
            topics=[social],
            user=UserFactory(email="m-social@example.com", department="Marketing", manager=boss),
        ),
        "m_data": EnrolmentFactory(
            program=program,
            role="mentor",
            topics=[data],
            user=UserFactory(email="m-data@example.com", department="Data"),
        ),
        "e_social": EnrolmentFactory(program=program, role="mentee", topics=[social], user=boss),
        "e_ai": EnrolmentFactory(
            program=program,
            role="mentee",
            topics=[ai],
            user=UserFactory(email="e-ai@example.com", department="Board"),
        ),
        "e_data": EnrolmentFactory(
            program=program,
            role="mentee",
            topics=[data],
            user=UserFactory(email="e-data@example.com", department="Finance"),
        ),
    }
    return program, people


def _pairs(run):
    return {(s.mentor.user.email, s.mentee.user.email) for s in run.suggestions.all()}


def test_a_run_is_stored_with_its_suggestions_and_never_pairs_inside_a_reporting_line(
    cohort, hr_admin
):
    program, people = cohort
    outcome = services.match_run_create(program=program, by=hr_admin)
    run = outcome.run
    assert run.created_by == hr_admin
    assert run.status == "proposed"
    pairs = _pairs(run)
    assert ("m-social@example.com", "boss@example.com") not in pairs
    assert ("m-ai@example.com", "e-ai@example.com") in pairs
    assert len(pairs) == 3
    assert run.total_score == pytest.approx(sum(s.score for s in run.suggestions.all()))
    assert run.parameters["weights"] == {
        "topic": 1.0,
        "language": 1.0,
        "time_zone": 1.0,
        "department": 1.0,
    }
    assert not Pair.objects.exists()


def test_unmatched_mentees_are_stored_with_a_reason(cohort, hr_admin):
    program, people = cohort
    Enrolment.objects.filter(pk=people["e_data"].pk).update(languages=["ja"])
    run = services.match_run_create(program=program, by=hr_admin).run
    [left] = run.unmatched.all()
    assert left.mentee_id == people["e_data"].pk
    assert left.reason == "no_shared_language"
    assert left.details == {"languages": ["ja"]}


def test_a_new_run_supersedes_the_proposed_one(cohort, hr_admin):
    program, _ = cohort
    first = services.match_run_create(program=program, by=hr_admin).run
    second = services.match_run_create(program=program, by=hr_admin).run
    first.refresh_from_db()
    assert (first.status, second.status) == ("superseded", "proposed")


def test_pins_and_exclusions_are_kept_by_the_next_run(cohort, hr_admin):
    program, people = cohort
    services.pair_rule_set(
        program=program, mentor=people["m_data"], mentee=people["e_ai"], kind="pin", by=hr_admin
    )
    services.pair_rule_set(
        program=program, mentor=people["m_ai"], mentee=people["e_data"], kind="exclude", by=hr_admin
    )
    run = services.match_run_create(program=program, by=hr_admin).run
    pairs = _pairs(run)
    assert ("m-data@example.com", "e-ai@example.com") in pairs
    assert ("m-ai@example.com", "e-data@example.com") not in pairs
    assert run.suggestions.get(mentee=people["e_ai"]).pinned


def test_a_new_pin_replaces_the_mentees_earlier_pin(cohort, hr_admin):
    program, people = cohort
    for mentor in ("m_ai", "m_data"):
        services.pair_rule_set(
            program=program, mentor=people[mentor], mentee=people["e_ai"], kind="pin", by=hr_admin
        )
    assert list(PairRule.objects.values_list("mentor_id", flat=True)) == [people["m_data"].pk]


def test_a_pin_inside_a_reporting_line_is_refused_with_the_reason(cohort, hr_admin):
    program, people = cohort
    services.pair_rule_set(
        program=program,
        mentor=people["m_social"],
        mentee=people["e_social"],
        kind="pin",
        by=hr_admin,
    )
    with pytest.raises(ValidationError):
        services.match_run_create(program=program, by=hr_admin)
    assert not MatchRun.objects.exists()


def test_matching_needs_a_program_in_matching(hr_admin, program):
    with pytest.raises(ValidationError):
        services.match_run_create(program=program, by=hr_admin)
    assert not MatchRun.objects.exists()


def test_approval_creates_pairs_starts_the_program_and_introduces_everyone(
    cohort, hr_admin, django_capture_on_commit_callbacks, celery_eager
):
    program, people = cohort
    run = services.match_run_create(program=program, by=hr_admin).run
    with django_capture_on_commit_callbacks(execute=True):
        pairs = services.match_run_approve(run=run, by=hr_admin)
    assert len(pairs) == 3
    program.refresh_from_db()
    assert program.status == "active"
    assert len(mail.outbox) == 6
    to_boss = next(m for m in mail.outbox if m.to == ["boss@example.com"])
    assert "your partner in" in to_boss.subject

    with pytest.raises(ValidationError):
        services.match_run_approve(run=run, by=hr_admin)
    assert Pair.objects.count() == 3


def test_a_program_with_unmatched_mentees_waits_in_matching(cohort, hr_admin, celery_eager):
    program, people = cohort
    Enrolment.objects.filter(pk=people["e_data"].pk).update(languages=["ja"])
    run = services.match_run_create(program=program, by=hr_admin).run
    services.match_run_approve(run=run, by=hr_admin)
    program.refresh_from_db()
    assert program.status == "matching"
    facts = program_services.program_facts(program)
    assert facts.unmatched_mentees == 1


def test_a_withdrawal_ends_the_pair_and_the_mentee_can_be_matched_again(
    cohort, hr_admin, celery_eager
):
    program, people = cohort
    run = services.match_run_create(program=program, by=hr_admin).run
    services.match_run_approve(run=run, by=hr_admin)
    pair = Pair.objects.get(mentee=people["e_ai"])
    program_services.enrolment_withdraw(enrolment=pair.mentor)
    pair.refresh_from_db()
    assert pair.status == "ended"
    assert "withdrew" in pair.ended_reason

    choices = services.alternatives_for(program=program, mentee=people["e_ai"])
    assert pair.mentor not in [mentor for mentor, _ in choices]
    # Every other mentor is full (capacity 1): HR raises the capacity or waits.
    with pytest.raises(ValidationError):
        services.pair_create(
            program=program, mentor=people["m_data"], mentee=people["e_ai"], by=hr_admin
        )
    program.mentor_capacity = 2
    program.save()
    new = services.pair_create(
        program=program, mentor=people["m_data"], mentee=people["e_ai"], by=hr_admin
    )
    assert new.status == "active"


def test_pairing_by_hand_keeps_the_hard_rules(cohort, hr_admin):
    program, people = cohort
    with pytest.raises(ValidationError):
        services.pair_create(
            program=program, mentor=people["m_social"], mentee=people["e_social"], by=hr_admin
        )
    assert not Pair.objects.exists()


def test_the_match_command_prints_one_json_object(cohort):
    program, people = cohort
    out = StringIO()
    call_command("match", "cohort", "--json", "--alternatives", "0", stdout=out)
    report = json.loads(out.getvalue())
    assert report["program"] == "cohort"
    assert report["run"] == MatchRun.objects.get().pk
    assert len(report["pairs"]) == 3
    assert report["total_score"] == pytest.approx(sum(p["score"] for p in report["pairs"]))
    assert report["unmatched_mentees"] == []
    # The boss's only language-sharing mentors include their own report, who is never eligible.
    assert "m-social@example.com" not in [
        a["mentor"] for a in report["alternatives"]["boss@example.com"]
    ]
    assert set(report["alternatives"]) == {
        "boss@example.com",
        "e-ai@example.com",
        "e-data@example.com",
    }
    assert not Pair.objects.exists()


def test_the_match_command_limits_alternatives(cohort):
    out = StringIO()
    call_command("match", "cohort", "--json", "--alternatives", "1", stdout=out)
    report = json.loads(out.getvalue())
    assert all(len(choices) == 1 for choices in report["alternatives"].values())


def test_the_match_command_refuses_unknown_programs():
    with pytest.raises(CommandError):
        call_command("match", "nope")
