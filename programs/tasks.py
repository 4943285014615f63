"""Mail about programs, sent by a Celery worker after the request that asked for it."""

from celery import shared_task

from mentorship.mail import MAIL_RETRY


@shared_task(**MAIL_RETRY)
def send_invitation_mail(
    enrolment_id: int, invited_by_id: int, accept_url: str, invitation_key: str
) -> None:
    from mentorship.accounts.models import User
    from programs.invitations import invitation_mail_send
    from programs.models import Enrolment, EnrolmentStatus

    enrolment = (
        Enrolment.objects.select_related("user", "program")
        .filter(pk=enrolment_id, status=EnrolmentStatus.INVITED, invitation_key=invitation_key)
        .first()
    )
    if enrolment is None:
        return  # accepted, withdrawn or sent again with a new link since: this one is void
    invited_by = User.objects.filter(pk=invited_by_id).first()
    invitation_mail_send(enrolment=enrolment, invited_by=invited_by, accept_url=accept_url)


# An upload nobody confirmed holds names, addresses and goals for no purpose: after a week its
# content goes (the row stays as a record of who uploaded what, when).
STALE_IMPORT_DAYS = 7


@shared_task
def purge_stale_imports() -> int:
    """Empty the content of CSV uploads that were never confirmed within a week."""
    import datetime

    from django.utils import timezone

    from programs.models import ParticipantImport

    cutoff = timezone.now() - datetime.timedelta(days=STALE_IMPORT_DAYS)
    return (
        ParticipantImport.objects.filter(applied_at__isnull=True, created_at__lt=cutoff)
        .exclude(content="")
        .update(content="")
    )
