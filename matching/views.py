"""HR's matching pages (the latest run to review, one mentee's ranked alternatives, and the
actions that run, pin, exclude, approve and pair by hand) and a participant's own pair."""

from collections.abc import Iterable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from matching import services
from matching.forms import PairForm, PairRuleForm, WeightsForm
from matching.loading import person_from_enrolment
from matching.models import MatchRun, Pair, PairRule
from matching.optimiser import UnmatchedReason
from matching.scoring import Breakdown, MenteeProfile, MentorProfile, Weights, score_pair
from mentorship.permissions import hr_admin_required
from programs.access import get_enrolment_for_hr, get_program_for_hr
from programs.forms_participant import language_names
from programs.models import (
    Enrolment,
    EnrolmentStatus,
    Program,
    ProgramStatus,
    Role,
    TeachTopic,
    Topic,
)

# --- Loading ------------------------------------------------------------------------------------


def _latest_run(program: Program) -> MatchRun | None:
    return MatchRun.objects.filter(program=program).select_related("created_by").first()


def _weights_of(run: MatchRun | None) -> Weights:
    """The weights a run used: re-runs and alternatives keep what HR chose last."""
    if run is None or not run.parameters.get("weights"):
        return Weights()
    return Weights(**run.parameters["weights"])


def _topic_labels(topic_ids: Iterable[int]) -> dict[int, str]:
    """Topic names in the reader's language, in one query."""
    ids = set(topic_ids)
    if not ids:
        return {}
    return {topic.pk: topic.label for topic in Topic.objects.filter(pk__in=ids)}


def _languages(codes: Iterable[str]) -> str:
    names = language_names()
    return ", ".join(names.get(code, code) for code in codes)


def _mentees_without_mentor(program: Program):
    return (
        services.mentees_without_mentor(program)
        .select_related("user")
        .order_by("user__full_name", "pk")
    )


def _flash_errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _run_summary(outcome: services.RunOutcome) -> str:
    matched = outcome.solution.matched_count
    total = len(outcome.loaded.mentees)
    return ngettext(
        "Matching ran: %(matched)d of %(total)d mentee matched.",
        "Matching ran: %(matched)d of %(total)d mentees matched.",
        total,
    ) % {"matched": matched, "total": total}


# --- The review page ----------------------------------------------------------------------------


def _review_context(program: Program, weights_form: WeightsForm | None = None) -> dict:
    """Everything the review page shows, in a fixed number of queries whatever the cohort."""
    run = _latest_run(program)
    suggestions, unmatched = [], []
    if run is not None:
        suggestions = list(run.suggestions.select_related("mentor__user", "mentee__user"))
        unmatched = list(
            run.unmatched.select_related("mentee__user").order_by("mentee__user__full_name", "pk")
        )
    breakdowns = [Breakdown.from_dict(s.breakdown) for s in suggestions]
    labels = _topic_labels(t for b in breakdowns for t in b.shared_topic_ids)
    rows = [
        {
            "suggestion": suggestion,
            "shared_topics": [labels.get(t, "") for t in breakdown.shared_topic_ids],
            "explanation": breakdown.explain(labels),
        }
        for suggestion, breakdown in zip(suggestions, breakdowns, strict=True)
    ]
    left_out = [
        {
            "mentee": item.mentee,
            "reason": str(UnmatchedReason(item.reason, tuple(item.details.get("languages", [])))),
        }
        for item in unmatched
    ]
    rules = list(
        PairRule.objects.filter(program=program)
        .select_related("mentor__user", "mentee__user")
        .order_by("kind", "mentee__user__full_name", "pk")
    )
    weights_form = weights_form or WeightsForm.for_run(run)
    used = _weights_of(run).as_dict()
    can_run = program.status in services.RUN_STATUSES
    return {
        "program": program,
        "run": run,
        "rows": rows,
        "unmatched": left_out,
        "mentee_count": run.parameters.get("mentees", len(rows)) if run else 0,
        "weights": [(weights_form.fields[name].label, value) for name, value in used.items()],
        "rules": rules,
        "weights_form": weights_form,
        "can_run": can_run,
        "can_approve": can_run and run is not None and run.status == MatchRun.Status.PROPOSED,
        # Once any pair exists (active, or matching after a partial approval), HR sees who is
        # still waiting for a mentor.
        "unpaired": (
            list(_mentees_without_mentor(program))
            if program.status == ProgramStatus.ACTIVE
            or Pair.objects.filter(program=program).exists()
            else None
        ),
    }


