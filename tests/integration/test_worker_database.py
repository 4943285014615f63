"""The integration fixtures themselves: a worker started by a test works on that test's
database and mails through the test's SMTP server."""

import pytest
from django.utils import timezone

from programs.tasks import send_invitation_mail
from tests.factories import EnrolmentFactory, ProgramFactory, UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.integration]


def test_a_worker_reads_the_tests_database_and_mails_through_its_smtp_server(start_worker, smtp):
    # The enrolment exists only in this test's database: the mail proves the worker read it.
    invitee = UserFactory(email="lan@example.com", preferred_language="vi")
    enrolment = EnrolmentFactory(
        program=ProgramFactory(name="Cohort Alpha"),
        user=invitee,
        status="invited",
        invitation_key="key-1",
        invited_at=timezone.now(),
    )
    start_worker()

    send_invitation_mail.delay(enrolment.pk, None, "http://testserver/accept/xyz/", "key-1")

    [mail] = smtp.wait_for(1)
    assert mail.recipients == ("lan@example.com",)
    assert mail.subject == "Bạn được mời tham gia Cohort Alpha"
    assert "http://testserver/accept/xyz/" in mail.text
