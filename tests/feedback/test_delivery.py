"""Sending one delivery: the claim, the mail in the reader's language, skips, retries and
failures. Mail goes to Django's locmem outbox; SMTP failures come from a real refused port.
(The same machinery through a real worker and SMTP server: tests/integration/.)"""

import datetime
import smtplib
import socket

import pytest
from django.core import mail
from django.urls import resolve
from django.utils import timezone

from feedback import delivery, dispatching, links, messages
from feedback.models import Delivery, MailPreferences, SurveyInvitation
from feedback.tasks import dispatch
from matching.models import Pair, Session
from mentorship.accounts.models import User
from tests.feedback.factories import SurveyInvitationFactory, SurveyScheduleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(pair):
    User.objects.filter(pk=pair.mentee.user_id).update(preferred_language="vi")
    return SurveyInvitationFactory(
        schedule=SurveyScheduleFactory(program=pair.program), enrolment=pair.mentee
    )


def _delivery_for(invitation: SurveyInvitation, **fields) -> Delivery:
    defaults = {
        "key": f"survey:{invitation.pk}",
        "kind": Delivery.Kind.SURVEY,
        "recipient": invitation.enrolment.user,
        "object_id": invitation.pk,
        "due_at": timezone.now() - datetime.timedelta(minutes=1),
    }
    return Delivery.objects.create(**(defaults | fields))


