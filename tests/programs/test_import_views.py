"""The import pages: only HR admins get in; an upload shows row-numbered errors or leads to a
preview; confirming applies the file once."""

import uuid

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mentorship.accounts.models import User
from programs import importing
from programs.models import Enrolment, ParticipantImport, Topic
from tests.factories import EnrolmentFactory, ProgramFactory, UserFactory
from tests.programs.test_importing import HOA, LAN, MEHMET, csv_text, db_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def offered(program):
    """`program` offers the topics the sample rows name."""
    program.topics.add(
        *Topic.objects.filter(
            slug__in=[
                "ai-automation",
                "social-media-tiktok",
                "project-tools",
                "data-analysis-tools",
            ]
        )
    )
    return program


@pytest.fixture
def pending_import(offered, hr_admin):
    return ParticipantImport.objects.create(
        program=offered, uploaded_by=hr_admin, filename="people.csv", content=csv_text(LAN, HOA)
    )


def upload_url(program) -> str:
    return reverse("programs:import_upload", args=[program.slug])


def preview_url(upload) -> str:
    return reverse("programs:import_preview", args=[upload.program.slug, upload.pk])


def csv_file(content: str | bytes, name="people.csv", content_type="text/csv"):
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type=content_type)


def post_file(client, program, content, **kwargs):
    create_topics = kwargs.pop("create_topics", False)
    data = {"file": csv_file(content, **kwargs)}
    if create_topics:
        data["create_topics"] = "on"
    return client.post(upload_url(program), data)


# --- Who may open the pages ---------------------------------------------------------------------


PAGES = ["import_upload", "import_preview", "participant_export"]


def page_url(name, upload) -> str:
    if name == "import_preview":
        return preview_url(upload)
    return reverse(f"programs:{name}", args=[upload.program.slug])


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitor_is_sent_to_sign_in(client, pending_import, name):
    url = page_url(name, pending_import)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("role", ["mentor", "mentee", "executive", "other_participant"])
def test_people_who_are_not_hr_are_refused(request, client_for, pending_import, name, role):
    client = client_for(request.getfixturevalue(role))
    assert client.get(page_url(name, pending_import)).status_code == 403


@pytest.mark.parametrize("role", ["mentor", "mentee", "executive", "other_participant"])
def test_people_who_are_not_hr_cannot_upload_or_confirm(request, client_for, pending_import, role):
    client = client_for(request.getfixturevalue(role))
    before = db_state()
    assert post_file(client, pending_import.program, csv_text(MEHMET)).status_code == 403
    assert client.post(preview_url(pending_import)).status_code == 403
    assert db_state() == before


@pytest.mark.parametrize("name", PAGES)
def test_hr_admin_opens_the_pages(client_for, hr_admin, pending_import, name):
    assert client_for(hr_admin).get(page_url(name, pending_import)).status_code == 200


