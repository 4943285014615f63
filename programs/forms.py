"""HR's forms: a program, its next cohort, a topic, and the participant table's filters."""

import datetime

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programs.models import EnrolmentStatus, Program, Role, Topic


class DateInput(forms.DateInput):
    input_type = "date"


# A program's dates fall in these years. Outside them a date is a typing mistake, and near the
# ends of the calendar (9999-12-31) the date arithmetic of later pages would overflow.
FIRST_YEAR, LAST_YEAR = 2000, 2099


def _check_dates(cleaned: dict, form: forms.Form) -> None:
    for name in ("start_date", "end_date", "enrolment_deadline"):
        value = cleaned.get(name)
        if isinstance(value, datetime.date) and not FIRST_YEAR <= value.year <= LAST_YEAR:
            form.add_error(
                name,
                _("Enter a date in the years %(first)d to %(last)d.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR},
            )
    start, end = cleaned.get("start_date"), cleaned.get("end_date")
    deadline = cleaned.get("enrolment_deadline")
    if start and end and end <= start:
        form.add_error("end_date", _("The end date must be after the start date."))
    if start and deadline and deadline > start:
        form.add_error(
            "enrolment_deadline", _("The enrolment deadline must be on or before the start date.")
        )


class ProgramForm(forms.ModelForm):
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics on offer"),
        queryset=Topic.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Program
        fields = [
            "name",
            "slug",
            "objectives",
            "start_date",
            "end_date",
            "enrolment_deadline",
            "cadence_weeks",
            "session_minutes",
            "mentor_capacity",
            "anonymity_threshold",
            "allow_applications",
            "notes_retention_months",
            "topics",
        ]
        widgets = {
            "start_date": DateInput,
            "end_date": DateInput,
            "enrolment_deadline": DateInput,
            "objectives": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A topic retired from the catalogue stays selectable on programs that already offer it.
        if self.instance.pk:
            self.fields["topics"].queryset = Topic.objects.filter(
                pk__in=self.instance.topics.values("pk")
            ) | Topic.objects.filter(is_active=True)

    def clean(self):
        cleaned = super().clean()
        _check_dates(cleaned, self)
        return cleaned


class DuplicateProgramForm(forms.Form):
    name = forms.CharField(label=_("Name of the new cohort"), max_length=150)
    slug = forms.SlugField(label=_("Short name in addresses"), max_length=80)
    start_date = forms.DateField(label=_("Start date"), widget=DateInput)
    end_date = forms.DateField(label=_("End date"), widget=DateInput)
    enrolment_deadline = forms.DateField(
        label=_("Enrolment deadline"), widget=DateInput, required=False
    )

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if Program.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("Another program already uses this short name."))
        return slug

    def clean(self):
        cleaned = super().clean()
        _check_dates(cleaned, self)
        return cleaned


class TopicForm(forms.ModelForm):
    class Meta:
        model = Topic
        fields = ["name", "name_vi", "name_tr", "slug", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ParticipantFilterForm(forms.Form):
    """The participant table's search, filters and sort order (all optional, from the query
    string; anything invalid is ignored rather than shown as an error)."""

    SORTS = {
        "name": ("user__full_name", "user__email"),
        "-name": ("-user__full_name", "-user__email"),
        "department": ("user__department", "user__full_name"),
        "role": ("role", "user__full_name"),
        "status": ("status", "user__full_name"),
        "profile": ("-profile_is_complete", "user__full_name"),
    }

    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("All roles")), *Role.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *EnrolmentStatus.choices],
    )
    department = forms.ChoiceField(label=_("Department"), required=False)
    profile = forms.ChoiceField(
        label=_("Profile"),
        required=False,
        choices=[
            ("", _("Complete or not")),
            ("complete", _("Complete")),
            ("incomplete", _("Incomplete")),
        ],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("name", _("Name (A–Z)")),
            ("-name", _("Name (Z–A)")),
            ("department", _("Department")),
            ("role", _("Role")),
            ("status", _("Status")),
            ("profile", _("Complete profiles first")),
        ],
    )

    def __init__(self, *args, departments: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("All departments"))] + [
            (name, name) for name in departments
        ]

    def filter(self, enrolments, search: str = ""):
        """The enrolments matching the filters and `search` (part of a name or an address,
        which comes from the session, never the query string: mentorship/search_terms.py)."""
        if search:
            enrolments = enrolments.filter(
                Q(user__full_name__icontains=search) | Q(user__email__icontains=search)
            )
        if not self.is_valid():
            return enrolments.order_by(*self.SORTS["name"])
        data = self.cleaned_data
        if data["role"]:
            enrolments = enrolments.filter(role=data["role"])
        if data["status"]:
            enrolments = enrolments.filter(status=data["status"])
        if data["department"]:
            enrolments = enrolments.filter(user__department=data["department"])
        if data["profile"]:
            enrolments = enrolments.filter(profile_is_complete=data["profile"] == "complete")
        return enrolments.order_by(*self.SORTS[data["sort"] or "name"])
