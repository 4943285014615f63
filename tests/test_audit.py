"""The audit log: what HR admins and the system do is recorded, HR admins can read it, and
nothing can change or remove an entry."""

import datetime

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from feedback import services as feedback_services
from mentorship.accounts import services as account_services
from mentorship.audit.models import AppendOnly, AuditEvent
from mentorship.audit.services import audit_record
from programs import services as program_services
from programs.models import Topic
from tests import test_every_url
from tests.factories import ProgramFactory, UserFactory
from tests.feedback.factories import builtin
from tests.test_every_url import _table

pytestmark = pytest.mark.django_db
# The same cast and data as the walk over every URL.
world = test_every_url.world
URL = reverse("audit:list")


def events(**filters) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(**filters)
        .order_by("pk")
        .values_list("actor_id", "action", "target_type", "target_label")
    )


def test_creating_and_moving_a_program_is_recorded(hr_admin):
    program = program_services.program_create(
        created_by=hr_admin,
        name="Spring cohort",
        slug="spring",
        objectives="Leaders learn new tools from juniors.",
        topics=Topic.objects.all()[:2],
        start_date=datetime.date(2027, 3, 1),
        end_date=datetime.date(2027, 8, 1),
    )
    program_services.program_transition(program=program, target="enrolment", by=hr_admin)
    assert events(target_id=str(program.pk)) == [
        (hr_admin.pk, "created", "program", "Spring cohort"),
        (hr_admin.pk, "changed", "program", "Spring cohort"),
    ]
    assert AuditEvent.objects.get(action="changed").details == {"status": "draft → enrolment"}


def test_a_status_change_from_the_page_names_who_asked(client_for, hr_admin, program):
    program.status = "draft"
    program.save()
    client_for(hr_admin).post(
        reverse("programs:program_transition", args=[program.slug]), {"status": "enrolment"}
    )
    assert events(action="changed") == [(hr_admin.pk, "changed", "program", program.name)]


def test_role_changes_are_recorded_with_what_changed(hr_admin):
    person = UserFactory()
    account_services.account_set_roles(
        changed_by=hr_admin, user=person, is_hr_admin=False, is_executive=True
    )
    event = AuditEvent.objects.get(action="roles_changed")
    assert (event.actor, event.target_id, event.details) == (
        hr_admin,
        str(person.pk),
        {"executive": "False → True"},
    )
    # Saving the same roles again changes nothing and records nothing.
    account_services.account_set_roles(
        changed_by=hr_admin, user=person, is_hr_admin=False, is_executive=True
    )
    assert AuditEvent.objects.filter(action="roles_changed").count() == 1


def test_a_survey_schedule_is_recorded(hr_admin, program):
    feedback_services.survey_schedule_save(
        program=program, schedule=None, by=hr_admin, template=builtin("mid-program"),
        trigger="from_start", offset_days=30,
    )  # fmt: skip
    assert events(action="created", target_type="surveyschedule")[0][0] == hr_admin.pk


@pytest.mark.parametrize("url_name", ["dashboard_csv", "dashboard_pdf"])
def test_exports_of_figures_are_recorded(client_for, executive, program, url_name):
    client_for(executive).get(reverse(url_name), {"department": ""})
    event = AuditEvent.objects.get(action="exported")
    assert (event.actor, event.target_type) == (executive, "dashboard")
    assert event.target_label.startswith("dashboard-all-programs-")


def test_the_participant_export_is_recorded(client_for, hr_admin, program):
    client_for(hr_admin).get(reverse("programs:participant_export", args=[program.slug]))
    assert events(action="exported") == [(hr_admin.pk, "exported", "program", program.name)]


def test_hr_admins_read_the_log_newest_first_and_filtered(client_for, hr_admin):
    first = audit_record(actor=hr_admin, action="created", target_type="program", label="Old")
    audit_record(actor=None, action="exported", target_type="dashboard", label="New")
    page = client_for(hr_admin).get(URL)
    assert page.status_code == 200
    rows = list(page.context["page"])
    assert [row.target_label for row in rows] == ["New", "Old"]
    filtered = client_for(hr_admin).get(URL, {"action": "created"}).context["page"]
    assert list(filtered) == [first]
    assert "The system" in page.content.decode()


