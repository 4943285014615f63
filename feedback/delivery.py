"""Sending one delivery, exactly once: claim the row, send the mail, mark it sent.

The row is a small state machine: pending -> sending -> sent (or skipped, or failed). A task
claims it with a conditional UPDATE that only one process can win, and the claim carries a
lease: if the worker dies mid-send, the row stays `sending` until the lease runs out and the
dispatcher hands it to another worker, which sends it once. A retry is the row going back to
pending with a later due time: the broker never holds a countdown.

The one window no database can close is between the SMTP server accepting a message and our
UPDATE that records it (RFC 1047); it is a single statement long, and the Message-ID is the
same on every attempt so that a mail client shows a repeat once.
"""

import datetime
import logging
import smtplib
import uuid

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_noop  # reasons stored in English, shown translated

from feedback import messages
from feedback.links import PREFERENCE_OF_KIND
from feedback.models import Delivery, MailPreferences
from feedback.planning import daytime_for

logger = logging.getLogger(__name__)

SENT, SKIPPED, RETRY, FAILED, NOT_CLAIMED = "sent", "skipped", "retry", "failed", "not claimed"


def delivery_claim(delivery_id: int, *, now: datetime.datetime) -> uuid.UUID | None:
    """Take the delivery for this process, or None when another has it or it is done."""
    claim = uuid.uuid4()
    claimed = (
        Delivery.objects.filter(pk=delivery_id)
        .filter(
            Q(status=Delivery.Status.PENDING, due_at__lte=now)
            | Q(status=Delivery.Status.SENDING, lease_until__lt=now)
        )
        .update(
            status=Delivery.Status.SENDING,
            claim=claim,
            lease_until=now + datetime.timedelta(seconds=settings.DELIVERY_LEASE_SECONDS),
            attempts=F("attempts") + 1,
        )
    )
    return claim if claimed else None


def _finish(delivery: Delivery, claim: uuid.UUID, **fields) -> None:
    # Only the holder of the claim may finish the row.
    Delivery.objects.filter(pk=delivery.pk, claim=claim).update(
        claim=None, lease_until=None, **fields
    )


def delivery_send(delivery_id: int) -> str:
    """Send the delivery if it is due and nobody else holds it; returns what happened."""
    now = timezone.now()
    claim = delivery_claim(delivery_id, now=now)
    if claim is None:
        return NOT_CLAIMED
    delivery = Delivery.objects.select_related("recipient").get(pk=delivery_id)
    if delivery.attempts > settings.DELIVERY_MAX_ATTEMPTS:
        # Every earlier attempt died with its worker (or outlived its time limit): stop.
        _finish(
            delivery,
            claim,
            status=Delivery.Status.FAILED,
            last_error=delivery.last_error or gettext_noop("no attempt finished"),
        )
        return FAILED
    try:
        reason = _reason_to_skip(delivery)
        mail = None if reason else messages.build(delivery, now=now)
        if mail is None:
            _finish(
                delivery,
                claim,
                status=Delivery.Status.SKIPPED,
                last_error=reason or gettext_noop("no longer relevant"),
            )
            return SKIPPED
        mail.send()
    # Any failure, not only SMTP's (a template error, the soft time limit): the row must end
    # failed and visible to HR, never be retried for ever.
    except Exception as error:  # noqa: BLE001
        return _after_error(delivery, claim, error)
    _finish(delivery, claim, status=Delivery.Status.SENT, sent_at=timezone.now(), last_error="")
    return SENT


def _reason_to_skip(delivery: Delivery) -> str:
    recipient = delivery.recipient
    if not recipient.is_active:
        return gettext_noop("recipient inactive")
    preference = PREFERENCE_OF_KIND[delivery.kind]
    preferences = MailPreferences.objects.filter(user=recipient).first()
    if preferences is not None and not getattr(preferences, preference):
        return gettext_noop("recipient unsubscribed")
    return ""


def _is_permanent(error: Exception) -> bool:
    """An SMTP 5xx answer (no such mailbox, message refused) will not change on a retry."""
    if isinstance(error, smtplib.SMTPResponseException):
        return 500 <= error.smtp_code < 600
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in error.recipients.values())
    return False


def _after_error(delivery: Delivery, claim: uuid.UUID, error: Exception) -> str:
    text = f"{type(error).__name__}: {error}"[:500]
    if delivery.attempts >= settings.DELIVERY_MAX_ATTEMPTS or _is_permanent(error):
        logger.error(
            "delivery %s failed after %s attempts: %s", delivery.key, delivery.attempts, text
        )
        _finish(delivery, claim, status=Delivery.Status.FAILED, last_error=text)
        return FAILED
    pause = settings.DELIVERY_RETRY_SECONDS * 2 ** (delivery.attempts - 1)
    logger.warning("delivery %s: %s; next try in %s s", delivery.key, text, pause)
    _finish(
        delivery,
        claim,
        status=Delivery.Status.PENDING,
        # A retry, too, waits for the recipient's daytime.
        due_at=daytime_for(delivery.recipient, timezone.now() + datetime.timedelta(seconds=pause)),
        enqueued_at=None,
        last_error=text,
    )
    return RETRY
