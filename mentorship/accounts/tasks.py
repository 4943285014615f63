"""Mail about accounts (welcome, a request for erasure), sent by a Celery worker so that a slow
or down mail server never fails the page that asked for it."""

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


@shared_task(**MAIL_RETRY)
def send_erasure_request_mail(request_id: int, admin_id: int) -> None:
    """Tell one HR admin that a person asked for their data to be erased."""
    from django.conf import settings
    from django.urls import reverse

    from mentorship.accounts.models import ErasureRequest, User

    request = ErasureRequest.objects.select_related("user").filter(pk=request_id).first()
    admin = User.objects.hr_admins().filter(pk=admin_id).first()
    if request is None or request.handled_at is not None or admin is None:
        return  # handled, or the admin left, before the mail went out
    send_templated_mail(
        "accounts/email/erasure_request",
        to=admin,
        context={
            "admin": admin,
            "person": request.user,
            "requests_url": settings.SITE_URL + reverse("accounts:erasure_requests"),
        },
    )