@require_GET
@hr_admin_required
def review(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_program_for_hr(request.user, slug)
    return render(request, "matching/review.html", _review_context(program))


# --- One mentee and their alternatives ----------------------------------------------------------


def _breakdowns(
    program: Program,
    mentee: Enrolment,
    learn: dict[int, int],
    mentors: list[Enrolment],
    weights: Weights,
) -> dict[int, Breakdown]:
    """Each mentor's breakdown with this mentee, scored again from their profiles (one query for
    the mentors' topics), so that HR reads why an alternative scores what it does."""
    teach: dict[int, dict[int, int]] = {}
    rows = TeachTopic.objects.filter(
        enrolment__program=program, enrolment__role=Role.MENTOR
    ).values_list("enrolment_id", "topic_id", "level")
    for enrolment_id, topic_id, level in rows:
        teach.setdefault(enrolment_id, {})[topic_id] = level
    profile = MenteeProfile(person=person_from_enrolment(mentee, program), topics=learn)
    return {
        mentor.pk: score_pair(
            MentorProfile(
                person=person_from_enrolment(mentor, program),
                capacity=0,
                topics=teach.get(mentor.pk, {}),
            ),
            profile,
            weights,
        )
        for mentor in mentors
    }


@require_GET
@hr_admin_required
def mentee_detail(request: HttpRequest, slug: str, public_id) -> HttpResponse:
    mentee = get_enrolment_for_hr(request.user, slug, public_id)
    if mentee.role != Role.MENTEE:
        raise Http404
    program = mentee.program
    run = _latest_run(program)
    learn_topics = list(mentee.learn_topics.select_related("topic").order_by("-priority", "pk"))
    labels = {item.topic_id: item.topic.label for item in learn_topics}
    alternatives = services.alternatives_for(program=program, mentee=mentee)
    mentors = [enrolment for enrolment, _score in alternatives]
    breakdowns = _breakdowns(
        program,
        mentee,
        {item.topic_id: item.priority for item in learn_topics},
        mentors,
        _weights_of(run),
    )
    busy = dict(
        Pair.objects.active()
        .filter(program=program)
        .values("mentor")
        .annotate(count=Count("pk"))
        .values_list("mentor", "count")
    )
    current = Pair.objects.active().filter(mentee=mentee).select_related("mentor__user").first()
    suggestion = unmatched = None
    if run is not None:
        suggestion = run.suggestions.filter(mentee=mentee).select_related("mentor__user").first()
        left = run.unmatched.filter(mentee=mentee).first()
        if left is not None:
            unmatched = str(UnmatchedReason(left.reason, tuple(left.details.get("languages", []))))
    rules = list(PairRule.objects.filter(mentee=mentee).select_related("mentor__user"))
    pin = next((rule for rule in rules if rule.kind == PairRule.Kind.PIN), None)
    rows = [
        {
            "mentor": mentor,
            "score": score,
            "shared_topics": [labels[t] for t in breakdowns[mentor.pk].shared_topic_ids],
            "explanation": breakdowns[mentor.pk].explain(labels),
            "room": max(0, program.mentor_capacity - busy.get(mentor.pk, 0)),
            "suggested": suggestion is not None and suggestion.mentor_id == mentor.pk,
            "pinned": pin is not None and pin.mentor_id == mentor.pk,
            "current": current is not None and current.mentor_id == mentor.pk,
        }
        for mentor, score in alternatives
    ]
    can_act = program.status in services.RUN_STATUSES and mentee.status == EnrolmentStatus.APPROVED
    return render(
        request,
        "matching/mentee.html",
        {
            "program": program,
            "mentee": mentee,
            "person": mentee.user,
            "languages": _languages(mentee.languages),
            "learn_topics": learn_topics,
            "rows": rows,
            "current": current,
            "suggestion": suggestion,
            "unmatched_reason": unmatched,
            "pin": pin,
            "exclusions": [rule for rule in rules if rule.kind == PairRule.Kind.EXCLUDE],
            "can_assign": can_act and program.status == ProgramStatus.MATCHING,
            "can_pair": can_act and program.status == ProgramStatus.ACTIVE and current is None,
            # Once a mentee has a mentor, an exclusion would change nothing.
            "can_exclude": can_act
            and (program.status == ProgramStatus.MATCHING or current is None),
        },
    )


# --- Actions ------------------------------------------------------------------------------------


@require_POST
@hr_admin_required
def run_create(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_program_for_hr(request.user, slug)
    form = WeightsForm(request.POST)
    if not form.is_valid():
        return render(request, "matching/review.html", _review_context(program, form))
    try:
        outcome = services.match_run_create(
            program=program, by=request.user, weights=form.weights()
        )
    except ValidationError as error:
        _flash_errors(request, error)
    else:
        messages.success(request, _run_summary(outcome))
    return redirect("matching:review", slug=program.slug)


@require_POST
@hr_admin_required
def run_approve(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    program = get_program_for_hr(request.user, slug)
    run = get_object_or_404(MatchRun, pk=run_id, program=program)
    if program.status not in services.RUN_STATUSES:
        messages.error(
            request,
            _("Pairs are approved while the program is in matching or active, not %(status)s.")
            % {"status": program.get_status_display()},
        )
        return redirect("matching:review", slug=program.slug)
    was_matching = program.status == ProgramStatus.MATCHING
    try:
        pairs = services.match_run_approve(run=run, by=request.user)
    except ValidationError as error:
        _flash_errors(request, error)
        return redirect("matching:review", slug=program.slug)
    program.refresh_from_db(fields=["status"])
    parts = [
        ngettext(
            "%(count)d pair created; both people get an introduction by email.",
            "%(count)d pairs created; both people in each get an introduction by email.",
            len(pairs),
        )
        % {"count": len(pairs)}
    ]
    left = services.unmatched_mentees_count(program)
    if was_matching and program.status == ProgramStatus.ACTIVE:
        parts.append(_("Every mentee has a mentor: the program is now active."))
    elif left:
        parts.append(
            ngettext(
                "%(count)d mentee still needs a mentor.",
                "%(count)d mentees still need a mentor.",
                left,
            )
            % {"count": left}
        )
    messages.success(request, " ".join(parts))
    return redirect("matching:review", slug=program.slug)


@require_POST
@hr_admin_required
def rule_add(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_program_for_hr(request.user, slug)
    form = PairRuleForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose a mentor, a mentee, and to pin or exclude them."))
    mentor = get_enrolment_for_hr(request.user, slug, form.cleaned_data["mentor"])
    mentee = get_enrolment_for_hr(request.user, slug, form.cleaned_data["mentee"])
    kind = form.cleaned_data["kind"]
    rerun = program.status == ProgramStatus.MATCHING
    try:
        # One transaction: a pin the re-run refuses (it breaks a rule or a capacity) is not
        # kept, so it cannot block every later run.
        with transaction.atomic():
            services.pair_rule_set(
                program=program, mentor=mentor, mentee=mentee, kind=kind, by=request.user
            )
            if rerun:
                outcome = services.match_run_create(
                    program=program, by=request.user, weights=_weights_of(_latest_run(program))
                )
    except ValidationError as error:
        _flash_errors(request, error)
        return redirect("matching:review", slug=program.slug)
    names = {"mentor": mentor.user, "mentee": mentee.user}
    if kind == PairRule.Kind.PIN:
        messages.success(request, _("%(mentee)s is pinned to %(mentor)s.") % names)
    else:
        messages.success(request, _("%(mentor)s and %(mentee)s are never paired.") % names)
    if rerun:
        messages.success(request, _run_summary(outcome))
    else:
        messages.info(request, _("Run matching again to see the effect."))
    return redirect("matching:review", slug=program.slug)


@require_POST
@hr_admin_required
def rule_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    program = get_program_for_hr(request.user, slug)
    rule = get_object_or_404(
        PairRule.objects.select_related("mentor__user", "mentee__user"), pk=pk, program=program
    )
    services.pair_rule_remove(rule=rule)
    messages.success(
        request,
        _("Rule removed: %(mentor)s and %(mentee)s.")
        % {"mentor": rule.mentor.user, "mentee": rule.mentee.user},
    )
    # The removal stands even if the re-run fails: removing a broken pin is how HR unblocks it.
    if program.status == ProgramStatus.MATCHING:
        try:
            outcome = services.match_run_create(
                program=program, by=request.user, weights=_weights_of(_latest_run(program))
            )
        except ValidationError as error:
            _flash_errors(request, error)
        else:
            messages.success(request, _run_summary(outcome))
    return redirect("matching:review", slug=program.slug)


@require_POST
@hr_admin_required
def pair_add(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_program_for_hr(request.user, slug)
    form = PairForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose a mentor and a mentee."))
    mentor = get_enrolment_for_hr(request.user, slug, form.cleaned_data["mentor"])
    mentee = get_enrolment_for_hr(request.user, slug, form.cleaned_data["mentee"])
    try:
        services.pair_create(program=program, mentor=mentor, mentee=mentee, by=request.user)
    except ValidationError as error:
        _flash_errors(request, error)
    else:
        messages.success(
            request,
            _("%(mentee)s and %(mentor)s are paired; both get an introduction by email.")
            % {"mentor": mentor.user, "mentee": mentee.user},
        )
    return redirect("matching:mentee", slug=program.slug, public_id=mentee.public_id)


# --- A participant's own pair -------------------------------------------------------------------
