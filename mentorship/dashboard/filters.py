"""The dashboard's filter form (GET): program, department and a period of whole months."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from programs.models import Enrolment, EnrolmentStatus, Program, ProgramStatus

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def _first_of_month(value: str) -> datetime.date | None:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return None


class MonthInput(forms.TextInput):
    input_type = "month"


class DashboardFilterForm(forms.Form):
    program = forms.ModelChoiceField(
        label=_("Program"),
        queryset=Program.objects.exclude(status=ProgramStatus.DRAFT).order_by("-start_date"),
        required=False,
        empty_label=_("All programs"),
    )
    department = forms.ChoiceField(label=_("Department"), required=False)
    from_month = forms.CharField(label=_("From month"), required=False, widget=MonthInput)
    to_month = forms.CharField(label=_("To month"), required=False, widget=MonthInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Department names only (never people), of those enrolled in a program shown here.
        departments = (
            Enrolment.objects.filter(status=EnrolmentStatus.APPROVED)
            .exclude(user__department="")
            .exclude(program__status=ProgramStatus.DRAFT)
            .order_by("user__department")
            .values_list("user__department", flat=True)
            .distinct()
        )
        self.fields["department"].choices = [
            ("", _("All departments")),
            *((name, name) for name in departments),
        ]

    def _clean_month(self, name: str) -> datetime.date | None:
        value = self.cleaned_data.get(name, "").strip()
        if not value:
            return None
        month = _first_of_month(value)
        if month is None:
            raise forms.ValidationError(_("Enter a month as YYYY-MM."))
        # Dates near the calendar's ends overflow the period arithmetic; no program is there.
        if not EARLIEST_YEAR <= month.year <= LATEST_YEAR:
            raise forms.ValidationError(
                _("Enter a month between %(first)s and %(last)s.")
                % {"first": f"{EARLIEST_YEAR}-01", "last": f"{LATEST_YEAR}-12"}
            )
        return month

    def clean_from_month(self) -> datetime.date | None:
        return self._clean_month("from_month")

    def clean_to_month(self) -> datetime.date | None:
        return self._clean_month("to_month")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from_month"), cleaned.get("to_month")
        if start and end and end < start:
            raise forms.ValidationError(_("The period ends before it starts."))
        return cleaned

    def period(self) -> tuple[datetime.date | None, datetime.date | None]:
        """The first day of the first month and the first day after the last month."""
        start, last = self.cleaned_data.get("from_month"), self.cleaned_data.get("to_month")
        end = None
        if last:
            end = (last.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return start, end
