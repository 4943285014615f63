"""Takeaways and private notes are for the two people of a pair: they never reach HR's pages,
the executive dashboard, exports, mails, logs, the Django admin, or the database in plain text."""

import datetime
import logging

import pytest
from django.contrib import admin
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from matching import session_logs
from matching.models import Pair, Session, SessionLog
from programs.models import Enrolment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SECRETS = ("TAKEAWAY-SECRET", "NOTE-SECRET")


@pytest.fixture
def logged(program, mentor, mentee, caplog, django_capture_on_commit_callbacks):
    """An active pair whose mentor logged a session with secret takeaways and notes, and whose
    mentee then confirmed it."""
    caplog.set_level(logging.DEBUG)
    program.status = "active"
    program.save()
    pair = Pair.objects.create(
        program=program,
        mentor=Enrolment.objects.get(user=mentor, program=program),
        mentee=Enrolment.objects.get(user=mentee, program=program),
    )
    session = Session.objects.create(
        pair=pair, starts_at=timezone.now() - datetime.timedelta(days=1), duration_minutes=60
    )
    with django_capture_on_commit_callbacks(execute=True):
        session_logs.session_log_save(
            session=session,
            by=mentor,
            outcome="held",
            held_on=session.starts_at,
            actual_minutes=55,
            topics_covered=list(program.topics.all()[:1]),
            takeaways="TAKEAWAY-SECRET",
            private_notes="NOTE-SECRET",
            action_items=[],
        )
        session_logs.session_log_confirm(session=session, by=mentee)
    return pair


def _assert_secret_free(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret} leaked into {where}"


def test_the_two_people_read_their_notes(client_for, mentee, logged):
    page = (
        client_for(mentee)
        .get(reverse("matching:my_pair", args=[logged.public_id]))
        .content.decode()
    )
    for secret in SECRETS:
        assert secret in page


def test_no_hr_page_shows_notes_or_takeaways(client_for, hr_admin, logged):
    client = client_for(hr_admin)
    slug = logged.program.slug
    urls = [
        reverse("programs:program_detail", args=[slug]),
        reverse("programs:participant_list", args=[slug]),
        reverse("programs:participant_export", args=[slug]),
        reverse("matching:review", args=[slug]),
        reverse("matching:mentee", args=[slug, logged.mentee.public_id]),
        reverse("matching:hr_pairs", args=[slug]),
    ] + [
        reverse("programs:participant_detail", args=[slug, enrolment.public_id])
        for enrolment in (logged.mentor, logged.mentee)
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response) if response.streaming else response.content
        _assert_secret_free(body.decode(), url)
    # HR cannot open the pair page itself.
    assert client.get(reverse("matching:my_pair", args=[logged.public_id])).status_code == 404


def test_the_participant_export_leaves_the_notes_out(client_for, hr_admin, logged):
    response = client_for(hr_admin).get(
        reverse("programs:participant_export", args=[logged.program.slug])
    )
    assert response.status_code == 200
    body = b"".join(response) if response.streaming else response.content
    assert b"Minh" in body  # the export is real, and still secret-free
    _assert_secret_free(body.decode(), "the participant export")


def test_the_executive_dashboard_leaves_the_notes_out(client_for, executive, logged):
    response = client_for(executive).get(reverse("dashboard"))
    assert response.status_code == 200
    _assert_secret_free(response.content.decode(), "the dashboard")
    assert (
        client_for(executive).get(reverse("matching:my_pair", args=[logged.public_id])).status_code
        == 404
    )


def _mail_texts(message) -> list[str]:
    """Everything a mail carries, attachments decoded (an .ics travels base64-encoded)."""
    texts = [message.subject, message.body]
    texts += [content for content, _mimetype in getattr(message, "alternatives", [])]
    for part in message.message().walk():
        payload = part.get_payload(decode=True)
        if payload:
            texts.append(payload.decode("utf-8", "replace"))
    return texts


def test_no_mail_carries_the_notes(
    logged, mentor, mentee, celery_eager, django_capture_on_commit_callbacks
):
    from matching import scheduling
    from matching.pair_lifecycle import pair_end

    # Every mail of the pair's story is checked: an invitation, its update, and the
    # cancellation that ending the pair sends.
    with django_capture_on_commit_callbacks(execute=True):
        session = scheduling.session_propose(
            pair=logged,
            by=mentor,
            starts_at=timezone.now() + datetime.timedelta(days=3),
            duration_minutes=60,
            location="Room 4",
        )
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.session_update(
            session=session,
            by=mentee,
            starts_at=session.starts_at + datetime.timedelta(hours=1),
            duration_minutes=60,
            location="Room 5",
        )
    with django_capture_on_commit_callbacks(execute=True):
        pair_end(pair=logged, by=mentee, reason="Moving teams")
    assert len(mail.outbox) == 6, [message.subject for message in mail.outbox]
    assert any("BEGIN:VCALENDAR" in text for text in _mail_texts(mail.outbox[0]))
    for message in mail.outbox:
        for text in _mail_texts(message):
            _assert_secret_free(text, f"the mail {message.subject!r}")


def test_the_logs_leave_the_notes_out(logged, caplog):
    _assert_secret_free(caplog.text, "the logs")


def test_the_django_admin_shows_no_notes(client, logged):
    staff = UserFactory(
        email="root@example.com", is_staff=True, is_superuser=True, is_hr_admin=True
    )
    client.force_login(staff)
    if SessionLog in admin.site._registry:
        log = SessionLog.objects.get()
        for url in (
            reverse("admin:matching_sessionlog_changelist"),
            reverse("admin:matching_sessionlog_change", args=[log.pk]),
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            _assert_secret_free(response.content.decode(), url)
    else:
        assert client.get("/admin/matching/sessionlog/").status_code == 404
        log = SessionLog.objects.get()
        assert client.get(f"/admin/matching/sessionlog/{log.pk}/change/").status_code == 404
    # Every registered model's list and a few change pages: none of them shows the notes.
    for model, _model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        response = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert response.status_code == 200, info
        _assert_secret_free(response.content.decode(), f"the admin list of {info}")
        for pk in model._default_manager.values_list("pk", flat=True)[:5]:
            response = client.get(reverse("admin:{}_{}_change".format(*info), args=[pk]))
            assert response.status_code == 200, (info, pk)
            _assert_secret_free(response.content.decode(), f"the admin page of {info} {pk}")


def test_the_database_column_is_encrypted_and_the_orm_decrypts(logged):
    with connection.cursor() as cursor:
        cursor.execute("SELECT private_notes, takeaways FROM matching_sessionlog")
        rows = cursor.fetchall()
    assert len(rows) == 1
    for value in rows[0]:
        raw = bytes(value) if isinstance(value, (bytes, memoryview)) else str(value).encode()
        assert raw
        for secret in SECRETS:
            assert secret.encode() not in raw
    log = SessionLog.objects.get()
    assert (log.takeaways, log.private_notes) == ("TAKEAWAY-SECRET", "NOTE-SECRET")
