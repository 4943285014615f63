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
