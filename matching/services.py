"""Matching as work with side effects: run the optimiser and store the run, HR's pins and
exclusions, approving a run into pairs (with introduction mails), re-matching one mentee, and
ending pairs when a participant withdraws."""

import contextlib
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from matching.loading import LoadedCohort, load_cohort, person_from_enrolment
from matching.models import MatchRun, Pair, PairRule, Suggestion, UnmatchedMentee
from matching.optimiser import Cohort, PinError, Solution
from matching.rules import ReportingLineError
from matching.scoring import MenteeProfile, Weights
from mentorship.audit.services import audit_record
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
    try:
        loaded, cohort = _cohort_for(program, weights)
    except ReportingLineError as error:
        raise ValidationError(
            _("The org chart has a reporting line too deep to follow: %(error)s") % {"error": error}
        ) from error
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
    stored = run.parameters.get("weights") if run else None
    weights = Weights(**stored) if stored else Weights()
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
    profile = MenteeProfile(
        person=person_from_enrolment(mentee, program),
        topics=dict(mentee.learn_topics.values_list("topic_id", "priority")),
    )
    return LoadedCohort(
        mentors=loaded.mentors,
        mentees=[*loaded.mentees, profile],
        managers=loaded.managers,
        excluded=loaded.excluded,
        pinned=loaded.pinned,
        enrolments={**loaded.enrolments, mentee.pk: mentee},
    )


def _supersede_proposed_runs(program: Program) -> None:
    """A change to the cohort's pairs or rules makes a proposed run stale: HR runs again."""
    MatchRun.objects.filter(program=program, status=MatchRun.Status.PROPOSED).update(
        status=MatchRun.Status.SUPERSEDED
    )


def _check_pair_members(program: Program, mentor: Enrolment, mentee: Enrolment) -> None:
    if mentor.program_id != program.pk or mentee.program_id != program.pk:
        raise ValidationError(_("Both people must be in this program."))
    if mentor.role != Role.MENTOR or mentee.role != Role.MENTEE:
        raise ValidationError(_("A pair is a mentor and a mentee."))
    if mentor.status != EnrolmentStatus.APPROVED or mentee.status != EnrolmentStatus.APPROVED:
        raise ValidationError(_("Only approved participants can be paired."))


