"""Forms of the invitation flow: HR's list of people to invite, and the invitee's first
password."""

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from mentorship.accounts.models import User
from programs.addresses import addresses_of_other_accounts
from programs.invitations import InviteRow
from programs.models import Role

MAX_INVITE_LINES = 500
FULL_NAME_MAX_LENGTH = User._meta.get_field("full_name").max_length
EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length


class InviteForm(forms.Form):
    people = forms.CharField(
        label=_("People to invite"),
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_(
            "One person per line: an email address, optionally followed by a comma and the "
            "full name (for example: an.nguyen@example.com, Nguyễn Văn An). At most 500 lines."
        ),
    )
    role = forms.ChoiceField(label=_("Role in the program"), choices=Role.choices)
    language = forms.ChoiceField(
        label=_("Language of the email"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
        help_text=_(
            "For people who have no account yet. People with an account receive the email in "
            "the language they chose for themselves."
        ),
    )

    def clean_people(self) -> list[InviteRow]:
        """Parse the lines into rows, or refuse the whole list with each bad line named."""
        rows: list[InviteRow] = []
        errors: list[ValidationError] = []
        first_line_of: dict[str, int] = {}
        numbered = [
            (number, line.strip())
            for number, line in enumerate(self.cleaned_data["people"].splitlines(), start=1)
            if line.strip()
        ]
        if len(numbered) > MAX_INVITE_LINES:
            raise ValidationError(
                _("At most %(max)d people can be invited at once; this list has %(count)d."),
                params={"max": MAX_INVITE_LINES, "count": len(numbered)},
                code="too_many",
            )
        for number, line in numbered:
            email, _comma, name = line.partition(",")
            email = email.strip().lower()
            name = " ".join(name.split())
            if not _is_email(email):
                errors.append(
                    ValidationError(
                        _("Line %(line)d: “%(value)s” is not a valid email address."),
                        params={"line": number, "value": email or line},
                        code="invalid_email",
                    )
                )
                continue
            if email in first_line_of:
                errors.append(
                    ValidationError(
                        _("Line %(line)d: %(email)s is already on line %(first)d."),
                        params={"line": number, "email": email, "first": first_line_of[email]},
                        code="duplicate",
                    )
                )
                continue
            if len(name) > FULL_NAME_MAX_LENGTH:
                errors.append(
                    ValidationError(
                        _("Line %(line)d: the name is longer than %(max)d characters."),
                        params={"line": number, "max": FULL_NAME_MAX_LENGTH},
                        code="name_too_long",
                    )
                )
                continue
            first_line_of[email] = number
            rows.append(InviteRow(email=email, full_name=name))
        # Checked here too (the service refuses them as well) so that HR sees which line it is.
        accounts = dict(
            User.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=first_line_of)
            .values_list("email_lower", "is_active")
        )
        for email, is_active in accounts.items():
            if not is_active:
                errors.append(
                    ValidationError(
                        _("Line %(line)d: the account of %(email)s is deactivated."),
                        params={"line": first_line_of[email], "email": email},
                        code="inactive",
                    )
                )
        for email in addresses_of_other_accounts(first_line_of.keys() - accounts.keys()):
            errors.append(
                ValidationError(
                    _("Line %(line)d: %(email)s is already an address of another account."),
                    params={"line": first_line_of[email], "email": email},
                    code="address_taken",
                )
            )
        if errors:
            raise ValidationError(sorted(errors, key=lambda error: error.params["line"]))
        if not rows:
            raise ValidationError(_("Enter at least one email address."), code="empty")
        return rows


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return len(value) <= EMAIL_MAX_LENGTH


class InvitationPasswordForm(forms.Form):
    """The invitee's first password, held to the site's password rules."""

    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Type the password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, user: User, *args, **kwargs):
        # The rules compare the password with the person's name and address.
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password1(self) -> str:
        password = self.cleaned_data["password1"]
        password_validation.validate_password(password, self.user)
        return password

    def clean_password2(self) -> str:
        password = self.cleaned_data["password2"]
        if "password1" in self.cleaned_data and password != self.cleaned_data["password1"]:
            raise ValidationError(_("The two passwords are not the same."), code="mismatch")
        return password
