"""Matching as work with side effects: run the optimiser and store the run, HR's pins and
exclusions, approving a run into pairs (with introduction mails), re-matching one mentee, and
ending pairs when a participant withdraws."""

import contextlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from matching.loading import LoadedCohort, load_cohort, utc_offset_hours
from matching.models import MatchRun, Pair, PairRule, Suggestion, UnmatchedMentee
from matching.optimiser import Cohort, PinError, Solution
from matching.scoring import MenteeProfile, Person, Weights
from programs import services as program_services
from programs.models import Enrolment, EnrolmentStatus, Program, ProgramStatus, Role

# Matching is for programs whose cohort is settled; re-matching one mentee also while active.
RUN_STATUSES = (ProgramStatus.MATCHING, ProgramStatus.ACTIVE)


@dataclass(frozen=True)
class RunOutcome:
    run: MatchRun
    solution: Solution
    cohort: Cohort
    loaded: LoadedCohort


def _cohort_for(program: Program, weights: Weights) -> tuple[LoadedCohort, Cohort]:
    loaded = load_cohort(program)
    cohort = Cohort.build(loaded.mentors, loaded.mentees, weights, loaded.managers, loaded.excluded)
    return loaded, cohort


def _pins_in(loaded: LoadedCohort) -> set[tuple[int, int]]:
    """Pins of people still in the cohort (a withdrawn mentor's pin no longer applies)."""
    mentors = {mentor.id for mentor in loaded.mentors}
    mentees = {mentee.id for mentee in loaded.mentees}
    return {
        (mentor, mentee)
        for mentor, mentee in loaded.pinned
        if mentor in mentors and mentee in mentees
    }


@transaction.atomic
def match_run_create(*, program: Program, by, weights: Weights | None = None) -> RunOutcome:
    """Run the optimiser over the program's cohort and store the run with its suggestions and
    the reasons for every mentee left out. Approves nothing."""
    program = Program.objects.select_for_update().get(pk=program.pk)
    if program.status not in RUN_STATUSES:
        raise ValidationError(
            _("Matching runs once enrolment is closed: move the program to matching first.")
        )
    weights = weights or Weights()
    loaded, cohort = _cohort_for(program, weights)
    try:
        solution = cohort.solve(_pins_in(loaded))
    except PinError as error:
        raise ValidationError(error.problems) from error
    pins = _pins_in(loaded)
    MatchRun.objects.filter(program=program, status=MatchRun.Status.PROPOSED).update(
        status=MatchRun.Status.SUPERSEDED
    )
    run = MatchRun.objects.create(
        program=program,
        created_by=by,
        parameters={
            "weights": weights.as_dict(),
            "mentors": len(loaded.mentors),
            "mentees": len(loaded.mentees),
            "pins": len(pins),
            "exclusions": len(loaded.excluded),
        },
        total_score=solution.total_score,
        solver_seconds=solution.solver_seconds,
    )
    Suggestion.objects.bulk_create(
        Suggestion(
            run=run,
            mentor_id=mentor_id,
            mentee_id=mentee_id,
            score=breakdown.total,
            breakdown=breakdown.as_dict(),
            pinned=(mentor_id, mentee_id) in pins,
        )
        for mentor_id, mentee_id, breakdown in solution.pairs
    )
    UnmatchedMentee.objects.bulk_create(
        UnmatchedMentee(
            run=run,
            mentee_id=mentee_id,
            reason=reason.code,
            details={"languages": list(reason.languages)},
        )
        for mentee_id, reason in solution.unmatched
    )
    return RunOutcome(run=run, solution=solution, cohort=cohort, loaded=loaded)


def alternatives_for(
    *, program: Program, mentee: Enrolment, k: int = 0
) -> list[tuple[Enrolment, float]]:
    """The eligible mentors of one mentee, best score first (k=0: all of them), with the weights
    of the program's latest run."""
    run = MatchRun.objects.filter(program=program).first()
    weights = Weights(**run.parameters["weights"]) if run else Weights()
    loaded = load_cohort(program)
    # The mentee may already have a pair (HR looks at alternatives before approving, or to
    # compare): score them all the same.
    if mentee.pk not in {m.id for m in loaded.mentees}:
        loaded = _with_mentee(program, loaded, mentee)
    cohort = Cohort.build(loaded.mentors, loaded.mentees, weights, loaded.managers, loaded.excluded)
    return [
        (loaded.enrolments[mentor_id], score)
        for mentor_id, score in cohort.alternatives(mentee.pk, k)
    ]


def _with_mentee(program: Program, loaded: LoadedCohort, mentee: Enrolment) -> LoadedCohort:
    topics = dict(mentee.learn_topics.values_list("topic_id", "priority"))
    profile = MenteeProfile(
        person=Person(
            id=mentee.pk,
            email=mentee.user.email,
            languages=tuple(mentee.languages),
            utc_offset_hours=utc_offset_hours(
                mentee.time_zone or mentee.user.time_zone, program.start_date
            ),
            department=mentee.user.department,
            manager_id=mentee.user.manager_id,
            user_id=mentee.user_id,
        ),
        topics=topics,
    )
    return LoadedCohort(
        mentors=loaded.mentors,
        mentees=[*loaded.mentees, profile],
        managers=loaded.managers,
        excluded=loaded.excluded,
        pinned=loaded.pinned,
        enrolments={**loaded.enrolments, mentee.pk: mentee},
    )


