"""An executive's dashboard journey in a real browser: the overview of all programs, then one
program chosen in the filters (figures, charts, and figures hidden to protect anonymity), then a
department too small to show. In English on a desktop and in Turkish on a phone."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import say
from tests.dashboard.conftest import answer, at, hold, make_pair
from tests.factories import ProgramFactory
from tests.feedback.factories import SurveyInvitationFactory, SurveyScheduleFactory, builtin

pytestmark = pytest.mark.django_db(transaction=True)

CASES = [
    pytest.param("en", False, id="en-desktop"),
    pytest.param("tr", True, id="tr-phone"),
]
# Words that the catalogue translates by the same word.
# The day the figures are read (as in tests/dashboard/conftest.py): two months into the program.
TODAY = datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)


@pytest.fixture
def leaders_program(db):
    """An active program (threshold 3) of four pairs, three mentees in Sales and one in IT,
    with sessions held since January, session ratings and an end-of-program NPS."""
    program = ProgramFactory(
        name="Leaders 2026",
        slug="leaders-2026",
        start_date=datetime.date(2026, 1, 5),
        end_date=datetime.date(2026, 7, 5),
        enrolment_deadline=None,
        cadence_weeks=2,
        anonymity_threshold=3,
        status="active",
    )
    pairs = [
        make_pair(program, mentee_department=department)
        for department in ("Sales", "Sales", "Sales", "IT")
    ]
    for pair in pairs:
        hold(pair, at(1, 12))
        hold(pair, at(1, 26))
    hold(pairs[0], at(2, 9))
    hold(pairs[0], at(3, 1))  # March: one pair, hidden
    pulse = SurveyScheduleFactory(program=program, template=builtin("session-pulse"))
    for pair, rating in zip(pairs, (5, 4, 4, 3), strict=True):
        answer(pulse, "session_rating", rating, enrolment=pair.mentee)
    end = SurveyScheduleFactory(program=program, template=builtin("end-of-program"))
    for pair in pairs:
        SurveyInvitationFactory(schedule=end, enrolment=pair.mentee, answered=True)
    for score in (10, 9, 9, 6):
        answer(end, "program_nps", score, role="mentee")
    return program


@pytest.mark.parametrize(("language", "phone"), CASES)
def test_executive_reads_the_dashboard_and_narrows_it_with_the_filters(
    page_for, snap, executive, leaders_program, time_machine, language, phone
):
    time_machine.move_to(TODAY, tick=True)
    page = page_for(executive, language=language, phone=phone)

    def card(label: str):
        return page.locator(".dash-card").filter(
            has=page.get_by_role("term").filter(has_text=say(language, label))
        )

    # The overview of all programs, from the home page.
    page.goto("/")
    page.get_by_role("link", name=say(language, "Dashboard")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(say(language, "Dashboard"))
    expect(card("Active pairs").get_by_role("definition")).to_have_text("4")
    snap(page, "all programs")

    # One program, chosen in the filters.
    filters = page.get_by_role("form", name=say(language, "Filters"))
    filters.get_by_label(say(language, "Program")).select_option(label="Leaders 2026")
    filters.get_by_role("button", name=say(language, "Show")).click()
    expect(page).to_have_url(re.compile(rf"\?program={leaders_program.pk}&"))
    participation = page.get_by_role(
        "table", name=say(language, "Enrolled people, pairs and sessions")
    )
    approved = participation.get_by_role("row").filter(has_text=say(language, "Approved pairs"))
    expect(approved.get_by_role("cell")).to_have_text("4")
    sessions = participation.get_by_role("row").filter(has_text=say(language, "Sessions held"))
    expect(sessions.first.get_by_role("cell")).to_have_text("10")
    hidden = page.get_by_text(say(language, "Hidden to protect anonymity"))
    expect(hidden.first).to_be_visible()
    assert hidden.count() >= 1
    # No page of the dashboard names a person.
    expect(page.locator("main")).not_to_contain_text("@example.com")
    snap(page, "one program")

    # A department of one mentee is too small to show at all.
    filters.get_by_label(say(language, "Department")).select_option("IT")
    filters.get_by_role("button", name=say(language, "Show")).press("Enter")
    expect(page.get_by_role("status")).to_have_text(
        say(
            language,
            "This selection is too small to show: the group chosen, or the rest of the "
            "program, has fewer than %(n)s people.",
            n=3,
        )
    )
    expect(participation).to_have_count(0)
    snap(page, "department too small")
