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
from programs.models import Enrolment
from tests.factories import EnrolmentFactory, ProgramFactory

pytestmark = pytest.mark.django_db


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


# --- The cohort changes between a run and its approval --------------------------------------


def test_approval_is_refused_when_a_hand_pairing_would_overfill_a_mentor(cohort, hr_admin):
    program, people = cohort
    run = services.match_run_create(program=program, by=hr_admin).run
    suggestion = run.suggestions.select_related("mentor").first()
    Pair.objects.create(
        program=program,
        mentor=suggestion.mentor,
        mentee=EnrolmentFactory(program=program, role="mentee"),
    )
    with pytest.raises(ValidationError):
        services.match_run_approve(run=run, by=hr_admin)
    run.refresh_from_db()
    assert run.status == "proposed"
    assert Pair.objects.count() == 1


def test_approval_is_refused_after_an_exclusion_of_a_suggested_pair(cohort, hr_admin):
    program, people = cohort
    run = services.match_run_create(program=program, by=hr_admin).run
    suggestion = run.suggestions.first()
    PairRule.objects.create(
        program=program,
        mentor_id=suggestion.mentor_id,
        mentee_id=suggestion.mentee_id,
        kind="exclude",
    )
    with pytest.raises(ValidationError):
        services.match_run_approve(run=run, by=hr_admin)
    assert not Pair.objects.exists()


def test_a_rule_change_makes_the_proposed_run_stale(cohort, hr_admin):
    program, people = cohort
    run = services.match_run_create(program=program, by=hr_admin).run
    services.pair_rule_set(
        program=program,
        mentor=people["m_ai"],
        mentee=people["e_data"],
        kind="exclude",
        by=hr_admin,
    )
    run.refresh_from_db()
    assert run.status == "superseded"
    with pytest.raises(ValidationError):
        services.match_run_approve(run=run, by=hr_admin)


def test_approval_needs_the_program_in_matching_or_active(cohort, hr_admin):
    program, people = cohort
    run = services.match_run_create(program=program, by=hr_admin).run
    program.status = "enrolment"
    program.save()
    with pytest.raises(ValidationError):
        services.match_run_approve(run=run, by=hr_admin)
    assert not Pair.objects.exists()


def test_a_withdrawal_after_the_run_makes_it_stale(cohort, hr_admin):
    program, people = cohort
    run = services.match_run_create(program=program, by=hr_admin).run
    program_services.enrolment_withdraw(enrolment=people["e_ai"])
    with pytest.raises(ValidationError):
        services.match_run_approve(run=run, by=hr_admin)
    assert not Pair.objects.exists()


@pytest.mark.parametrize("case", ["withdrawn mentee", "mentor as mentee", "other program"])
def test_pairing_by_hand_checks_who_is_paired(cohort, hr_admin, case):
    program, people = cohort
    mentee = people["e_ai"]
    if case == "withdrawn mentee":
        Enrolment.objects.filter(pk=mentee.pk).update(status="withdrawn")
        mentee.refresh_from_db()
    elif case == "mentor as mentee":
        mentee = people["m_data"]
    else:
        mentee = EnrolmentFactory(program=ProgramFactory(status="active"), role="mentee")
    with pytest.raises(ValidationError):
        services.pair_create(program=program, mentor=people["m_ai"], mentee=mentee, by=hr_admin)
    assert not Pair.objects.exists()


def test_a_hand_made_pair_keeps_its_score(cohort, hr_admin):
    program, people = cohort
    pair = services.pair_create(
        program=program, mentor=people["m_ai"], mentee=people["e_ai"], by=hr_admin
    )
    assert pair.score > 0


def test_a_withdrawal_removes_the_persons_pins_and_exclusions(cohort, hr_admin):
    program, people = cohort
    services.pair_rule_set(
        program=program, mentor=people["m_data"], mentee=people["e_ai"], kind="pin", by=hr_admin
    )
    services.pair_rule_set(
        program=program,
        mentor=people["m_ai"],
        mentee=people["e_data"],
        kind="exclude",
        by=hr_admin,
    )
    program_services.enrolment_withdraw(enrolment=people["m_data"])
    assert list(PairRule.objects.values_list("mentor_id", flat=True)) == [people["m_ai"].pk]


