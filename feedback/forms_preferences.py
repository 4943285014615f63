"""The form of a person's mail preferences: one box per kind of mail; the HR digest only for HR
admins, who are the only ones it is sent to."""

from django import forms

from feedback.models import MailPreferences

PARTICIPANT_FIELDS = [
    "survey_invitations",
    "survey_reminders",
    "session_reminders",
    "log_reminders",
    "cadence_reminders",
]


class MailPreferencesForm(forms.ModelForm):
    class Meta:
        model = MailPreferences
        fields = [*PARTICIPANT_FIELDS, "hr_digest"]

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not user.is_hr_admin:
            del self.fields["hr_digest"]

    def choices(self) -> dict[str, bool]:
        """What to store: the boxes shown, ticked or not (call after is_valid())."""
        return {name: self.cleaned_data[name] for name in self.fields}