def _refused_port() -> int:
    """A local port with nothing listening: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_refuses(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _refused_port()
    settings.EMAIL_TIMEOUT = 2


def test_the_survey_mail_is_in_the_recipients_language_with_a_working_link(invitation):
    row = _delivery_for(invitation)

    assert delivery.delivery_send(row.pk) == delivery.SENT

    (message,) = mail.outbox
    assert message.to == [invitation.enrolment.user.email]
    assert "Khảo sát giữa chương trình" in message.subject  # the template's Vietnamese name
    assert "Xin chào" in message.body or "Chào" in message.body
    survey_url = links.survey_url(invitation.public_id)
    assert survey_url in message.body
    token = resolve(survey_url.removeprefix("http://127.0.0.1:8000")).kwargs["token"]
    assert links.survey_public_id(token) == invitation.public_id
    assert message.extra_headers["Message-ID"] == messages.message_id(row)
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.claim, row.sent_at is not None) == (
        Delivery.Status.SENT,
        1,
        None,
        True,
    )


def test_a_second_task_for_the_same_delivery_sends_nothing(invitation):
    row = _delivery_for(invitation)
    delivery.delivery_send(row.pk)
    assert delivery.delivery_send(row.pk) == delivery.NOT_CLAIMED
    assert len(mail.outbox) == 1


def test_only_one_claim_wins(invitation):
    row = _delivery_for(invitation)
    now = timezone.now()
    assert delivery.delivery_claim(row.pk, now=now) is not None
    assert delivery.delivery_claim(row.pk, now=now) is None


def test_a_delivery_is_not_sent_before_it_is_due(invitation):
    row = _delivery_for(invitation, due_at=timezone.now() + datetime.timedelta(hours=1))
    assert delivery.delivery_send(row.pk) == delivery.NOT_CLAIMED
    assert mail.outbox == []


def test_a_claim_whose_lease_ran_out_is_taken_over_and_sent_once(invitation):
    # A worker claimed the row and died: its lease ran out a second ago.
    row = _delivery_for(
        invitation,
        status=Delivery.Status.SENDING,
        attempts=1,
        lease_until=timezone.now() - datetime.timedelta(seconds=1),
    )
    assert delivery.delivery_send(row.pk) == delivery.SENT
    assert delivery.delivery_send(row.pk) == delivery.NOT_CLAIMED
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.attempts == 2


def test_a_live_claim_is_left_to_its_worker(invitation):
    row = _delivery_for(
        invitation,
        status=Delivery.Status.SENDING,
        lease_until=timezone.now() + datetime.timedelta(seconds=60),
    )
    assert delivery.delivery_send(row.pk) == delivery.NOT_CLAIMED
    assert mail.outbox == []


def test_an_answered_survey_is_skipped(invitation):
    SurveyInvitation.objects.filter(pk=invitation.pk).update(answered=True)
    row = _delivery_for(invitation)
    assert delivery.delivery_send(row.pk) == delivery.SKIPPED
    assert mail.outbox == []
    row.refresh_from_db()
    assert row.status == Delivery.Status.SKIPPED


def test_an_unsubscribed_person_gets_nothing_of_that_kind(invitation):
    MailPreferences.objects.create(user=invitation.enrolment.user, survey_invitations=False)
    row = _delivery_for(invitation)
    assert delivery.delivery_send(row.pk) == delivery.SKIPPED
    row.refresh_from_db()
    assert (row.status, row.last_error) == (Delivery.Status.SKIPPED, "recipient unsubscribed")
    assert mail.outbox == []


def test_an_inactive_person_gets_nothing(invitation):
    User.objects.filter(pk=invitation.enrolment.user_id).update(is_active=False)
    row = _delivery_for(invitation)
    assert delivery.delivery_send(row.pk) == delivery.SKIPPED
    assert mail.outbox == []


def test_an_smtp_error_puts_the_row_back_with_a_growing_pause(invitation, smtp_refuses, settings):
    settings.DELIVERY_RETRY_SECONDS = 60
    row = _delivery_for(invitation)

    before = timezone.now()
    assert delivery.delivery_send(row.pk) == delivery.RETRY
    row.refresh_from_db()
    assert row.status == Delivery.Status.PENDING
    assert row.enqueued_at is None
    assert "ConnectionRefusedError" in row.last_error
    assert row.due_at >= before + datetime.timedelta(seconds=60)

    Delivery.objects.filter(pk=row.pk).update(due_at=timezone.now())
    delivery.delivery_send(row.pk)
    row.refresh_from_db()
    assert row.due_at >= before + datetime.timedelta(seconds=120)  # doubled


def test_the_last_attempt_marks_the_delivery_failed(invitation, smtp_refuses, settings):
    settings.DELIVERY_MAX_ATTEMPTS = 2
    row = _delivery_for(invitation, attempts=1)
    assert delivery.delivery_send(row.pk) == delivery.FAILED
    row.refresh_from_db()
    assert row.status == Delivery.Status.FAILED
    assert list(Delivery.objects.failed()) == [row]


def test_the_dispatcher_hands_over_each_ready_row_once(invitation):
    now = timezone.now()
    ready = _delivery_for(invitation)
    _delivery_for(invitation, key="later", due_at=now + datetime.timedelta(hours=1))
    assert list(dispatching.ready_deliveries(now)) == [ready]

    Delivery.objects.filter(pk=ready.pk).update(enqueued_at=now)
    assert list(dispatching.ready_deliveries(now + datetime.timedelta(minutes=1))) == []
    # A message the broker lost is made good after a while.
    later = now + dispatching.REENQUEUE_AFTER + datetime.timedelta(seconds=1)
    assert list(dispatching.ready_deliveries(later)) == [ready]


def test_the_dispatcher_takes_up_a_row_whose_worker_died(invitation):
    now = timezone.now()
    row = _delivery_for(
        invitation,
        status=Delivery.Status.SENDING,
        enqueued_at=now - datetime.timedelta(minutes=3),
        lease_until=now - datetime.timedelta(minutes=1),
    )
    assert list(dispatching.ready_deliveries(now)) == [row]


def test_dispatch_plans_and_sends_through_the_task(
    pair, invitation, celery_eager, django_capture_on_commit_callbacks, settings
):
    # Any hour is the recipients' daytime: the test passes whatever time the clock says.
    settings.MAIL_DAYTIME_HOURS = (0, 0)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = dispatch.delay().get()
    assert outcome["enqueued"] >= 1
    assert [m.to for m in mail.outbox] == [[invitation.enrolment.user.email]]
    with django_capture_on_commit_callbacks(execute=True):
        dispatch.delay().get()
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("language", ["en", "vi", "tr"])
def test_every_kind_of_mail_renders_in_every_language(pair, hr_admin, language):
    User.objects.update(preferred_language=language)
    now = timezone.now()
    invitation = SurveyInvitationFactory(
        schedule=SurveyScheduleFactory(program=pair.program), enrolment=pair.mentee
    )
    soon = Session.objects.create(
        pair=pair, starts_at=now + datetime.timedelta(hours=20), duration_minutes=60
    )
    past = Session.objects.create(
        pair=pair, starts_at=now - datetime.timedelta(hours=3), duration_minutes=60
    )
    pair.program.start_date = now.date() - datetime.timedelta(weeks=6)
    pair.program.save()
    Pair.objects.filter(pk=pair.pk).update(started_at=now - datetime.timedelta(weeks=6))
    kinds = {
        Delivery.Kind.SURVEY: (pair.mentee.user, invitation.pk, f"survey:{invitation.pk}"),
        Delivery.Kind.SURVEY_REMINDER: (pair.mentee.user, invitation.pk, "r:1"),
        Delivery.Kind.SESSION_SOON: (
            pair.mentor.user,
            soon.pk,
            f"session-soon:{soon.pk}:{soon.starts_at:%Y%m%dT%H%M}:1",
        ),
        Delivery.Kind.LOG_NUDGE: (pair.mentor.user, past.pk, "log:1"),
        Delivery.Kind.CADENCE_NUDGE: (pair.mentee.user, pair.pk, "cadence:1"),
        Delivery.Kind.HR_DIGEST: (hr_admin, None, "digest:1"),
    }
    for kind, (user, object_id, key) in kinds.items():
        row = Delivery.objects.create(
            key=key,
            kind=kind,
            recipient=user,
            object_id=object_id,
            due_at=now - datetime.timedelta(seconds=1),
        )
        assert delivery.delivery_send(row.pk) == delivery.SENT, kind
    assert len(mail.outbox) == len(kinds)
    for message in mail.outbox:
        html = message.alternatives[0][0]
        assert f'lang="{language}"' in html
        assert "{%" not in message.body and "{{" not in message.body


def test_nothing_waits_on_the_broker_near_its_visibility_timeout(settings):
    """Redis hands an unacknowledged message to another worker after the visibility timeout:
    a countdown or a claim that long would send a mail twice."""
    from feedback.tasks import deliver
    from mentorship.mail import MAIL_RETRY

    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert MAIL_RETRY["retry_backoff_max"] * 2 <= visibility
    assert visibility >= settings.DELIVERY_LEASE_SECONDS * 10
    assert deliver.time_limit < settings.DELIVERY_LEASE_SECONDS
    assert deliver.soft_time_limit > settings.EMAIL_TIMEOUT
    assert deliver.acks_late and deliver.reject_on_worker_lost


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (smtplib.SMTPDataError(550, b"5.1.1 No such mailbox"), True),
        (smtplib.SMTPDataError(452, b"4.2.2 Mailbox full"), False),
        (smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"no")}), True),
        (smtplib.SMTPRecipientsRefused({"a@example.com": (450, b"busy")}), False),
        (ConnectionRefusedError(), False),
    ],
)
def test_only_a_5xx_answer_is_a_permanent_failure(error, permanent):
    assert delivery._is_permanent(error) is permanent


def test_a_failure_that_is_not_smtps_also_ends_failed(invitation, settings):
    # A template that cannot render is retried like an SMTP error, then given up, never looped.
    settings.DELIVERY_MAX_ATTEMPTS = 1
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [], "APP_DIRS": False, "OPTIONS": {"loaders": []}}
    ]
    row = _delivery_for(invitation)
    assert delivery.delivery_send(row.pk) == delivery.FAILED
    row.refresh_from_db()
    assert (row.status, row.claim) == (Delivery.Status.FAILED, None)
    assert "TemplateDoesNotExist" in row.last_error


def test_a_delivery_whose_every_worker_died_is_given_up(invitation, settings):
    settings.DELIVERY_MAX_ATTEMPTS = 3
    row = _delivery_for(
        invitation,
        status=Delivery.Status.SENDING,
        attempts=3,
        lease_until=timezone.now() - datetime.timedelta(seconds=1),
    )
    assert delivery.delivery_send(row.pk) == delivery.FAILED
    assert mail.outbox == []
    row.refresh_from_db()
    assert row.status == Delivery.Status.FAILED
