"""The dashboard as a PDF report for the board: the page's figures for the same filters, under
the same anonymity rules, in the reader's language."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mentorship.dashboard import pdf
from mentorship.dashboard.charts import dashboard_charts
from mentorship.dashboard.views import _csv_refusal, audit_export, participation_rows, report_for
from mentorship.permissions import dashboard_viewer_required


@require_GET
@never_cache
@dashboard_viewer_required
def dashboard_pdf(request: HttpRequest) -> HttpResponse:
    """The page for the query string's filters as a PDF attachment, named like the CSV."""
    form, report = report_for(request)
    program = form.cleaned_data.get("program") if report is not None else None
    today = timezone.localdate()
    html = render_to_string(
        "mentorship/dashboard_report.html",
        {
            "form": form,
            "report": report,
            "rows": participation_rows(report),
            "charts": pdf.pdf_charts(dashboard_charts(report)),
            # Empty when the report has figures; else why it has none, as the CSV says it.
            "refusal": _csv_refusal(report),
            "selection": selection(form) if report is not None else [],
            "today": today,
            "fonts": pdf.font_files(),
        },
        request=request,
    )
    name = f"dashboard-{program.slug if program else 'all-programs'}-{today.isoformat()}.pdf"
    response = HttpResponse(pdf.html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    audit_export(request, name)
    return response


def selection(form: forms.Form) -> list[tuple[str, str]]:
    """(label, choice) of each filter of a valid form, worded as its drop-down shows them."""
    chosen = []
    for field in form:
        value = form.cleaned_data.get(field.name)
        if isinstance(field.field, forms.ModelChoiceField):
            shown = str(value) if value is not None else field.field.empty_label
        elif isinstance(field.field, forms.ChoiceField):
            shown = dict(field.field.choices).get(value or "", value)
        else:
            shown = value
        chosen.append((str(field.label), str(shown)))
    return chosen
