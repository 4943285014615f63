"""Forms for accounts: HR creates an account and sets roles; a person edits their profile."""

import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from mentorship.accounts.models import User


def time_zone_choices() -> list[tuple[str, str]]:
    return [(zone, zone.replace("_", " ")) for zone in sorted(zoneinfo.available_timezones())]


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)

    class Meta:
        model = User
        fields = ["full_name", "preferred_language", "time_zone"]

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError(_("Please enter a name."))
        return name


class AccountCreateForm(ProfileForm):
    email = forms.EmailField(label=_("Email address"))
    is_hr_admin = forms.BooleanField(label=_("HR admin"), required=False)
    is_executive = forms.BooleanField(label=_("Executive"), required=False)

    class Meta(ProfileForm.Meta):
        fields = ["email", "full_name", "preferred_language", "time_zone"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this email address already exists."))
        return email


class RolesForm(forms.Form):
    is_hr_admin = forms.BooleanField(label=_("HR admin"), required=False)
    is_executive = forms.BooleanField(label=_("Executive"), required=False)


class PersonForm(ProfileForm):
    """HR's view of a person: profile, place in the organisation and reporting line."""

    manager_email = forms.EmailField(
        label=_("Manager's email address"),
        required=False,
        help_text=_("Leave empty if this person reports to nobody in the company's records."),
    )

    class Meta(ProfileForm.Meta):
        fields = ["full_name", "department", "job_title", "preferred_language", "time_zone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.manager_id and not self.is_bound:
            self.initial["manager_email"] = self.instance.manager.email

    def clean_manager_email(self) -> User | None:
        email = self.cleaned_data["manager_email"].strip().lower()
        if not email:
            return None
        manager = User.objects.filter(email__iexact=email).first()
        if manager is None:
            raise forms.ValidationError(_("Nobody has this email address."))
        return manager