@transaction.atomic
def pair_rule_set(
    *, program: Program, mentor: Enrolment, mentee: Enrolment, kind: str, by
) -> PairRule:
    """Pin a pair (kept by every later run; it replaces the mentee's earlier pin) or exclude it
    (never proposed again)."""
    if mentor.program_id != program.pk or mentee.program_id != program.pk:
        raise ValidationError(_("Both people must be in this program."))
    if mentor.role != Role.MENTOR or mentee.role != Role.MENTEE:
        raise ValidationError(_("A pair is a mentor and a mentee."))
    if kind == PairRule.Kind.PIN:
        PairRule.objects.filter(mentee=mentee, kind=PairRule.Kind.PIN).exclude(
            mentor=mentor
        ).delete()
    rule, _created = PairRule.objects.update_or_create(
        mentor=mentor,
        mentee=mentee,
        defaults={"program": program, "kind": kind, "created_by": by},
    )
    return rule


@transaction.atomic
def pair_rule_remove(*, rule: PairRule) -> None:
    rule.delete()


@transaction.atomic
def match_run_approve(*, run: MatchRun, by) -> list[Pair]:
    """Turn the run's suggestions into pairs, move the program on when every mentee has a
    mentor, and mail each side an introduction. Only the latest proposed run can be approved,
    once: a second click finds it approved already."""
    claimed = MatchRun.objects.filter(pk=run.pk, status=MatchRun.Status.PROPOSED).update(
        status=MatchRun.Status.APPROVED, approved_at=timezone.now(), approved_by=by
    )
    if claimed != 1:
        raise ValidationError(_("This run was approved or replaced by a newer run already."))
    run.refresh_from_db()
    taken = Pair.objects.active().filter(mentee=OuterRef("mentee_id"))
    suggestions = list(
        run.suggestions.annotate(already=Exists(taken)).filter(
            already=False,
            mentor__status=EnrolmentStatus.APPROVED,
            mentee__status=EnrolmentStatus.APPROVED,
        )
    )
    pairs = Pair.objects.bulk_create(
        Pair(
            program_id=run.program_id,
            mentor_id=s.mentor_id,
            mentee_id=s.mentee_id,
            run=run,
            score=s.score,
        )
        for s in suggestions
    )
    _start_when_everyone_is_paired(run.program)
    _introduce(pairs)
    return pairs


def _start_when_everyone_is_paired(program: Program) -> None:
    """Move a program in matching to active once no approved mentee is left without a mentor;
    until then it waits in matching, and HR sees who is left and why."""
    if program.status == ProgramStatus.MATCHING:
        with contextlib.suppress(program_services.TransitionRefused):
            program_services.program_transition(program=program, target=ProgramStatus.ACTIVE)


def _introduce(pairs: list[Pair]) -> None:
    from matching.tasks import send_introduction_mails

    for pair in pairs:
        send_introduction_mails.delay_on_commit(pair.pk)


@transaction.atomic
def pair_create(*, program: Program, mentor: Enrolment, mentee: Enrolment, by) -> Pair:
    """Pair one mentee by hand (re-matching after a mentor left): the hard rules and the
    mentor's remaining capacity still apply."""
    program = Program.objects.select_for_update().get(pk=program.pk)
    if program.status not in RUN_STATUSES:
        raise ValidationError(_("Pairs are made once the program is in matching or active."))
    eligible = {
        enrolment.pk for enrolment, _score in alternatives_for(program=program, mentee=mentee)
    }
    if mentor.pk not in eligible:
        raise ValidationError(
            _("%(mentor)s cannot be paired with %(mentee)s: the rules of the program forbid it.")
            % {"mentor": mentor.user, "mentee": mentee.user}
        )
    if Pair.objects.active().filter(mentee=mentee).exists():
        raise ValidationError(_("%(mentee)s already has a mentor.") % {"mentee": mentee.user})
    if Pair.objects.active().filter(mentor=mentor).count() >= program.mentor_capacity:
        raise ValidationError(
            _("%(mentor)s has no room for another mentee.") % {"mentor": mentor.user}
        )
    pair = Pair.objects.create(program=program, mentor=mentor, mentee=mentee)
    _introduce([pair])
    _start_when_everyone_is_paired(program)
    return pair


def end_pairs_of(enrolment: Enrolment) -> int:
    """End the active pairs of someone who withdrew (called inside their withdrawal, so both
    happen or neither). Their partners become free to be matched again."""
    return (
        Pair.objects.active()
        .filter(Q(mentor=enrolment) | Q(mentee=enrolment))
        .update(
            status=Pair.Status.ENDED,
            ended_at=timezone.now(),
            ended_reason=_("%(name)s withdrew from the program.") % {"name": enrolment.user},
        )
    )


def unmatched_mentees_count(program: Program) -> int:
    """Approved mentees of the program without an active pair (the lifecycle asks)."""
    paired = Pair.objects.active().filter(mentee=OuterRef("pk"))
    return (
        Enrolment.objects.filter(program=program, role=Role.MENTEE, status=EnrolmentStatus.APPROVED)
        .exclude(Exists(paired))
        .count()
    )