def test_rules_are_only_for_approved_participants(cohort, hr_admin):
    program, people = cohort
    Enrolment.objects.filter(pk=people["e_ai"].pk).update(status="withdrawn")
    people["e_ai"].refresh_from_db()
    with pytest.raises(ValidationError):
        services.pair_rule_set(
            program=program,
            mentor=people["m_ai"],
            mentee=people["e_ai"],
            kind="pin",
            by=hr_admin,
        )
    assert not PairRule.objects.exists()


def test_a_time_zone_that_is_no_zone_does_not_stop_the_run(cohort, hr_admin):
    program, people = cohort
    Enrolment.objects.filter(pk=people["e_ai"].pk).update(time_zone="Europe")
    run = services.match_run_create(program=program, by=hr_admin).run
    assert run.suggestions.count() == 3


def test_each_side_gets_the_introduction_in_their_own_language(
    cohort, hr_admin, django_capture_on_commit_callbacks, celery_eager
):
    program, people = cohort
    people["e_ai"].user.preferred_language = "tr"
    people["e_ai"].user.save()
    people["m_ai"].user.preferred_language = "vi"
    people["m_ai"].user.save()
    services.pair_rule_set(
        program=program, mentor=people["m_ai"], mentee=people["e_ai"], kind="pin", by=hr_admin
    )
    run = services.match_run_create(program=program, by=hr_admin).run
    with django_capture_on_commit_callbacks(execute=True):
        services.match_run_approve(run=run, by=hr_admin)
    from django.utils import translation

    def subject_in(language, partner):
        with translation.override(language):
            return translation.gettext("Meet %(partner)s, your partner in %(program)s") % {
                "partner": partner.user.full_name,
                "program": program.name,
            }

    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects["e-ai@example.com"] == subject_in("tr", people["m_ai"])
    assert subjects["m-ai@example.com"] == subject_in("vi", people["e_ai"])
    assert subject_in("tr", people["m_ai"]) != subject_in("en", people["m_ai"])


def test_the_match_json_has_exactly_the_documented_shape(cohort):
    program, people = cohort
    out = StringIO()
    call_command("match", "cohort", "--json", "--alternatives", "0", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    report = json.loads(lines[0])
    assert set(report) == {
        "program",
        "run",
        "total_score",
        "pairs",
        "unmatched_mentees",
        "alternatives",
    }
    assert isinstance(report["run"], int) and isinstance(report["total_score"], float)
    for pair in report["pairs"]:
        assert set(pair) == {"mentor", "mentee", "score", "shared_topics"}
        assert isinstance(pair["score"], float) and isinstance(pair["shared_topics"], list)
    # The optimiser adds with math.fsum; a plain sum may differ in the last bit.
    assert report["total_score"] == pytest.approx(
        sum(pair["score"] for pair in report["pairs"]), abs=1e-9
    )
    # K=0: every eligible mentor. The boss manages m-social, so has exactly the other two.
    assert sorted(a["mentor"] for a in report["alternatives"]["boss@example.com"]) == [
        "m-ai@example.com",
        "m-data@example.com",
    ]
    assert all(
        len(choices) == 3
        for mentee, choices in report["alternatives"].items()
        if mentee != "boss@example.com"
    )
    scores = [a["score"] for a in report["alternatives"]["e-ai@example.com"]]
    assert scores == sorted(scores, reverse=True)


def test_the_match_json_lists_unmatched_mentees_with_a_reason(cohort):
    program, people = cohort
    Enrolment.objects.filter(pk=people["e_data"].pk).update(languages=["ja"])
    out = StringIO()
    call_command("match", "cohort", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["unmatched_mentees"] == [
        {"mentee": "e-data@example.com", "reason": "no mentor shares a language: speaks ja"}
    ]
