"""Reactions to allauth's signals."""

from allauth.account.models import EmailAddress
from allauth.account.signals import password_reset
from django.dispatch import receiver


@receiver(password_reset)
def verify_email_on_password_reset(sender, request, user, **kwargs) -> None:
    """A reset key only reaches the owner of the mailbox, so using it proves the address.

    This is what lets a person whose account HR created sign in after setting a password from
    the welcome mail, without a second verification mail.
    """
    EmailAddress.objects.filter(user=user, email__iexact=user.email).update(verified=True)