def test_an_import_of_another_program_is_not_found(client_for, hr_admin, pending_import):
    other = ProgramFactory(slug="other-cohort")
    client = client_for(hr_admin)
    url = reverse("programs:import_preview", args=[other.slug, pending_import.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    pending_import.refresh_from_db()
    assert pending_import.applied_at is None


def test_an_unknown_import_or_program_is_not_found(client_for, hr_admin, program):
    client = client_for(hr_admin)
    url = reverse("programs:import_preview", args=[program.slug, uuid.uuid4()])
    assert client.get(url).status_code == 404
    assert client.get(reverse("programs:import_upload", args=["no-such-program"])).status_code == (
        404
    )
    url = reverse("programs:participant_export", args=["no-such-program"])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_wrong_method_is_refused(client_for, hr_admin, pending_import, name):
    response = client_for(hr_admin).put(page_url(name, pending_import))
    assert response.status_code == 405


def test_export_refuses_post(client_for, hr_admin, program):
    url = reverse("programs:participant_export", args=[program.slug])
    assert client_for(hr_admin).post(url).status_code == 405


# --- Upload -------------------------------------------------------------------------------------


def test_upload_form_offers_a_csv_field_and_the_create_topics_choice(client_for, hr_admin, program):
    response = client_for(hr_admin).get(upload_url(program))
    html = response.content.decode()
    assert 'type="file"' in html
    assert 'accept=".csv,text/csv"' in html
    assert 'name="create_topics"' in html
    assert 'enctype="multipart/form-data"' in html
    assert "email,full_name,role,department,job_title,manager_email" in html


def test_good_upload_is_stored_and_leads_to_the_preview(client_for, hr_admin, offered):
    before = User.objects.count()
    response = post_file(client_for(hr_admin), offered, csv_text(LAN, MEHMET, HOA))
    upload = ParticipantImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == preview_url(upload)
    assert (upload.program, upload.uploaded_by, upload.filename) == (
        offered,
        hr_admin,
        "people.csv",
    )
    assert upload.content == csv_text(LAN, MEHMET, HOA)
    assert upload.applied_at is None
    assert not upload.create_topics
    assert User.objects.count() == before  # only the preview's confirmation saves people


def test_upload_with_byte_order_mark_is_accepted(client_for, hr_admin, offered):
    data = b"\xef\xbb\xbf" + csv_text(LAN, HOA).encode()
    response = post_file(client_for(hr_admin), offered, data)
    assert response.status_code == 302
    assert ParticipantImport.objects.get().content.startswith("email,")


def test_upload_remembers_create_topics(client_for, hr_admin, offered):
    text = csv_text({**MEHMET, "learn_topics": "Knitting"})
    response = post_file(client_for(hr_admin), offered, text, create_topics=True)
    assert response.status_code == 302
    assert ParticipantImport.objects.get().create_topics
    assert not Topic.objects.filter(name="Knitting").exists()


@pytest.mark.parametrize(
    ("content", "kwargs", "expected"),
    [
        (csv_text(LAN, HOA), {"name": "people.xlsx"}, "Choose a file whose name ends in .csv."),
        (
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
            {"content_type": "application/pdf"},
            "The file is not UTF-8 text",
        ),
        (
            csv_text({**HOA, "full_name": "José Müller"}).encode("latin-1"),
            {},
            "The file is not UTF-8 text",
        ),
        (b"x" * (importing.MAX_IMPORT_BYTES + 1), {}, "the limit is 2.0\xa0MB"),
        ("", {}, "The submitted file is empty."),
        ("\r\n", {}, "The file is empty."),
        (csv_text(LAN, columns=["email", "full_name"]), {}, "Row 1: Missing columns: role,"),
        (csv_text(HOA, {**LAN, "email": "lan@"}), {}, "Row 3, column “email”: “lan@” is not"),
        (
            csv_text(HOA, {**LAN, "teach_topics": "Knitting"}),
            {},
            "Row 3, column “teach_topics”: “Knitting” is not in the topic catalogue.",
        ),
        (
            csv_text({**HOA, "manager_email": "lan@example.com"}, LAN),
            {},
            "Row 2, column “manager_email”: The reporting line goes round in a loop",
        ),
    ],
    ids=[
        "not-csv-name",
        "pdf-named-csv",
        "latin-1",
        "over-size",
        "empty-upload",
        "empty-file",
        "missing-columns",
        "invalid-email",
        "unknown-topic",
        "manager-cycle",
    ],
)
def test_bad_upload_shows_the_problem_and_saves_nothing(
    client_for, hr_admin, offered, content, kwargs, expected
):
    before = db_state()
    response = post_file(client_for(hr_admin), offered, content, **kwargs)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert expected in html.replace("&quot;", '"').replace("&#x27;", "'")
    assert db_state() == before


def test_upload_lists_every_row_error(client_for, hr_admin, offered):
    text = csv_text({**LAN, "role": "boss", "manager_email": ""}, {**MEHMET, "timezone": "Nowhere"})
    response = post_file(client_for(hr_admin), offered, text)
    html = response.content.decode()
    assert "The file has 2 problems. Nothing was saved." in html
    assert "Row 2, column “role”" in html
    assert "Row 3, column “timezone”" in html


@pytest.mark.parametrize(
    "content_type",
    ["text/csv", "application/vnd.ms-excel", "text/plain", "application/octet-stream", ""],
)
def test_any_content_type_the_browser_sends_is_accepted_for_a_csv_file(
    client_for, hr_admin, offered, content_type
):
    response = post_file(
        client_for(hr_admin), offered, csv_text(LAN, HOA), content_type=content_type
    )
    assert response.status_code == 302


# --- Preview and confirm ------------------------------------------------------------------------


def test_preview_shows_what_will_happen(client_for, hr_admin, pending_import):
    before = db_state()
    response = client_for(hr_admin).get(preview_url(pending_import))
    html = response.content.decode()
    assert response.context["plan"].created == 2
    assert '<th scope="row">Lan Phạm</th>' in html
    assert "lan@example.com" in html
    assert "AI and automation tools (3)" in html
    assert "not enrolled" in html  # Hoa completes the reporting line only
    assert 'data-label="Action"' in html
    assert db_state() == before


def test_confirming_applies_the_import_and_reports_the_counts(client_for, hr_admin, pending_import):
    client = client_for(hr_admin)
    response = client.post(preview_url(pending_import))
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "programs:participant_list", args=[pending_import.program.slug]
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Import applied: 2 created, 0 updated, 0 unchanged."
    ]
    assert Enrolment.objects.filter(
        program=pending_import.program, user__email="lan@example.com", status="approved"
    ).exists()
    pending_import.refresh_from_db()
    assert pending_import.applied_at is not None
    assert pending_import.content == ""


def test_upload_into_a_draft_program_is_refused(client_for, hr_admin, offered):
    offered.status = "draft"
    offered.save()
    client = client_for(hr_admin)
    assert "Open enrolment first" in client.get(upload_url(offered)).content.decode()
    before = db_state()
    response = post_file(client, offered, csv_text(LAN, HOA))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Open enrolment first: a draft program takes nobody in yet." in html
    assert db_state() == before


def test_preview_and_confirmation_report_skipped_people(client_for, hr_admin, offered):
    EnrolmentFactory(
        program=offered,
        user=UserFactory(email="lan@example.com", full_name="Lan Phạm"),
        role="mentor",
        status="withdrawn",
    )
    upload = ParticipantImport.objects.create(
        program=offered, uploaded_by=hr_admin, filename="people.csv", content=csv_text(LAN, HOA)
    )
    client = client_for(hr_admin)
    html = client.get(preview_url(upload)).content.decode()
    assert response_figure(html, "To skip") == "1"
    assert "withdrew from the program" in html

    response = client.post(preview_url(upload))
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Import applied: 1 created, 0 updated, 0 unchanged. 1 person was skipped: "
        "people who withdrew or were declined keep their decision."
    ]
    assert Enrolment.objects.get(user__email="lan@example.com").status == "withdrawn"


def response_figure(html: str, label: str) -> str:
    after = html.split(f"<dt>{label}</dt><dd>", 1)[1]
    return after.split("</dd>", 1)[0]


def test_a_second_confirmation_changes_nothing(client_for, hr_admin, pending_import):
    client = client_for(hr_admin)
    client.post(preview_url(pending_import))
    before = db_state()
    response = client.post(preview_url(pending_import))
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)][-1] == (
        "This import was already applied; nothing was changed."
    )
    assert db_state() == before
    page = client.get(preview_url(pending_import)).content.decode()
    assert "This import was applied on" in page


def test_confirming_a_file_that_went_stale_shows_the_errors(client_for, hr_admin, pending_import):
    pending_import.program.topics.remove(Topic.objects.get(slug="ai-automation"))
    before = db_state()
    response = client_for(hr_admin).post(preview_url(pending_import))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "This program does not offer “AI and automation tools”" in html
    assert db_state() == before
