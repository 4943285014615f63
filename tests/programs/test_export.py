"""The participant export: the import's columns plus status and profile completeness, safe to
open in a spreadsheet, in a constant number of queries."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs import importing
from programs.csv_format import COLUMNS, EXPORT_COLUMNS
from programs.models import Enrolment, Topic
from tests.factories import EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def export(client, program):
    response = client.get(reverse("programs:participant_export", args=[program.slug]))
    assert response.status_code == 200
    return response


def read_rows(response) -> list[dict[str, str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_export_is_a_csv_attachment_named_after_the_program(client_for, hr_admin, program):
    response = export(client_for(hr_admin), program)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="digital-leaders-2027-participants.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbfemail,full_name,")
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert tuple(header) == EXPORT_COLUMNS
    assert header[-2:] == ["status", "profile_complete"]


def test_export_lists_each_participant_with_profile_and_topics(
    client_for, hr_admin, program, mentor, mentee, other_participant
):
    boss = UserFactory(email="boss@example.com")
    mentee.department, mentee.job_title, mentee.manager = "Board", "CFO", boss
    mentee.save()
    mentor_enrolment = Enrolment.objects.get(user=mentor)
    mentor_enrolment.teach_topics.all().delete()
    mentor_enrolment.teach_topics.create(topic=Topic.objects.get(slug="ai-automation"), level=3)
    mentor_enrolment.teach_topics.create(
        topic=Topic.objects.get(slug="data-analysis-tools"), level=1
    )
    mentor_enrolment.languages = ["vi", "en"]
    mentor_enrolment.guidelines_acknowledged_at = None  # the profile is not complete yet
    mentor_enrolment.save()

    rows = {row["email"]: row for row in read_rows(export(client_for(hr_admin), program))}

    assert sorted(rows) == ["mehmet@example.com", "minh@example.com"]  # not other programs
    assert rows["minh@example.com"] == {
        "email": "minh@example.com",
        "full_name": "Minh Trần",
        "role": "mentor",
        "department": "",
        "job_title": "",
        "manager_email": "",
        "languages": "vi;en",
        "timezone": "Europe/Istanbul",
        "teach_topics": "ai-automation:3;data-analysis-tools:1",
        "learn_topics": "",
        "goals": "Understand how young customers use social media.",
        "status": "approved",
        "profile_complete": "no",
    }
    mehmet = rows["mehmet@example.com"]
    assert (mehmet["role"], mehmet["department"], mehmet["job_title"]) == ("mentee", "Board", "CFO")
    assert mehmet["manager_email"] == "boss@example.com"
    assert mehmet["learn_topics"] == "ai-automation:2"
    assert mehmet["profile_complete"] == "yes"


def test_export_neutralises_spreadsheet_formulas(client_for, hr_admin, program):
    user = UserFactory(
        email="eve@example.com",
        full_name='=HYPERLINK("http://evil.example","Click")',
        department="+SUM(1,2)",
        job_title="-2+3",
    )
    EnrolmentFactory(program=program, user=user, goals="@cmd|' /C calc'!A0", time_zone="UTC")
    tabbed = UserFactory(email="tab@example.com", full_name="\tTab", department="\rReturn")
    EnrolmentFactory(program=program, user=tabbed, goals="Plain goals - with a dash")

    rows = {row["email"]: row for row in read_rows(export(client_for(hr_admin), program))}

    eve = rows["eve@example.com"]
    assert eve["full_name"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert eve["department"] == "'+SUM(1,2)"
    assert eve["job_title"] == "'-2+3"
    assert eve["goals"] == "'@cmd|' /C calc'!A0"
    assert eve["email"] == "eve@example.com"  # untouched cells stay as they are
    assert rows["tab@example.com"]["full_name"] == "'\tTab"
    assert rows["tab@example.com"]["department"] == "'\rReturn"
    assert rows["tab@example.com"]["goals"] == "Plain goals - with a dash"
    for row in rows.values():
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_an_edited_export_imports_back_unchanged(client_for, hr_admin, program, mentor, mentee):
    rows = read_rows(export(client_for(hr_admin), program))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    result = importing.import_apply(
        program=program, text=out.getvalue(), create_topics=False, by=hr_admin
    )
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)


def test_an_export_with_neutralised_formulas_imports_back_unchanged(client_for, hr_admin, program):
    user = UserFactory(
        email="-eve@example.com",
        full_name="=Eve",
        department="-",
        job_title="+1 analyst",
    )
    EnrolmentFactory(program=program, user=user, goals="@home: learn TikTok")
    other = UserFactory(email="ann@example.com", full_name="Ann", department="'=quoted")
    EnrolmentFactory(program=program, user=other, goals="'-) already quoted")
    rows = read_rows(export(client_for(hr_admin), program))
    assert rows[0]["email"] == "'-eve@example.com"
    assert rows[0]["full_name"] == "'=Eve"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)

    result = importing.import_apply(
        program=program, text=out.getvalue(), create_topics=False, by=hr_admin
    )

    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    user.refresh_from_db()
    other.refresh_from_db()
    assert (user.full_name, user.department, user.job_title) == ("=Eve", "-", "+1 analyst")
    assert other.department == "'=quoted"
    assert Enrolment.objects.get(user=user).goals == "@home: learn TikTok"
    assert Enrolment.objects.get(user=other).goals == "'-) already quoted"


def test_export_queries_do_not_grow_with_participants(client_for, hr_admin, program):
    client = client_for(hr_admin)
    topics = list(program.topics.all())
    counts = []
    for total in (10, 60):
        while Enrolment.objects.filter(program=program).count() < total:
            manager = UserFactory()
            EnrolmentFactory(
                program=program,
                role="mentor",
                user=UserFactory(manager=manager, department="Sales"),
                topics=topics,
            )
            EnrolmentFactory(program=program, role="mentee", topics=topics[:2])
        with CaptureQueriesContext(connection) as context:
            response = export(client, program)
        assert len(read_rows(response)) == total
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 8, [query["sql"] for query in context.captured_queries]
