"""HR admins' pages: programs (list, create, edit, lifecycle, next cohort) and participants."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mentorship.audit.services import audit_record
from mentorship.permissions import hr_admin_required
from mentorship.search_terms import other_filters, search_posted, search_term
from programs import lifecycle, services
from programs.access import get_enrolment_for_hr, get_program_for_hr
from programs.forms import DuplicateProgramForm, ParticipantFilterForm, ProgramForm
from programs.models import (
    Enrolment,
    EnrolmentStatus,
    Program,
    ProgramStatus,
    Role,
    profile_complete_condition,
)

PARTICIPANTS_PER_PAGE = 50


@require_GET
@hr_admin_required
def program_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "programs/program_list.html", {"programs": Program.objects.for_hr_list()}
    )


@require_http_methods(["GET", "POST"])
@hr_admin_required
def program_create(request: HttpRequest) -> HttpResponse:
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        topics = data.pop("topics")
        program = services.program_create(created_by=request.user, topics=topics, **data)
        messages.success(request, _("Program “%(name)s” created as a draft.") % {"name": program})
        return redirect("programs:program_detail", slug=program.slug)
    return render(request, "programs/program_form.html", {"form": form, "program": None})


@require_http_methods(["GET", "POST"])
@hr_admin_required
def program_edit(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_program_for_hr(request.user, slug)
    form = ProgramForm(request.POST or None, instance=program)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            program = form.save()
            if form.changed_data:
                audit_record(
                    actor=request.user,
                    action="changed",
                    target=program,
                    fields=sorted(form.changed_data),
                )
        messages.success(request, _("Program saved."))
        return redirect("programs:program_detail", slug=program.slug)
    return render(request, "programs/program_form.html", {"form": form, "program": program})


def _status_counts(program: Program) -> dict:
    """Every count the program page shows, in one query."""
    approved = Q(status=EnrolmentStatus.APPROVED)
    return Enrolment.objects.filter(program=program).aggregate(
        invited=Count("pk", filter=Q(status=EnrolmentStatus.INVITED)),
        applied=Count("pk", filter=Q(status=EnrolmentStatus.APPLIED)),
        approved=Count("pk", filter=approved),
        declined=Count("pk", filter=Q(status=EnrolmentStatus.DECLINED)),
        withdrawn=Count("pk", filter=Q(status=EnrolmentStatus.WITHDRAWN)),
        mentors=Count("pk", filter=approved & Q(role=Role.MENTOR)),
        mentees=Count("pk", filter=approved & Q(role=Role.MENTEE)),
        complete=Count("pk", filter=approved & profile_complete_condition()),
    )


@require_GET
@hr_admin_required
def program_detail(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_program_for_hr(request.user, slug)
    facts = services.program_facts(program)
    labels = dict(ProgramStatus.choices)
    moves = [
        {
            "status": target,
            "label": labels[target],
            "forward": lifecycle.FORWARD.get(program.status) == target,
            "reasons": lifecycle.refusal_reasons(facts, target),
        }
        for target in lifecycle.NEXT_STATUSES[program.status]
    ]
    return render(
        request,
        "programs/program_detail.html",
        {
            "program": program,
            "counts": _status_counts(program),
            "topics": program.topics.all(),
            "moves": moves,
        },
    )


@require_POST
@hr_admin_required
def program_transition(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_program_for_hr(request.user, slug)
    target = request.POST.get("status", "")
    try:
        program = services.program_transition(program=program, target=target, by=request.user)
    except services.TransitionRefused as refused:
        for reason in refused.reasons:
            messages.error(request, reason)
    else:
        messages.success(
            request, _("The program is now: %(status)s.") % {"status": program.get_status_display()}
        )
    return redirect("programs:program_detail", slug=program.slug)


@require_http_methods(["GET", "POST"])
@hr_admin_required
def program_duplicate(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_program_for_hr(request.user, slug)
    length = program.end_date - program.start_date
    next_start = program.end_date + timedelta(days=14)
    initial = {
        "name": _("%(name)s, next cohort") % {"name": program.name},
        "start_date": next_start,
        "end_date": next_start + length,
    }
    form = DuplicateProgramForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        copy = services.program_duplicate(
            program=program, created_by=request.user, **form.cleaned_data
        )
        messages.success(request, _("Next cohort created as a draft with the same settings."))
        return redirect("programs:program_detail", slug=copy.slug)
    return render(request, "programs/program_duplicate.html", {"form": form, "program": program})


@require_http_methods(["GET", "POST"])
@hr_admin_required
def participant_list(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_program_for_hr(request.user, slug)
    search_key = f"participants:{program.pk}"
    if searched := search_posted(request, search_key):
        return searched
    search = search_term(request, search_key)
    departments = list(
        Enrolment.objects.filter(program=program)
        .exclude(user__department="")
        .values_list("user__department", flat=True)
        .distinct()
        .order_by("user__department")
    )
    filters = ParticipantFilterForm(request.GET or None, departments=departments)
    enrolments = filters.filter(Enrolment.objects.for_participant_table(program), search)
    page = Paginator(enrolments, PARTICIPANTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "programs/participant_list.html",
        {
            "program": program,
            "filters": filters,
            "search": search,
            "page": page,
            "page_query": other_filters(request),
        },
    )


@require_GET
@hr_admin_required
def participant_detail(request: HttpRequest, slug: str, public_id) -> HttpResponse:
    enrolment = get_enrolment_for_hr(request.user, slug, public_id)
    topics = (
        enrolment.teach_topics.select_related("topic")
        if enrolment.is_mentor
        else enrolment.learn_topics.select_related("topic")
    )
    return render(
        request,
        "programs/participant_detail.html",
        {
            "program": enrolment.program,
            "enrolment": enrolment,
            "person": enrolment.user,
            "topics": topics,
            "missing": enrolment.missing_profile_parts(),
        },
    )


@require_POST
@hr_admin_required
def participant_decide(request: HttpRequest, slug: str, public_id) -> HttpResponse:
    enrolment = get_enrolment_for_hr(request.user, slug, public_id)
    decision = request.POST.get("decision")
    if decision not in ("approve", "decline"):
        return HttpResponseBadRequest(_("Choose to approve or to decline."))
    approve = decision == "approve"
    try:
        services.enrolment_decide(enrolment=enrolment, approve=approve, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            (_("%(name)s is approved.") if approve else _("%(name)s is declined."))
            % {"name": enrolment.user},
        )
    return redirect("programs:participant_detail", slug=slug, public_id=public_id)


@require_POST
@hr_admin_required
def participant_withdraw(request: HttpRequest, slug: str, public_id) -> HttpResponse:
    enrolment = get_enrolment_for_hr(request.user, slug, public_id)
    try:
        services.enrolment_withdraw(enrolment=enrolment)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(name)s is withdrawn.") % {"name": enrolment.user})
    return redirect("programs:participant_detail", slug=slug, public_id=public_id)
