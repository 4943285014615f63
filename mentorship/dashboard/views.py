"""The executive dashboard page: the filter form and the report of metrics.py."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mentorship.audit.services import audit_record
from mentorship.dashboard import export
from mentorship.dashboard.charts import dashboard_charts
from mentorship.dashboard.filters import DashboardFilterForm
from mentorship.dashboard.metrics import Programs, Report, Scope, cached_report, programs_covered
from mentorship.permissions import dashboard_viewer_required


def scope_from(form: DashboardFilterForm, programs: Programs) -> Scope:
    """The page's selection: one program or all, a department, a quarter."""
    program = form.cleaned_data.get("program")
    return Scope(
        programs=programs,
        program=program.pk if program is not None else None,
        department=form.cleaned_data.get("department") or "",
        period=form.cleaned_data.get("period") or "",
    )


def report_for(request: HttpRequest) -> tuple[DashboardFilterForm, Report | None]:
    """The filter form of the query string and its report (None while the form is invalid)."""
    programs = programs_covered(timezone.localdate())
    # Every field is optional: an empty query string is the all-programs overview.
    form = DashboardFilterForm(request.GET, quarters=programs.quarters())
    report = cached_report(scope_from(form, programs)) if form.is_valid() else None
    return form, report


@require_GET
@dashboard_viewer_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form, report = report_for(request)
    return render(
        request,
        "mentorship/dashboard.html",
        {
            "form": form,
            "report": report,
            "rows": participation_rows(report),
            "charts": dashboard_charts(report),
        },
    )


@require_GET
@never_cache
@dashboard_viewer_required
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    """The page's figures as CSV, one per line, for the same filters and under the same rules."""
    form, report = report_for(request)
    program = form.cleaned_data.get("program") if report is not None else None
    today = timezone.localdate().isoformat()
    name = f"dashboard-{program.slug if program else 'all-programs'}-{today}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    # The byte order mark makes Excel read the file as UTF-8 (as the participants export does).
    response.write("\ufeff")
    export.write_report(response, report, participation_rows(report), _csv_refusal(report))
    audit_export(request, name)
    return response


def audit_export(request: HttpRequest, filename: str) -> None:
    """Exports of figures are recorded in the audit log, with the filters they were made with."""
    audit_record(
        actor=request.user,
        action="exported",
        target_type="dashboard",
        label=filename,
        filters=request.GET.urlencode(),
    )


def _csv_refusal(report: Report | None) -> str:
    """Why a CSV has no figure, in the page's words; empty when it has them."""
    if report is None:
        return gettext("The filters are not valid: correct them on the dashboard.")
    if not report.allowed:
        return gettext(
            "This selection is too small to show: the group chosen, or the rest of the "
            "program, has fewer than %(n)d people."
        ) % {"n": report.threshold}
    if report.participants is None:
        return gettext("Program figures appear here once a program is active.")
    return ""


def participation_rows(report: Report | None) -> list[tuple]:
    """(label, figure, suffix) of the participation table."""
    if report is None or report.participants is None:
        return []
    return [
        (_("Enrolled mentors"), report.mentors, ""),
        (_("Enrolled mentees"), report.mentees, ""),
        (_("Enrolled, both sides"), report.participants, ""),
        (_("Approved pairs"), report.pairs, ""),
        (_("Active pairs"), report.active_pairs, ""),
        (_("Pairs at risk"), report.pairs_at_risk, ""),
        (_("Sessions held"), report.sessions_held, ""),
        (_("Sessions expected by the cadence"), report.sessions_expected, ""),
        (_("Sessions held vs expected"), report.adherence, "%"),
        (_("Mentoring hours"), report.hours, ""),
        (_("Average session rating (1–5)"), report.session_rating, ""),
    ]
