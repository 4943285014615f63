"""The dashboard's filter form (GET): program, department and a quarter."""

from django import forms
from django.utils.translation import gettext_lazy as _

from mentorship.dashboard.periods import quarter_bounds
from programs.models import Enrolment, EnrolmentStatus, Program, ProgramStatus


def quarter_label(quarter: str) -> str:
    first, last = quarter_bounds(quarter)
    return _("%(quarter)s (%(first)s to %(last)s)") % {
        "quarter": quarter,
        "first": first.strftime("%Y-%m"),
        "last": last.strftime("%Y-%m"),
    }


class DashboardFilterForm(forms.Form):
    program = forms.ModelChoiceField(
        label=_("Program"),
        queryset=Program.objects.exclude(status=ProgramStatus.DRAFT).order_by("-start_date"),
        required=False,
        empty_label=_("All programs"),
    )
    department = forms.ChoiceField(label=_("Department"), required=False)
    # Whole quarters only: free ranges of months that differ by one month would give that
    # month away by subtraction (see periods.py).
    period = forms.ChoiceField(label=_("Period"), required=False)

    def __init__(self, *args, quarters: list[str], **kwargs):
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
        self.fields["period"].choices = [
            ("", _("All time")),
            *((quarter, quarter_label(quarter)) for quarter in reversed(quarters)),
        ]
