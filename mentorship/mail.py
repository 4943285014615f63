"""Sends one templated email in its recipient's language and time zone.

A message is a folder of three templates: `subject.txt`, `body.txt` and `body.html`.
"""

from collections.abc import Sequence
from email.mime.base import MIMEBase

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation

from mentorship.accounts.models import User

# How a Celery task that sends a one-off mail (welcome, invitation, introduction, calendar
# invitation) retries: SMTP errors are OSErrors (refused, timed out, temporary failures), worth
# another try with growing pauses; after the last one the failure is in the worker's log.
# acks_late: a worker killed mid-send leaves the message for another. A retry waits on the
# broker as a countdown, so the longest pause stays far inside Redis's visibility timeout,
# past which Redis would hand the waiting message to a second worker. (Surveys and reminders
# keep their retries in the database instead: feedback/delivery.py.)
MAIL_RETRY = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OSError,),
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "max_retries": 6,
}


def send_templated_mail(
    template_dir: str,
    *,
    to: User,
    context: dict,
    attachments: Sequence[MIMEBase] = (),
    headers: dict[str, str] | None = None,
) -> None:
    """Render the message in the recipient's language and time zone and send it, with any
    ready-made MIME parts (such as a calendar invitation) attached and any extra headers
    (Message-ID, List-Unsubscribe)."""
    with translation.override(to.preferred_language), timezone.override(to.time_zone):
        subject = render_to_string(f"{template_dir}/subject.txt", context)
        text = render_to_string(f"{template_dir}/body.txt", context)
        html = render_to_string(f"{template_dir}/body.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to.email],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    for part in attachments:
        message.attach(part)
    message.send()