@pytest.mark.parametrize("who", ["mentor", "mentee", "participant", "executive"])
def test_only_hr_admins_read_the_log(request, client_for, who):
    assert client_for(request.getfixturevalue(who)).get(URL).status_code == 403


def test_the_log_page_cannot_be_posted_to(client_for, hr_admin):
    assert client_for(hr_admin).post(URL, {"action": "deleted"}).status_code == 405


def test_an_entry_cannot_be_changed_or_removed(hr_admin):
    event = audit_record(actor=hr_admin, action="created", target_type="program", label="X")
    event.target_label = "Y"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(target_label="Y")
    with pytest.raises(AppendOnly):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).target_label == "X"


def test_the_back_office_can_only_read_the_log(hr_admin):
    model_admin = admin.site._registry[AuditEvent]
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_the_log_page_takes_the_same_queries_at_any_size(
    client_for, hr_admin, django_assert_max_num_queries
):
    client = client_for(hr_admin)
    counts = []
    for total in (3, 60):
        while AuditEvent.objects.count() < total:
            audit_record(
                actor=UserFactory(), action="created", target=ProgramFactory(), label="A program"
            )
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as context:
            assert client.get(URL).status_code == 200
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]


def test_an_account_with_entries_cannot_be_deleted_to_rewrite_them(hr_admin):
    from django.db.models import ProtectedError

    audit_record(actor=hr_admin, action="created", target_type="program", label="X")
    with pytest.raises(ProtectedError):
        hr_admin.delete()
    with pytest.raises(AppendOnly):
        AuditEvent._base_manager.all().update(target_label="Y")


def test_editing_a_program_or_a_person_records_the_fields_changed(client_for, hr_admin, program):
    person = UserFactory(department="Sales")
    account_services.account_update(
        user=person, full_name=person.full_name, department="IT", job_title="",
        preferred_language="en", time_zone="UTC", manager=None, by=hr_admin,
    )  # fmt: skip
    event = AuditEvent.objects.get(action="changed", target_type="user")
    assert (event.actor, event.details) == (hr_admin, {"fields": ["department"]})
    assert "Sales" not in str(event.details) and "IT" not in str(event.details)


def test_the_log_names_what_was_acted_on_in_the_readers_language(client_for, hr_admin):
    audit_record(actor=hr_admin, action="exported", target_type="dashboard", label="d.csv")
    hr_admin.preferred_language = "tr"
    hr_admin.save(update_fields=["preferred_language"])
    page = client_for(hr_admin).get(URL).content.decode()
    assert "Gösterge paneli d.csv" in page and ">dashboard<" not in page


def _snapshot() -> list[tuple]:
    return list(AuditEvent.objects.order_by("pk").values_list())


def test_no_page_of_the_site_or_the_back_office_edits_or_removes_an_entry(client, world):
    """Every URL of the product and every back-office URL of the log, posted to by a
    superuser HR admin with fields naming the log's columns and an entry's id: the entries
    written before are all still there, unchanged (new ones may be added)."""
    superuser = UserFactory(is_staff=True, is_superuser=True, is_hr_admin=True)
    for number in range(3):
        audit_record(actor=superuser, action="created", target_type="program", label=f"P{number}")
    before = _snapshot()
    target = AuditEvent.objects.order_by("pk").first()
    tampering = {
        "action": "deleted",
        "target_label": "rewritten",
        "target_type": "person",
        "actor": superuser.pk,
        "pk": target.pk,
        "id": target.pk,
        "_selected_action": [event.pk for event in AuditEvent.objects.all()],
        "post": "yes",
        "index": 0,
    }
    client.force_login(superuser)
    urls = [reverse(name, kwargs=kwargs) for name, (kwargs, _) in _table(world).items()]
    urls += [
        reverse("admin:audit_auditevent_changelist"),
        reverse("admin:audit_auditevent_add"),
        reverse("admin:audit_auditevent_change", args=[target.pk]),
        reverse("admin:audit_auditevent_delete", args=[target.pk]),
        reverse("admin:audit_auditevent_history", args=[target.pk]),
    ]
    answered = []
    for url in urls:
        for action in ("delete_selected", ""):
            response = client.post(url, {**tampering, "action": action or "deleted"})
            answered.append(response.status_code)

    written_before = AuditEvent.objects.filter(pk__lte=before[-1][0])
    assert list(written_before.order_by("pk").values_list()) == before
    assert 500 not in answered
    assert len(urls) > 60
