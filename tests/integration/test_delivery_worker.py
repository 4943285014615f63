"""Surveys and reminders through a real worker, broker, test database and SMTP server: every mail
arrives once, in its reader's language, with links that work; also when the dispatcher runs
twice, in two workers at once, after SMTP errors, and when a worker dies in the middle of a
batch."""

import datetime
import re
import threading
from collections import Counter

import pytest
from django.utils import timezone

from feedback import messages
from feedback.models import Delivery, MailPreferences, SurveyInvitation, SurveySchedule
from feedback.tasks import dispatch
from matching.models import Pair, Session
from mentorship.accounts.models import User
from programs.models import Program
from tests.factories import EnrolmentFactory, UserFactory
from tests.feedback.factories import SurveyInvitationFactory, SurveyScheduleFactory
from tests.integration.conftest import LEASE_SECONDS, poll_until, wait_until_idle

pytestmark = [pytest.mark.worker, pytest.mark.integration]

SURVEY_LINK = re.compile(r"http://testserver(/surveys/[^/\s]+/)")
UNSUBSCRIBE_LINK = re.compile(r"<http://testserver(/mail/unsubscribe/[^/\s]+/)>")
Status = Delivery.Status


@pytest.fixture
def speakers(pair) -> Pair:
    """The pair, with the mentor reading Vietnamese and the mentee Turkish."""
    User.objects.filter(pk=pair.mentor.user_id).update(preferred_language="vi")
    User.objects.filter(pk=pair.mentee.user_id).update(preferred_language="tr")
    return Pair.objects.select_related("mentor__user", "mentee__user", "program").get(pk=pair.pk)


def survey_due_today(program: Program, **fields) -> SurveySchedule:
    """The mid-program survey, due today: the program started 30 days ago."""
    today = timezone.now().date()  # the planner's day is the UTC one
    Program.objects.filter(pk=program.pk).update(
        status="active",
        start_date=today - datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=150),
    )
    return SurveyScheduleFactory(
        program=program, trigger=SurveySchedule.Trigger.FROM_START, offset_days=30, **fields
    )


def run_dispatch(worker=None) -> dict:
    """One run of the dispatcher in a worker (this one, when given), as beat starts it."""
    options = {"queue": worker.direct_queue} if worker else {}
    return dispatch.apply_async(**options).get(timeout=30)


def dispatch_until(condition, *, timeout: float, message: str) -> None:
    """Run the dispatcher again and again, as beat does every minute, until `condition()`."""
    poll_until(
        lambda: run_dispatch() is not None and condition(),
        timeout=timeout,
        message=message,
        state=lambda: Delivery.objects.values_list(
            "key", "status", "attempts", "enqueued_at", "lease_until"
        ),
    )


def statuses() -> dict[str, str]:
    return dict(Delivery.objects.values_list("key", "status"))