@transaction.atomic
def pair_rule_set(
    *, program: Program, mentor: Enrolment, mentee: Enrolment, kind: str, by
) -> PairRule:
    """Pin a pair (kept by every later run; it replaces the mentee's earlier pin) or exclude it
    (never proposed again)."""
    # The program's row is the lock every matching change takes: two clicks at once queue up
    # instead of colliding on the one-pin-per-mentee constraint.
    program = Program.objects.select_for_update().get(pk=program.pk)
    _check_pair_members(program, mentor, mentee)
    _supersede_proposed_runs(program)
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
    mentor, and mail each side an introduction.

    Only the latest proposed run of a program in matching or active can be approved, once; and
    only while the cohort is as the run saw it: if someone withdrew, was paired by hand or
    excluded since, the whole run is refused and HR runs matching again.
    """
    program = Program.objects.select_for_update().get(pk=run.program_id)
    if program.status not in RUN_STATUSES:
        raise ValidationError(_("Pairs are made once the program is in matching or active."))
    claimed = MatchRun.objects.filter(pk=run.pk, status=MatchRun.Status.PROPOSED).update(
        status=MatchRun.Status.APPROVED, approved_at=timezone.now(), approved_by=by
    )
    if claimed != 1:
        raise ValidationError(_("This run was approved or replaced by a newer run already."))
    suggestions = list(run.suggestions.select_related("mentor", "mentee"))
    _check_still_valid(program, suggestions)
    pairs = Pair.objects.bulk_create(
        Pair(
            program=program,
            mentor_id=s.mentor_id,
            mentee_id=s.mentee_id,
            run=run,
            score=s.score,
        )
        for s in suggestions
    )
    _start_when_everyone_is_paired(program)
    _introduce(pairs)
    audit_record(actor=by, action="approved", target=run, label=run.program.name, pairs=len(pairs))
    return pairs


def _check_still_valid(program: Program, suggestions: list[Suggestion]) -> None:
    stale = ValidationError(
        _(
            "The cohort changed since this run (someone withdrew, was paired or excluded): "
            "run matching again."
        )
    )
    if any(
        s.mentor.status != EnrolmentStatus.APPROVED or s.mentee.status != EnrolmentStatus.APPROVED
        for s in suggestions
    ):
        raise stale
    mentee_ids = [s.mentee_id for s in suggestions]
    if Pair.objects.active().filter(mentee_id__in=mentee_ids).exists():
        raise stale
    excluded = set(
        PairRule.objects.filter(program=program, kind=PairRule.Kind.EXCLUDE).values_list(
            "mentor_id", "mentee_id"
        )
    )
    if any((s.mentor_id, s.mentee_id) in excluded for s in suggestions):
        raise stale
    taken = Counter(
        Pair.objects.active().filter(program=program).values_list("mentor_id", flat=True)
    )
    taken.update(s.mentor_id for s in suggestions)
    if any(count > program.mentor_capacity for count in taken.values()):
        raise stale


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
    mentor = Enrolment.objects.select_related("user").get(pk=mentor.pk)
    mentee = Enrolment.objects.select_related("user").get(pk=mentee.pk)
    _check_pair_members(program, mentor, mentee)
    if Pair.objects.active().filter(mentee=mentee).exists():
        raise ValidationError(_("%(mentee)s already has a mentor.") % {"mentee": mentee.user})
    if Pair.objects.active().filter(mentor=mentor).count() >= program.mentor_capacity:
        raise ValidationError(
            _("%(mentor)s has no room for another mentee.") % {"mentor": mentor.user}
        )
    scores = dict(
        (enrolment.pk, score)
        for enrolment, score in alternatives_for(program=program, mentee=mentee)
    )
    if mentor.pk not in scores:
        raise ValidationError(
            _("%(mentor)s cannot be paired with %(mentee)s: the rules of the program forbid it.")
            % {"mentor": mentor.user, "mentee": mentee.user}
        )
    pair = Pair.objects.create(
        program=program, mentor=mentor, mentee=mentee, score=scores[mentor.pk]
    )
    _supersede_proposed_runs(program)
    _introduce([pair])
    _start_when_everyone_is_paired(program)
    audit_record(actor=by, action="created", target=pair, label=program.name)
    return pair


# Stored, then put into words in the reader's language when shown.
ENDED_BY_WITHDRAWAL = gettext_noop("A participant withdrew from the program.")


def pairs_end_for_withdrawal(enrolment: Enrolment) -> int:
    """Called inside a participant's withdrawal (so both happen or neither): their active
    pairs end, their partners are free to be matched again, and HR's pins and exclusions about
    them go, so that none comes back if they apply again."""
    PairRule.objects.filter(Q(mentor=enrolment) | Q(mentee=enrolment)).delete()
    ended = (
        Pair.objects.active()
        .filter(Q(mentor=enrolment) | Q(mentee=enrolment))
        .update(status=Pair.Status.ENDED, ended_at=timezone.now(), ended_reason=ENDED_BY_WITHDRAWAL)
    )
    _supersede_proposed_runs(enrolment.program)
    return ended


def mentees_without_mentor(program: Program):
    """Approved mentees of the program without an active pair."""
    paired = Pair.objects.active().filter(mentee=OuterRef("pk"))
    return Enrolment.objects.filter(
        program=program, role=Role.MENTEE, status=EnrolmentStatus.APPROVED
    ).exclude(Exists(paired))


def unmatched_mentees_count(program: Program) -> int:
    """How many approved mentees still wait for a mentor (the lifecycle asks)."""
    return mentees_without_mentor(program).count()
