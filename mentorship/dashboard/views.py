"""The executive dashboard page: the filter form and the report of metrics.py."""

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from mentorship.accounts.models import User
from mentorship.dashboard.charts import dashboard_charts
from mentorship.dashboard.filters import DashboardFilterForm
from mentorship.dashboard.metrics import Report, Scope, program_report
from mentorship.permissions import dashboard_viewer_required
from programs.models import Program, ProgramStatus

DEFAULT_THRESHOLD = 5


def scope_from(form: DashboardFilterForm) -> Scope:
    """The programs chosen (one, or all but drafts) and the threshold that protects them: the
    largest of theirs."""
    program = form.cleaned_data.get("program")
    if program is not None:
        thresholds = {program.pk: program.anonymity_threshold}
    else:
        thresholds = dict(
            Program.objects.exclude(status=ProgramStatus.DRAFT).values_list(
                "pk", "anonymity_threshold"
            )
        )
    start, end = form.period()
    return Scope(
        program_ids=tuple(thresholds),
        threshold=max(thresholds.values(), default=DEFAULT_THRESHOLD),
        program_thresholds=thresholds,
        today=timezone.localdate(),
        department=form.cleaned_data.get("department") or "",
        period_start=start,
        period_end=end,
    )


@require_GET
@dashboard_viewer_required
def dashboard(request: HttpRequest) -> HttpResponse:
    # Every field is optional: an empty query string is the all-programs overview.
    form = DashboardFilterForm(request.GET)
    report: Report | None = program_report(scope_from(form)) if form.is_valid() else None
    return render(
        request,
        "mentorship/dashboard.html",
        {
            "form": form,
            "report": report,
            "rows": participation_rows(report),
            "charts": dashboard_charts(report),
            "people": account_counts(),
        },
    )


def account_counts() -> dict[str, int]:
    """Active accounts by site-wide role: the page's figures from before programs ran."""
    return User.objects.filter(is_active=True).aggregate(
        total=Count("pk"),
        hr_admins=Count("pk", filter=Q(is_hr_admin=True)),
        executives=Count("pk", filter=Q(is_executive=True)),
    )


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
