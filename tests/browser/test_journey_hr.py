"""HR admin's journey in a real browser: create a program through its form, open enrolment,
import participants from a CSV (upload, preview, confirm), start matching, run it and approve
it; pairs exist and both people get an introduction mail. In English on a desktop and in
Turkish on a phone."""

import csv
import datetime
import io
import re

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.text import capfirst
from playwright.sync_api import expect

from matching.models import Pair
from programs.models import Enrolment, Program, Topic
from tests.browser.conftest import say

pytestmark = pytest.mark.django_db(transaction=True)

CASES = [
    pytest.param("en", False, id="en-desktop"),
    pytest.param("tr", True, id="tr-phone"),
]

PEOPLE = [
    {
        "email": "lan@example.com",
        "full_name": "Lan Phạm",
        "role": "mentor",
        "department": "Marketing",
        "job_title": "Content lead",
        "manager_email": "hoa@example.com",
        "languages": "vi;en",
        "timezone": "Asia/Ho_Chi_Minh",
        "teach_topics": "ai-automation:3",
        "learn_topics": "",
        "goals": "Show leaders how we use AI tools.",
    },
    {
        "email": "mehmet.import@example.com",
        "full_name": "Mehmet Yılmaz",
        "role": "mentee",
        "department": "Board",
        "job_title": "Chief financial officer",
        "manager_email": "",
        "languages": "tr;en",
        "timezone": "Europe/Istanbul",
        "teach_topics": "",
        "learn_topics": "ai-automation:3",
        "goals": "Understand the tools my teams use.",
    },
    {
        "email": "hoa@example.com",
        "full_name": "Hoa Lê",
        "role": "",
        "department": "Marketing",
        "job_title": "Head of marketing",
        "manager_email": "",
        "languages": "",
        "timezone": "",
        "teach_topics": "",
        "learn_topics": "",
        "goals": "",
    },
]


def participants_csv() -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(PEOPLE[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(PEOPLE)
    return out.getvalue().encode()


@pytest.mark.parametrize(("language", "phone"), CASES)
def test_hr_admin_creates_a_program_imports_people_and_approves_the_matching(
    page_for, snap, hr_admin, language, phone
):
    page = page_for(hr_admin, language=language, phone=phone)

    def label(text: str) -> re.Pattern:
        # A model field's label, as Django writes it: capitalised, with its suffix (":").
        return re.compile(rf"^{re.escape(capfirst(say(language, text)))}\W*$")

    # Create the program through its form.
    page.goto("/programs/new/")
    expect(page.get_by_role("heading", name=say(language, "New program"))).to_be_visible()
    start = timezone.localdate() + datetime.timedelta(days=30)
    page.get_by_label(label("name")).fill("AI for leaders")
    page.get_by_label(label("short name in addresses")).fill("ai-for-leaders")
    page.get_by_label(label("objectives")).fill("Leaders learn the AI tools their teams use.")
    page.get_by_label(label("start date")).fill(start.isoformat())
    page.get_by_label(label("end date")).fill((start + datetime.timedelta(days=120)).isoformat())
    page.get_by_label(label("enrolment deadline")).fill(
        (start - datetime.timedelta(days=7)).isoformat()
    )
    with translation.override(language):
        topic = Topic.objects.get(slug="ai-automation").label
    page.get_by_label(topic, exact=True).check()
    snap(page, "program form filled in")
    page.get_by_role("button", name=say(language, "Save"), exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("AI for leaders")
    expect(page.locator(".messages")).to_contain_text(
        say(language, "Program “%(name)s” created as a draft.", name="AI for leaders")
    )
    program = Program.objects.get(slug="ai-for-leaders")
    assert program.status == "draft"
    assert list(program.topics.values_list("slug", flat=True)) == ["ai-automation"]
    snap(page, "program created")

    def move_to(status: str) -> None:
        page.get_by_role(
            "button", name=say(language, "Move to: %(status)s", status=say(language, status))
        ).click()
        expect(page.locator(".messages")).to_contain_text(
            say(language, "The program is now: %(status)s.", status=say(language, status))
        )

    move_to("Enrolment")

    # Import the participants: upload, read the preview, confirm.
    page.get_by_role("link", name=say(language, "Import a CSV")).click()
    expect(page.get_by_role("heading", name=say(language, "Import participants"))).to_be_visible()
    page.get_by_label(say(language, "CSV file")).set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": participants_csv()}
    )
    snap(page, "csv chosen")
    page.get_by_role("button", name=say(language, "Check the file")).click()

    expect(page.get_by_role("heading", name=say(language, "Import preview"))).to_be_visible()
    expect(page.get_by_role("cell", name="mehmet.import@example.com")).to_be_visible()
    assert not Enrolment.objects.filter(program=program).exists()
    snap(page, "import preview")
    confirm = say(language, "Import %(counter)s row", "Import %(counter)s rows", 3, counter=3)
    page.get_by_role("button", name=confirm).click()

    expect(page.locator(".messages")).to_contain_text(
        say(
            language,
            "Import applied: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.",
            created=3,
            updated=0,
            unchanged=0,
        )
    )
    enrolments = Enrolment.objects.filter(program=program)
    assert sorted(enrolments.values_list("user__email", "role")) == [
        ("lan@example.com", "mentor"),
        ("mehmet.import@example.com", "mentee"),
    ]
    snap(page, "participants imported")

    # The two people acknowledge the guidelines themselves (the participants' own pages, not
    # this journey); then their profiles are complete and matching can start.
    enrolments.update(guidelines_acknowledged_at=timezone.now())
    page.goto(f"/programs/{program.slug}/")
    move_to("Matching")
    snap(page, "enrolment closed")

    # Run matching and approve it.
    page.get_by_role("link", name=say(language, "Matching"), exact=True).click()
    expect(
        page.get_by_text(say(language, "Matching has not run for this program yet."))
    ).to_be_visible()
    page.get_by_role("button", name=say(language, "Run matching"), exact=True).click()
    expect(page.locator(".messages")).to_contain_text(
        say(
            language,
            "Matching ran: %(matched)d of %(total)d mentee matched.",
            "Matching ran: %(matched)d of %(total)d mentees matched.",
            1,
            matched=1,
            total=1,
        )
    )
    suggested = page.get_by_role("row").filter(has_text="Mehmet Yılmaz")
    expect(suggested).to_contain_text("Lan Phạm")
    snap(page, "matching suggested")
    assert not Pair.objects.filter(program=program).exists()

    page.get_by_role("button", name=say(language, "Approve these pairs")).click()
    expect(page.locator(".messages")).to_contain_text(
        say(language, "Every mentee has a mentor: the program is now active.")
    )
    snap(page, "matching approved")

    pair = Pair.objects.get(program=program)
    assert (pair.mentor.user.email, pair.mentee.user.email) == (
        "lan@example.com",
        "mehmet.import@example.com",
    )
    program.refresh_from_db()
    assert program.status == "active"
    assert sorted(to for message in mail.outbox for to in message.to) == [
        "lan@example.com",
        "mehmet.import@example.com",
    ]
