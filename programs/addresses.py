"""Which email addresses other accounts already hold, for the two ways HR creates accounts (the
CSV import and the invitations): a new account may not take an address that is already a
second address of someone else, or signing in by it would reach two people."""

from collections.abc import Iterable

from allauth.account.models import EmailAddress
from django.db.models.functions import Lower

# Keeps each `IN (...)` list well under SQLite's limit on query parameters.
LOOKUP_CHUNK = 500


def addresses_of_other_accounts(new_emails: Iterable[str]) -> set[str]:
    """The addresses among `new_emails` (lower-cased; none of them the sign-in address of an
    account) that some account holds as an address of its own, verified or not."""
    emails = sorted({email.lower() for email in new_emails})
    taken: set[str] = set()
    for start in range(0, len(emails), LOOKUP_CHUNK):
        taken.update(
            EmailAddress.objects.annotate(email_key=Lower("email"))
            .filter(email_key__in=emails[start : start + LOOKUP_CHUNK])
            .values_list("email_key", flat=True)
        )
    return taken
