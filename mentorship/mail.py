"""Sends one templated email in its recipient's language and time zone.

A message is a folder of three templates: `subject.txt`, `body.txt` and `body.html`.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation

from mentorship.accounts.models import User


def send_templated_mail(template_dir: str, *, to: User, context: dict) -> None:
    with translation.override(to.preferred_language), timezone.override(to.time_zone):
        subject = render_to_string(f"{template_dir}/subject.txt", context)
        text = render_to_string(f"{template_dir}/body.txt", context)
        html = render_to_string(f"{template_dir}/body.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to.email],
    )
    message.attach_alternative(html, "text/html")
    message.send()
