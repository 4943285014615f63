"""Signed links in mail: the survey link of an invitation and the one-click unsubscribe link.

Both are capabilities: whoever holds the link may do that one thing, without signing in. The
survey link carries the invitation's random id, answers once and is refused after the survey
closes; the
unsubscribe link names a person and one kind of mail and never expires.
"""

import uuid

from django.conf import settings
from django.core import signing
from django.urls import reverse

SURVEY_SALT = "feedback.survey-link"
UNSUBSCRIBE_SALT = "feedback.unsubscribe"

# Which preference an unsubscribe link of each kind of mail turns off.
PREFERENCE_OF_KIND = {
    "survey": "survey_invitations",
    "survey_reminder": "survey_reminders",
    "session_soon": "session_reminders",
    "log_nudge": "log_reminders",
    "cadence_nudge": "cadence_reminders",
    "hr_digest": "hr_digest",
}


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def survey_token(public_id: uuid.UUID) -> str:
    """The same token every time for one invitation (the survey mail and its reminders carry
    one link); it expires with the invitation, whose closing time the page checks."""
    return signing.Signer(salt=SURVEY_SALT).sign(str(public_id))


def survey_public_id(token: str) -> uuid.UUID:
    """The invitation's id; raises signing.BadSignature for a forged or damaged link (and
    ValueError for a signed value that is not an id)."""
    return uuid.UUID(signing.Signer(salt=SURVEY_SALT).unsign(token))


def survey_url(public_id: uuid.UUID) -> str:
    return absolute(reverse("feedback:survey_answer", args=[survey_token(public_id)]))


def unsubscribe_token(user_id: int, preference: str) -> str:
    return signing.dumps({"u": user_id, "p": preference}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_target(token: str) -> tuple[int, str]:
    """(user id, preference field); raises signing.BadSignature for anything forged."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if data.get("p") not in PREFERENCE_OF_KIND.values():
        raise signing.BadSignature("unknown preference")
    return int(data["u"]), data["p"]


def unsubscribe_url(user_id: int, kind: str) -> str:
    token = unsubscribe_token(user_id, PREFERENCE_OF_KIND[kind])
    return absolute(reverse("feedback:unsubscribe", args=[token]))
