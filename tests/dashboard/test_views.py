"""The dashboard page: who may open it, what it shows, and that it never names a person."""

import datetime

import pytest
from django.urls import reverse

from matching.models import Pair
from programs.models import Enrolment
from tests.dashboard.conftest import make_pair

pytestmark = pytest.mark.django_db
URL = reverse("dashboard")


@pytest.mark.parametrize("who", ["mentor", "mentee", "participant"])
def test_participants_are_refused(request, client_for, program, who):
    user = request.getfixturevalue(who)
    assert client_for(user).get(URL).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_post_is_not_allowed(client_for, executive):
    assert client_for(executive).post(URL).status_code == 405


@pytest.mark.parametrize("who", ["executive", "hr_admin"])
def test_dashboard_viewers_see_the_program_figures(request, client_for, small_program, who):
    response = client_for(request.getfixturevalue(who)).get(
        URL, {"program": small_program.program.pk}
    )
    assert response.status_code == 200
    report = response.context["report"]
    assert report.allowed and report.pairs.value == 4
    assert "dashboard.css" in response.content.decode()


def test_the_executive_page_names_nobody(client_for, executive, small_program):
    page = client_for(executive).get(URL, {"program": small_program.program.pk}).content.decode()
    for pair in Pair.objects.select_related("mentor__user", "mentee__user"):
        for enrolment in (pair.mentor, pair.mentee):
            assert enrolment.user.full_name not in page
            assert enrolment.user.email not in page
            assert enrolment.goals not in page


def test_the_executive_sees_only_aggregates(client_for, executive, small_program):
    context = client_for(executive).get(URL, {"program": small_program.program.pk}).context
    for name in ("report", "rows"):
        assert not _holds_a_model(context[name]), name


def _holds_a_model(value) -> bool:
    from dataclasses import fields, is_dataclass

    from django.db.models import Model

    if isinstance(value, Model):
        return True
    if is_dataclass(value):
        return any(_holds_a_model(getattr(value, f.name)) for f in fields(value))
    if isinstance(value, dict):
        return any(_holds_a_model(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_holds_a_model(item) for item in value)
    return False


def test_a_small_department_is_refused_on_the_page(client_for, executive, small_program):
    response = client_for(executive).get(
        URL, {"program": small_program.program.pk, "department": "IT"}
    )
    assert response.status_code == 200
    assert not response.context["report"].allowed
    assert "too small to show" in response.content.decode()


def test_hidden_figures_say_so_without_saying_why(client_for, executive, small_program):
    page = client_for(executive).get(URL, {"program": small_program.program.pk}).content.decode()
    # March (1 pair) is hidden for its size and February (3 pairs) to protect it: one wording
    # for both, since which rule hid a figure would say whether its group is small.
    assert page.count("Hidden to protect anonymity") >= 4
    assert "Fewer than" not in page


def test_no_group_size_is_printed(client_for, executive, small_program):
    # Sizes of different figures count the same people: subtracted from one another they
    # would give away groups that the figures hide.
    page = client_for(executive).get(URL, {"program": small_program.program.pk}).content.decode()
    assert "n = " not in page and "Group size" not in page


def test_the_overview_uses_the_largest_threshold(client_for, executive, small_program):
    strict = Enrolment.objects.first().program.__class__.objects.create(
        name="Strict",
        slug="strict",
        start_date=datetime.date(2026, 1, 5),
        end_date=datetime.date(2026, 7, 5),
        status="active",
        anonymity_threshold=9,
    )
    make_pair(strict, mentee_department="Sales")
    report = client_for(executive).get(URL).context["report"]
    assert report.threshold == 9
    # 5 pairs in all: under 9.
    assert report.pairs.hidden and report.pairs.n == 5


@pytest.mark.parametrize("period", ["March", "2026-Q5", "2031-Q1", "2026-01"])
def test_a_period_that_is_not_offered_shows_the_error_and_no_figures(
    client_for, executive, small_program, period
):
    client = client_for(executive)
    response = client.get(URL, {"period": period})
    assert response.status_code == 200
    assert response.context["report"] is None
    assert "Select a valid choice" in response.content.decode()
    assert client.get(reverse("dashboard_csv"), {"period": period}).status_code == 200


def test_the_periods_offered_are_the_quarters_the_programs_ran_in(
    client_for, executive, small_program, time_machine
):
    # The program runs from 5 January to 5 July 2026.
    time_machine.move_to(datetime.datetime(2026, 4, 20, 12, tzinfo=datetime.UTC))
    form = client_for(executive).get(URL).context["form"]
    assert [value for value, _label in form.fields["period"].choices] == ["", "2026-Q2", "2026-Q1"]


def test_a_quarter_is_a_period_of_the_page(client_for, executive, small_program, time_machine):
    time_machine.move_to(datetime.datetime(2026, 4, 20, 12, tzinfo=datetime.UTC))
    response = client_for(executive).get(URL, {"period": "2026-Q1"})
    report = response.context["report"]
    assert report.allowed
    assert [row.month.month for row in report.months] == [1, 2, 3]
