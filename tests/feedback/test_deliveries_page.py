"""HR's deliveries page: counts by status and kind in one query, the failed mails page by page,
sending a failed mail again (and nothing else), who may see it, and the read-only back office."""

import datetime
import itertools

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from feedback import services
from feedback.models import Delivery
from feedback.views_hr import DELIVERIES_PER_PAGE
from tests.factories import UserFactory

LIST = reverse("feedback:delivery_list")
REFUSED_ROLES = ["mentor", "mentee", "other_mentee", "other_mentor", "executive"]
_keys = itertools.count(1)


def _delivery(recipient, *, status="failed", kind="survey", **fields) -> Delivery:
    return Delivery.objects.create(
        key=f"test:{next(_keys)}",
        kind=kind,
        recipient=recipient,
        status=status,
        due_at=fields.pop("due_at", timezone.now() - datetime.timedelta(hours=3)),
        **fields,
    )


def _retry(delivery) -> str:
    return reverse("feedback:delivery_retry", args=[delivery.pk])


@pytest.fixture
def failed(mentee):
    return _delivery(mentee, attempts=5, last_error="SMTP 550 mailbox unavailable")


# --- Access ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_other_roles_are_refused_and_change_nothing(client_for, people, failed, role):
    client = client_for(people[role])
    assert client.get(LIST).status_code == 403
    assert client.post(_retry(failed)).status_code == 403
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("failed", 5)


@pytest.mark.parametrize("who", ["anonymous", "inactive"])
def test_signed_out_and_inactive_visitors_are_sent_to_sign_in(
    client_for, inactive_user, failed, who
):
    client = client_for(inactive_user if who == "inactive" else None)
    for response in (client.get(LIST), client.post(_retry(failed))):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    failed.refresh_from_db()
    assert failed.status == "failed"


def test_wrong_methods_are_405(client_for, hr_admin, failed):
    client = client_for(hr_admin)
    assert client.post(LIST).status_code == 405
    assert client.get(_retry(failed)).status_code == 405


# --- The page ----------------------------------------------------------------------------------


def test_hr_sees_counts_by_kind_and_status_and_the_failed_mails(
    client_for, hr_admin, mentee, mentor, failed
):
    _delivery(mentor, status="sent", kind="survey")
    _delivery(mentor, status="sent", kind="survey_reminder")
    _delivery(mentee, status="pending", kind="survey_reminder")
    _delivery(mentor, status="skipped", kind="log_nudge")
    client = client_for(hr_admin)

    response = client.get(LIST)

    counts = response.context["counts"]
    by_kind = {row["kind"]: row for row in counts["rows"]}
    assert (by_kind["survey"]["failed"], by_kind["survey"]["sent"]) == (1, 1)
    assert (by_kind["survey_reminder"]["pending"], by_kind["survey_reminder"]["total"]) == (1, 2)
    statuses = [value for value, _label in counts["statuses"]]
    totals = [count for _label, count in counts["totals"]]
    assert dict(zip(statuses, totals, strict=True)) == {
        "pending": 1,
        "sending": 0,
        "sent": 2,
        "failed": 1,
        "skipped": 1,
    }
    assert counts["total"] == 5
    content = response.content.decode()
    assert "Mehmet Kaya" in content and "mehmet@example.com" in content
    assert "SMTP 550 mailbox unavailable" in content
    assert _retry(failed) in content
    assert "no-store" in response["Cache-Control"]


def test_the_counts_and_the_list_take_the_same_queries_at_any_size(
    client_for, hr_admin, mentee, django_assert_num_queries
):
    client = client_for(hr_admin)
    _delivery(mentee)
    with CaptureQueriesContext(connection) as context:
        assert client.get(LIST).status_code == 200
    for index in range(30):
        kind = ["survey", "survey_reminder", "log_nudge"][index % 3]
        _delivery(UserFactory(), kind=kind, status=["failed", "sent"][index % 2])
    with django_assert_num_queries(len(context.captured_queries)):
        assert client.get(LIST).status_code == 200


def test_failed_mails_are_listed_page_by_page(client_for, hr_admin, mentee):
    for _ in range(DELIVERIES_PER_PAGE + 3):
        _delivery(mentee)
    _delivery(mentee, status="sent")
    client = client_for(hr_admin)
    first = client.get(LIST)
    assert len(first.context["page"].object_list) == DELIVERIES_PER_PAGE
    assert first.context["page"].paginator.count == DELIVERIES_PER_PAGE + 3
    second = client.get(LIST, {"page": 2})
    assert len(second.context["page"].object_list) == 3
    assert all(delivery.status == "failed" for delivery in second.context["page"])


# --- Sending again -----------------------------------------------------------------------------


def test_a_failed_mail_goes_back_to_waiting_due_now_with_no_attempts(client_for, hr_admin, failed):
    failed.lease_until = timezone.now()
    failed.save()
    before = timezone.now()
    response = client_for(hr_admin).post(_retry(failed), follow=True)
    failed.refresh_from_db()
    assert failed.status == "pending" and failed.attempts == 0
    assert before <= failed.due_at <= timezone.now()
    assert failed.lease_until is None and failed.claim is None and failed.last_error == ""
    assert "will be sent again" in response.content.decode()


@pytest.mark.parametrize("status", ["pending", "sending", "sent", "skipped"])
def test_only_a_failed_mail_can_be_sent_again(client_for, hr_admin, mentee, status):
    due = timezone.now() + datetime.timedelta(days=2)
    delivery = _delivery(mentee, status=status, attempts=2, due_at=due, last_error="earlier")
    response = client_for(hr_admin).post(_retry(delivery), follow=True)
    assert "Only a failed mail can be sent again" in response.content.decode()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.due_at) == (status, 2, due)
    assert delivery.last_error == "earlier"


def test_a_retry_counts_once_even_when_clicked_twice(failed):
    assert services.delivery_retry(delivery_id=failed.pk) is True
    assert services.delivery_retry(delivery_id=failed.pk) is False


def test_an_unknown_delivery_is_404(client_for, hr_admin):
    assert (
        client_for(hr_admin).post(reverse("feedback:delivery_retry", args=[9999])).status_code
        == 404
    )


# --- The back office ---------------------------------------------------------------------------


def test_the_admin_shows_deliveries_read_only(rf, db):
    request = rf.get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    delivery_admin = admin.site._registry[Delivery]
    assert delivery_admin.has_view_permission(request)
    assert not delivery_admin.has_add_permission(request)
    assert not delivery_admin.has_change_permission(request)
    assert not delivery_admin.has_delete_permission(request)


def test_the_admin_leaves_out_survey_mails(rf, mentee):
    """When a person's survey reminders stopped would tell when they answered."""
    request = rf.get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    for key, kind in (
        ("survey:1", Delivery.Kind.SURVEY),
        ("survey-reminder:1:1", Delivery.Kind.SURVEY_REMINDER),
        ("log-nudge:1:1", Delivery.Kind.LOG_NUDGE),
    ):
        Delivery.objects.create(key=key, kind=kind, recipient=mentee, due_at=timezone.now())
    shown = admin.site._registry[Delivery].get_queryset(request)
    assert list(shown.values_list("key", flat=True)) == ["log-nudge:1:1"]
