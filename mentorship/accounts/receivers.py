"""Reactions to allauth's and Django's signals: a reset key proves the address, and every
sign-in and failed attempt is logged (logger `mentorship.security`)."""

from allauth.account.models import EmailAddress
from allauth.account.signals import password_reset
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from mentorship.middleware import mark_signed_in
from mentorship.security_log import client_address, login_digest, security_log


@receiver(password_reset)
def verify_email_on_password_reset(sender, request, user, **kwargs) -> None:
    """A reset key only reaches the owner of the mailbox, so using it proves the address.

    This is what lets a person whose account HR created sign in after setting a password from
    the welcome mail, without a second verification mail.
    """
    EmailAddress.objects.filter(user=user, email__iexact=user.email).update(verified=True)


@receiver(user_logged_in)
def log_sign_in(sender, request, user, **kwargs) -> None:
    security_log.info("sign-in: user %s from %s", user.pk, client_address(request))
    if request is not None and hasattr(request, "session"):
        mark_signed_in(request)


@receiver(user_login_failed)
def log_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    typed = credentials.get("email") or credentials.get("username")
    security_log.warning(
        "failed sign-in: login %s from %s", login_digest(typed), client_address(request)
    )
