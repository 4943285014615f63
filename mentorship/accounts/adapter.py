"""How allauth behaves here: accounts are created by HR (and, later, by invitations), not by
public sign-up; its messages speak the signed-in person's language."""

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # An HR tool holds private conversations: strangers may not create accounts.
        return False

    def add_message(self, request: HttpRequest, *args, **kwargs) -> None:
        # "Signed in as ..." is written while the request still runs in the language of the
        # anonymous visitor; the person who reads it has a language of their own.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            with translation.override(user.preferred_language):
                return super().add_message(request, *args, **kwargs)
        return super().add_message(request, *args, **kwargs)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # Password resets and verification mails go out in the recipient's language, not in
        # the language of whoever (or whatever page) triggered them.
        user = context.get("user") or get_user_model().objects.filter(email__iexact=email).first()
        language = getattr(user, "preferred_language", None) or translation.get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, context)