def test_a_survey_reaches_each_person_once_in_their_language_with_working_links(
    start_worker, smtp, speakers, client
):
    survey_due_today(speakers.program)
    mentor, mentee = speakers.mentor.user, speakers.mentee.user
    worker = start_worker()

    summary = run_dispatch()
    smtp.wait_for(2)
    wait_until_idle([worker])

    assert summary["enqueued"] == 2
    assert smtp.count_by_recipient() == {mentor.email: 1, mentee.email: 1}
    rows = {row.recipient_id: row for row in Delivery.objects.all()}
    assert {row.kind for row in rows.values()} == {Delivery.Kind.SURVEY}
    assert {(row.status, row.attempts) for row in rows.values()} == {(Status.SENT, 1)}
    for person, survey_name, greeting in [
        (mentor, "Khảo sát giữa chương trình", "Xin chào Minh Trần,"),
        (mentee, "Program ortası anketi", "Merhaba Mehmet Kaya,"),
    ]:
        [mail] = smtp.to(person.email)
        assert survey_name in mail.subject
        assert mail.text.startswith(greeting)
        assert mail["Message-ID"] == messages.message_id(rows[person.pk])

        page = client.get(SURVEY_LINK.search(mail.text).group(1))
        assert page.status_code == 200
        assert survey_name in page.content.decode()

        unsubscribe = UNSUBSCRIBE_LINK.fullmatch(mail["List-Unsubscribe"]).group(1)
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        # What a mail client does for "unsubscribe" (RFC 8058): a bare POST, signed out.
        response = client.post(
            unsubscribe,
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 200
        assert MailPreferences.objects.get(user=person).survey_invitations is False


def test_two_dispatchers_at_once_then_a_third_send_each_survey_once(start_worker, smtp, pair):
    survey_due_today(pair.program)
    first, second = start_worker(wait=False), start_worker(wait=False)
    first.wait_until_ready()
    second.wait_until_ready()

    # One dispatcher in each worker process, at the same moment, then one more after them.
    running = [dispatch.apply_async(queue=worker.direct_queue) for worker in (first, second)]
    for result in running:
        result.get(timeout=30)
    smtp.wait_for(2)
    run_dispatch()
    wait_until_idle([first, second])

    assert smtp.count_by_recipient() == {pair.mentor.user.email: 1, pair.mentee.user.email: 1}
    assert SurveyInvitation.objects.count() == 2
    assert Delivery.objects.count() == 2
    assert set(Delivery.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}
    for worker in (first, second):
        assert "feedback.tasks.dispatch[" in worker.log()


def test_reminders_arrive_once_each_in_the_readers_language(start_worker, smtp, speakers):
    now = timezone.now()
    mentor, mentee = speakers.mentor.user, speakers.mentee.user
    # Planned three days ago for tomorrow: both hear about it a day before.
    tomorrow = Session.objects.create(
        pair=speakers, starts_at=now + datetime.timedelta(hours=20), duration_minutes=60
    )
    Session.objects.filter(pk=tomorrow.pk).update(created_at=now - datetime.timedelta(days=3))
    # Ended two hours ago and nobody logged it: both are asked to.
    unlogged = Session.objects.create(
        pair=speakers, starts_at=now - datetime.timedelta(hours=3), duration_minutes=60
    )
    # The mentee was sent a survey four days ago and has not answered; a reminder is due
    # after three.
    schedule = SurveyScheduleFactory(
        program=speakers.program, offset_days=300, max_reminders=2, reminder_every_days=3
    )
    invitation = SurveyInvitationFactory(schedule=schedule, enrolment=speakers.mentee)
    four_days_ago = now - datetime.timedelta(days=4)
    Delivery.objects.create(
        key=f"survey:{invitation.pk}",
        kind=Delivery.Kind.SURVEY,
        recipient=mentee,
        object_id=invitation.pk,
        due_at=four_days_ago,
        status=Status.SENT,
        attempts=1,
        sent_at=four_days_ago,
    )
    worker = start_worker()

    run_dispatch()
    smtp.wait_for(5)
    run_dispatch()
    wait_until_idle([worker])

    expected = {
        f"session-soon:{tomorrow.pk}:{tomorrow.starts_at:%Y%m%dT%H%M}:{mentor.pk}",
        f"session-soon:{tomorrow.pk}:{tomorrow.starts_at:%Y%m%dT%H%M}:{mentee.pk}",
        f"log-nudge:{unlogged.pk}:{mentor.pk}",
        f"log-nudge:{unlogged.pk}:{mentee.pk}",
        f"survey-reminder:{invitation.pk}:1",
    }
    assert statuses() == {f"survey:{invitation.pk}": Status.SENT} | dict.fromkeys(
        expected, Status.SENT
    )
    received = [mail["Message-ID"] for mail in smtp.received]
    assert sorted(received) == sorted(
        messages.message_id(row) for row in Delivery.objects.filter(key__in=expected)
    )
    for mail in smtp.to(mentor.email):
        assert mail.text.startswith("Xin chào Minh Trần,")
    for mail in smtp.to(mentee.email):
        assert mail.text.startswith("Merhaba Mehmet Kaya,")
    [reminder] = [m for m in smtp.to(mentee.email) if "survey-reminder" in m["Message-ID"]]
    assert "Program ortası anketi" in reminder.subject
    assert SURVEY_LINK.search(reminder.text)


def test_a_refused_mail_is_retried_once_and_a_hopeless_one_ends_failed(start_worker, smtp, pair):
    survey_due_today(pair.program)
    mentor, mentee = pair.mentor.user.email, pair.mentee.user.email

    refuse_once = {mentor}

    def answer(number, mail):
        if mentee in mail.recipients:
            return "452 4.2.2 Mailbox full"  # temporary, every time
        if mentor in mail.recipients and mentor in refuse_once:
            refuse_once.remove(mentor)
            return "451 4.3.0 Try again later"
        return None

    smtp.on_message = answer
    start_worker(DELIVERY_RETRY_SECONDS="1", DELIVERY_MAX_ATTEMPTS="3")

    dispatch_until(
        lambda: set(statuses().values()) == {Status.SENT, Status.FAILED},
        timeout=60,
        message="one delivery sent, the other failed",
    )

    rows = {row.recipient.email: row for row in Delivery.objects.select_related("recipient")}
    assert (rows[mentor].status, rows[mentor].attempts) == (Status.SENT, 2)
    assert (rows[mentee].status, rows[mentee].attempts) == (Status.FAILED, 3)
    assert "452" in rows[mentee].last_error
    assert smtp.count_by_recipient() == {mentor: 1}
    assert Counter(mail.recipients[0] for mail in smtp.refused) == {mentor: 1, mentee: 3}


def _pairs(program: Program, count: int) -> list[str]:
    """`count` pairs in `program`; returns everyone's address."""
    addresses = []
    for n in range(count):
        mentor, mentee = (
            EnrolmentFactory(program=program, role=role, user=UserFactory(email=f"{role}{n}@x.io"))
            for role in ("mentor", "mentee")
        )
        Pair.objects.create(program=program, mentor=mentor, mentee=mentee)
        addresses += [mentor.user.email, mentee.user.email]
    return addresses


def test_a_worker_killed_in_the_middle_of_a_batch_leaves_everyone_one_mail(
    start_worker, smtp, program
):
    addresses = _pairs(program, 20)
    survey_due_today(program)
    # Prefork, as in production: the pool's child sends, the parent holds the broker messages.
    doomed = start_worker(pool="prefork")
    killed = threading.Event()

    def kill_on_the_tenth(number, mail):
        if number == 10:
            doomed.kill()  # the worker and its pool, while the tenth mail is in the DATA phase
            killed.set()
            return "451 4.3.0 Try again later"  # so this one was not delivered
        return None

    smtp.on_message = kill_on_the_tenth
    run_dispatch()
    poll_until(killed.is_set, timeout=60, message="the tenth mail arrives")
    [orphan] = Delivery.objects.filter(status=Status.SENDING)
    successor = start_worker(pool="prefork")

    # The claim of the killed worker holds until its lease runs out; then the dispatcher hands
    # that delivery to the new worker.
    dispatch_until(
        lambda: Delivery.objects.filter(pk=orphan.pk, status=Status.SENT).exists(),
        timeout=LEASE_SECONDS + 30,
        message="the delivery of the killed worker sent again",
    )
    wait_until_idle([successor])
    # The killed worker fetched one message at a time (prefetch multiplier 1), so it held back
    # nothing else: the successor takes the rest from the queue, with no re-enqueue.
    poll_until(
        lambda: set(statuses().values()) == {Status.SENT},
        timeout=30,
        message="every delivery sent",
        state=statuses,
    )
    wait_until_idle([successor])

    assert smtp.count_by_recipient() == dict.fromkeys(addresses, 1)
    assert len(smtp.refused) == 1
    orphan.refresh_from_db()
    assert (orphan.status, orphan.attempts) == (Status.SENT, 2)
    assert orphan.recipient.email in smtp.refused[0].recipients
