"""The invitation mail task sends only while its link is still the valid one."""

import pytest
from django.core import mail
from django.utils import timezone

from programs.tasks import send_invitation_mail
from tests.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db


def test_invitation_mail_goes_out_for_a_pending_invitation(hr_admin, program):
    enrolment = EnrolmentFactory(
        program=program, status="invited", invitation_key="k1", invited_at=timezone.now(), topics=[]
    )
    send_invitation_mail(enrolment.pk, hr_admin.pk, "https://example.com/invitations/x/", "k1")
    assert [message.to for message in mail.outbox] == [[enrolment.user.email]]
    assert "https://example.com/invitations/x/" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("status", "key"),
    [("invited", "replaced-by-a-resend"), ("approved", "k1"), ("withdrawn", "k1")],
)
def test_a_void_invitation_is_not_mailed(hr_admin, program, status, key):
    enrolment = EnrolmentFactory(program=program, status=status, invitation_key="k1", topics=[])
    send_invitation_mail(enrolment.pk, hr_admin.pk, "https://example.com/x/", key)
    assert mail.outbox == []


def test_unconfirmed_uploads_lose_their_content_after_a_week(hr_admin, program):
    import datetime

    from programs.models import ParticipantImport
    from programs.tasks import purge_stale_imports

    old = ParticipantImport.objects.create(
        program=program, uploaded_by=hr_admin, filename="old.csv", content="email\na@x.org\n"
    )
    fresh = ParticipantImport.objects.create(
        program=program, uploaded_by=hr_admin, filename="new.csv", content="email\nb@x.org\n"
    )
    applied = ParticipantImport.objects.create(
        program=program,
        uploaded_by=hr_admin,
        filename="done.csv",
        content="kept by design",
        applied_at=timezone.now(),
    )
    eight_days_ago = timezone.now() - datetime.timedelta(days=8)
    ParticipantImport.objects.filter(pk__in=[old.pk, applied.pk]).update(created_at=eight_days_ago)

    assert purge_stale_imports() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    applied.refresh_from_db()
    assert (old.content, old.filename) == ("", "old.csv")
    assert fresh.content == "email\nb@x.org\n"
    assert applied.content == "kept by design"


def test_the_purge_is_on_the_beat_schedule():
    from django.conf import settings

    from mentorship.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["purge-stale-imports"]
    assert entry["task"] in app.tasks
