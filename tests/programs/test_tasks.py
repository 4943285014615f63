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
