"""Mail about accounts, sent by a Celery worker so that a slow or down mail server never
fails the page that asked for it."""

from celery import shared_task

from mentorship.mail import MAIL_RETRY, send_templated_mail


@shared_task(**MAIL_RETRY)
def send_welcome_mail(user_id: int, created_by_id: int, set_password_url: str) -> None:
    from mentorship.accounts.models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return  # deactivated or deleted before the mail went out: nothing to tell
    created_by = User.objects.filter(pk=created_by_id).first()
    send_templated_mail(
        "accounts/email/welcome",
        to=user,
        context={"user": user, "created_by": created_by, "set_password_url": set_password_url},
    )
