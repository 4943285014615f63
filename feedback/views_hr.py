"""HR's survey pages: the survey templates, each program's schedules and their results, and the
mail deliveries that failed. HR admins only; no page names a respondent."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from feedback import fit_check, results, services
from feedback.forms_hr import SurveyScheduleForm, SurveyTemplateForm, question_formset
from feedback.models import Delivery, SurveySchedule, SurveyTemplate
from mentorship.permissions import hr_admin_required
from programs.access import get_program_for_hr
from programs.models import Program

DELIVERIES_PER_PAGE = 50
NEW_QUESTION_ROWS = 3
EXTRA_QUESTION_ROWS = 2


def _errors_to_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _get_schedule_for_hr(user, slug: str, pk: int) -> tuple[Program, SurveySchedule]:
    """A schedule of the named program (an id of another program's schedule is 404)."""
    program = get_program_for_hr(user, slug)
    schedule = get_object_or_404(
        SurveySchedule.objects.select_related("template", "program"), pk=pk, program=program
    )
    return program, schedule


# --- Survey templates ----------------------------------------------------------------------------


@never_cache
@require_GET
@hr_admin_required
def template_list(request: HttpRequest) -> HttpResponse:
    templates = SurveyTemplate.objects.annotate(
        question_count=Count("questions", distinct=True),
        schedule_count=Count("schedules", distinct=True),
    ).order_by(F("key").asc(nulls_last=True), "name")
    return render(request, "feedback/hr_template_list.html", {"templates": templates})


def _template_form_page(request: HttpRequest, template: SurveyTemplate | None) -> HttpResponse:
    locked = template is not None and services.survey_template_is_locked(template)
    instance = template or SurveyTemplate()
    data = request.POST if request.method == "POST" else None
    form = SurveyTemplateForm(data, instance=instance, locked=locked)
    Formset = question_formset(EXTRA_QUESTION_ROWS if template else NEW_QUESTION_ROWS)
    formset = None if locked else Formset(data, instance=instance, prefix="questions")
    if request.method == "POST" and form.is_valid() and (formset is None or formset.is_valid()):
        try:
            saved = services.survey_template_save(
                template=template,
                by=request.user,
                name=form.cleaned_data["name"],
                name_vi=form.cleaned_data["name_vi"],
                name_tr=form.cleaned_data["name_tr"],
                is_anonymous=form.cleaned_data["is_anonymous"],
                questions=None if formset is None else formset.specs(),
            )
        except ValidationError as error:
            _errors_to_messages(request, error)
        else:
            messages.success(request, _("Survey “%(name)s” saved.") % {"name": saved.label})
            return redirect("feedback:template_edit", pk=saved.pk)
    return render(
        request,
        "feedback/hr_template_form.html",
        {
            "template": template,
            "form": form,
            "formset": formset,
            "locked": locked,
            "questions": template.questions.all() if locked else (),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@hr_admin_required
def template_create(request: HttpRequest) -> HttpResponse:
    return _template_form_page(request, None)


@never_cache
@require_http_methods(["GET", "POST"])
@hr_admin_required
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _template_form_page(request, get_object_or_404(SurveyTemplate, pk=pk))


@require_POST
@hr_admin_required
def template_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(SurveyTemplate, pk=pk)
    copy = services.survey_template_duplicate(template=template, by=request.user)
    messages.success(
        request, _("Copy made: “%(name)s”. Change it as you like.") % {"name": copy.label}
    )
    return redirect("feedback:template_edit", pk=copy.pk)


# --- Schedules of a program ------------------------------------------------------------------


@never_cache
@require_GET
@hr_admin_required
def schedule_list(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_program_for_hr(request.user, slug)
    rows = [
        {"schedule": schedule, "when": results.describe_when(schedule)}
        for schedule in results.schedules_for_hr_list(program)
    ]
    missing = _recommended_missing(program)
    return render(
        request,
        "feedback/hr_schedule_list.html",
        {"program": program, "rows": rows, "recommended_missing": missing},
    )


def _recommended_missing(program: Program) -> int:
    present = set(
        SurveySchedule.objects.filter(program=program).values_list("template__key", "trigger")
    )
    return sum(
        (spec["template"], spec["trigger"]) not in present
        for spec in services.RECOMMENDED_SCHEDULES
    )


def _schedule_form_page(
    request: HttpRequest, program: Program, schedule: SurveySchedule | None
) -> HttpResponse:
    locked = schedule is not None and services.survey_schedule_is_locked(schedule)
    data = request.POST if request.method == "POST" else None
    form = SurveyScheduleForm(data, instance=schedule, template_locked=locked)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_schedule_save(
                program=program, schedule=schedule, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _errors_to_messages(request, error)
        else:
            messages.success(request, _("Survey schedule saved."))
            return redirect("feedback:schedule_list", slug=program.slug)
    return render(
        request,
        "feedback/hr_schedule_form.html",
        {"program": program, "schedule": schedule, "form": form},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@hr_admin_required
def schedule_create(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_program_for_hr(request.user, slug)
    return _schedule_form_page(request, program, None)


@never_cache
@require_http_methods(["GET", "POST"])
@hr_admin_required
def schedule_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    program, schedule = _get_schedule_for_hr(request.user, slug, pk)
    return _schedule_form_page(request, program, schedule)


@require_POST
@hr_admin_required
def schedule_add_recommended(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_program_for_hr(request.user, slug)
    added = services.survey_schedules_add_recommended(program=program, by=request.user)
    if added:
        messages.success(
            request,
            _("Added: %(surveys)s.")
            % {"surveys": ", ".join(schedule.template.label for schedule in added)},
        )
    else:
        messages.info(request, _("The program already has every recommended survey."))
    return redirect("feedback:schedule_list", slug=program.slug)


@never_cache
@require_GET
@hr_admin_required
def schedule_results(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    program, schedule = _get_schedule_for_hr(request.user, slug, pk)
    return render(
        request,
        "feedback/hr_results.html",
        {
            "program": program,
            "schedule": schedule,
            "when": results.describe_when(schedule),
            "results": results.schedule_results(schedule),
            "poor_fits": fit_check.poor_fit_pairs(schedule),
        },
    )


# --- Deliveries ------------------------------------------------------------------------------


def _delivery_counts() -> dict:
    """Deliveries by kind and status, in one query: rows per kind and the totals per status."""
    statuses = Delivery.Status
    rows = list(
        Delivery.objects.values("kind")
        .order_by("kind")
        .annotate(
            total=Count("pk"),
            **{status.value: Count("pk", filter=Q(status=status)) for status in statuses},
        )
    )
    kinds = dict(Delivery.Kind.choices)
    for row in rows:
        row["label"] = kinds.get(row["kind"], row["kind"])
        row["cells"] = [(status.label, row[status.value]) for status in statuses]
    totals = [(status.label, sum(row[status.value] for row in rows)) for status in statuses]
    return {
        "statuses": [(status.value, status.label) for status in statuses],
        "rows": rows,
        "totals": totals,
        "total": sum(count for _label, count in totals),
    }


@never_cache
@require_GET
@hr_admin_required
def delivery_list(request: HttpRequest) -> HttpResponse:
    failed = Delivery.objects.failed().select_related("recipient").order_by("-due_at", "-pk")
    page = Paginator(failed, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/hr_delivery_list.html",
        {"counts": _delivery_counts(), "page": page, "page_query": ""},
    )


@require_POST
@hr_admin_required
def delivery_retry(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(Delivery.objects.select_related("recipient"), pk=pk)
    if services.delivery_retry(delivery_id=delivery.pk):
        messages.success(
            request,
            _("The mail to %(name)s will be sent again shortly.")
            % {"name": delivery.recipient.full_name or delivery.recipient.email},
        )
    else:
        delivery.refresh_from_db(fields=["status"])
        messages.error(
            request,
            _("Only a failed mail can be sent again; this one is: %(status)s.")
            % {"status": delivery.get_status_display()},
        )
    return redirect("feedback:delivery_list")
