"""A pair's journey in a real browser: the mentor proposes a session on the pair page, logs it as
held once it has taken place, and the mentee finds the log on their side and confirms it. In
English on a desktop and in Vietnamese on a phone."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone, translation
from playwright.sync_api import expect

from matching.models import Pair, Session, SessionLog
from programs.models import Enrolment
from tests.browser.conftest import say

pytestmark = pytest.mark.django_db(transaction=True)

CASES = [
    pytest.param("en", False, id="en-desktop"),
    pytest.param("vi", True, id="vi-phone"),
]
MENTOR_ZONE = "Asia/Ho_Chi_Minh"


def field(language: str, text: str) -> re.Pattern:
    """A form field's label as Django writes it: the text and its suffix (":")."""
    return re.compile(rf"^{re.escape(say(language, text))}\W*$")


@pytest.fixture
def pair(program, mentor, mentee):
    program.status = "active"
    program.save(update_fields=["status"])
    mentor.time_zone = MENTOR_ZONE
    mentor.save(update_fields=["time_zone"])
    mentee.time_zone = "Europe/Istanbul"
    mentee.save(update_fields=["time_zone"])
    return Pair.objects.create(
        program=program,
        mentor=Enrolment.objects.get(program=program, user=mentor),
        mentee=Enrolment.objects.get(program=program, user=mentee),
    )


@pytest.mark.parametrize(("language", "phone"), CASES)
def test_mentor_schedules_and_logs_a_session_and_the_mentee_confirms_it(
    page_for, snap, pair, mentor, mentee, language, phone
):
    topic = pair.program.topics.first()
    with translation.override(language):
        topic_label = topic.label
    page = page_for(mentor, language=language, phone=phone)

    # From the home page to the pair, then to the proposal form.
    page.goto("/")
    your_mentee = say(language, "Your mentee: %(name)s", name="Mehmet Kaya")
    page.get_by_role("link", name=your_mentee).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(your_mentee)
    expect(page.get_by_text(say(language, "No session is planned yet."))).to_be_visible()
    snap(page, "pair page")
    page.get_by_role("link", name=say(language, "Propose a session")).first.click()
    expect(page.get_by_role("heading", name=say(language, "Propose a session"))).to_be_visible()

    # Two days ahead at 10:00 in the mentor's own time zone.
    day = timezone.now().astimezone(ZoneInfo(MENTOR_ZONE)).date() + datetime.timedelta(days=2)
    page.get_by_label(field(language, "Date")).fill(day.isoformat())
    page.get_by_label(field(language, "Start time")).fill("10:00")
    length = page.get_by_label(field(language, "Length (minutes)"))
    expect(length).to_have_value("60")
    page.get_by_label(field(language, "Place or video link")).fill("Meeting room 5")
    snap(page, "session proposal")
    page.get_by_role("button", name=say(language, "Propose and send the invitation")).click()

    expect(page.locator(".messages")).to_contain_text(
        say(language, "Session proposed. You both get a calendar invitation.")
    )
    next_session = page.get_by_role("region", name=say(language, "Next session"))
    expect(next_session).to_contain_text("Meeting room 5")
    snap(page, "session proposed")
    session = Session.objects.get(pair=pair)
    starts_at = datetime.datetime.combine(day, datetime.time(10), tzinfo=ZoneInfo(MENTOR_ZONE))
    assert session.starts_at == starts_at
    assert session.status == Session.Status.SCHEDULED
    invited = sorted(message.to[0] for message in mail.outbox)
    assert invited == ["mehmet@example.com", "minh@example.com"]
    assert all(
        [part.get_filename() for part in message.attachments] == ["invite.ics"]
        for message in mail.outbox
    )

    # The session took place; that evening the mentor comes back (signed in again: the idle
    # sign-out has long passed) and logs it.
    with time_machine.travel(starts_at + datetime.timedelta(hours=3), tick=True):
        page = page_for(mentor, language=language, phone=phone)
        page.goto(f"/my/pairs/{pair.public_id}/")
        page.get_by_role("link", name=say(language, "Log this session")).click()
        page.get_by_label(say(language, "Held"), exact=True).check()
        expect(page.get_by_label(field(language, "Actual length (minutes)"))).to_have_value("60")
        page.get_by_label(topic_label, exact=True).check()
        page.get_by_label(field(language, "Takeaways")).fill("Prompts for the weekly report.")
        snap(page, "session log")
        page.get_by_role("button", name=say(language, "Save the log")).click()

        expect(page.locator(".messages")).to_contain_text(say(language, "The session is logged."))
        history = page.get_by_role("region", name=say(language, "Sessions"), exact=True)
        expect(history).to_contain_text(say(language, "Held"))
        snap(page, "session logged")
        session.refresh_from_db()
        assert session.status == Session.Status.HELD
        log = SessionLog.objects.get(session=session)
        assert log.takeaways == "Prompts for the weekly report."
        assert list(log.topics_covered.all()) == [topic]

        # The mentee sees the log on their side of the pair and confirms it.
        theirs = page_for(mentee, language=language, phone=phone)
        theirs.goto("/")
        theirs.get_by_role(
            "link", name=say(language, "Your mentor: %(name)s", name="Minh Trần")
        ).click()
        history = theirs.get_by_role("region", name=say(language, "Sessions"), exact=True)
        expect(history).to_contain_text(
            say(language, "Logged by %(name)s, not confirmed yet", name="Minh Trần")
        )
        expect(history).to_contain_text(topic_label)
        notes = theirs.get_by_role("region", name=say(language, "Private notes"), exact=True)
        expect(notes).to_contain_text("Prompts for the weekly report.")
        # No private note was written: a dash, not "None".
        expect(notes.get_by_role("definition").last).to_have_text("—")
        snap(theirs, "mentee sees the log")
        history.get_by_role("button", name=say(language, "Confirm"), exact=True).click()

        expect(theirs.locator(".messages")).to_contain_text(
            say(language, "You confirmed the log of this session.")
        )
        expect(history).to_contain_text(say(language, "Confirmed by %(name)s", name="Mehmet Kaya"))
        snap(theirs, "mentee confirmed")
        log.refresh_from_db()
        assert log.confirmed_by == mentee
