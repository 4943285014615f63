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
