"""The dashboard's CSV export: who may download it, and that it carries the page's figures under
the page's rules (hidden ones empty and marked, a refused selection with no figure at all)."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from mentorship.dashboard.export import write_report
from mentorship.dashboard.metrics import Figure, Report, TopicCoverage
from programs.models import Topic

pytestmark = pytest.mark.django_db
URL = reverse("dashboard_csv")
HEADER = ["Section", "Measure", "Group", "Value", "Note"]


def rows_of(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def by_key(rows) -> dict[tuple[str, str, str], list[str]]:
    return {(section, measure, group): rest for section, measure, group, *rest in rows[1:]}


@pytest.mark.parametrize("who", ["mentor", "mentee", "participant"])
def test_participants_cannot_download_the_figures(request, client_for, program, who):
    assert client_for(request.getfixturevalue(who)).get(URL).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_post_is_not_allowed(client_for, executive):
    assert client_for(executive).post(URL).status_code == 405


@pytest.mark.parametrize("who", ["executive", "hr_admin"])
def test_the_download_is_a_csv_attachment_named_after_the_program_and_day(
    request, client_for, small_program, who
):
    program = small_program.program
    response = client_for(request.getfixturevalue(who)).get(URL, {"program": program.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="dashboard-{program.slug}-{today}.csv"'
    )
    assert "no-store" in response["Cache-Control"]
    assert rows_of(response)[0] == HEADER


def test_the_overview_is_named_all_programs(client_for, executive, small_program):
    response = client_for(executive).get(URL)
    assert "dashboard-all-programs-" in response["Content-Disposition"]


def test_the_values_are_the_pages_figures(client_for, executive, small_program):
    client = client_for(executive)
    params = {"program": small_program.program.pk}
    report = client.get(reverse("dashboard"), params).context["report"]
    rows = by_key(rows_of(client.get(URL, params)))
    t1 = small_program.t1.label

    def shown(figure: Figure) -> list[str]:
        return [str(figure.value), ""]

    participation = "Participation and sessions"
    assert rows[(participation, "Approved pairs", "")] == shown(report.pairs)
    assert rows[(participation, "Sessions held vs expected (%)", "")] == shown(report.adherence)
    assert rows[(participation, "Mentoring hours", "")] == shown(report.hours)
    assert rows[("Satisfaction and surveys", "NPS", "Mentees")] == shown(report.nps_mentees)
    learning = "Learning gain by topic"
    assert rows[(learning, "Mean confidence at enrolment (1–5)", t1)] == shown(
        report.learning[0].start
    )
    assert rows[(learning, "Gain", t1)] == shown(report.learning[0].gain)
    assert rows[("Trend by month", "Sessions held", "2026-01")] == shown(report.months[0].sessions)
    # One line per figure of the page: 11 participation, 4 survey, 3 per topic, 1 per covered
    # topic, 2 per month.
    figures = 11 + 4 + 3 * len(report.learning) + len(report.coverage) + 2 * len(report.months)
    assert len(rows) == figures


def test_hidden_figures_are_empty_and_say_so(client_for, executive, small_program):
    rows = by_key(rows_of(client_for(executive).get(URL, {"program": small_program.program.pk})))
    # Mentors' NPS: 2 answers under a threshold of 3.
    hidden = ["", "Hidden to protect anonymity"]
    assert rows[("Satisfaction and surveys", "NPS", "Mentors")] == hidden
    # February's 3 pairs are hidden to protect March's 1: the same words, which do not tell
    # which rule hid it. Its 5 sessions never appear.
    assert rows[("Trend by month", "Sessions held", "2026-02")] == hidden
    for value, note in rows.values():
        assert note.startswith("Hidden") == (value == "")


def test_a_refused_selection_gives_no_figure(client_for, executive, small_program):
    response = client_for(executive).get(
        URL, {"program": small_program.program.pk, "department": "IT"}
    )
    rows = rows_of(response)
    assert rows[0] == HEADER
    assert len(rows) == 2
    assert rows[1][:4] == ["", "", "", ""]
    assert "too small to show" in rows[1][4]


def test_invalid_filters_give_no_figure(client_for, executive, small_program):
    rows = rows_of(client_for(executive).get(URL, {"period": "March"}))
    assert len(rows) == 2 and "not valid" in rows[1][4]


def test_text_cells_cannot_start_a_formula():
    out = io.StringIO()
    report = Report(
        threshold=3,
        allowed=True,
        participants=Figure(10, 10, False),
        nps_mentors=Figure(-20, 10, False),
        coverage=[TopicCoverage(topic='=HYPERLINK("http://x")', sessions=Figure(4, 5, False))],
    )
    write_report(out, report, [], refusal="")
    rows = by_key(list(csv.reader(io.StringIO(out.getvalue()))))
    assert (
        "Topic coverage",
        "Held sessions covering the topic",
        '\'=HYPERLINK("http://x")',
    ) in rows
    # A negative score is a number, not a formula: it is written as it is.
    assert rows[("Satisfaction and surveys", "NPS", "Mentors")][0] == "-20"


def test_the_page_links_to_the_csv_with_its_filters(client_for, executive, small_program):
    params = {"program": small_program.program.pk, "period": "2026-Q1"}
    page = client_for(executive).get(reverse("dashboard"), params).content.decode()
    assert f'href="{URL}?program={small_program.program.pk}&amp;period=2026-Q1"' in page
    assert "Download CSV" in page


def test_a_topic_named_like_a_formula_is_neutralised_end_to_end(
    client_for, executive, small_program
):
    Topic.objects.filter(pk=small_program.t1.pk).update(name="@SUM(A1)")
    rows = rows_of(client_for(executive).get(URL, {"program": small_program.program.pk}))
    groups = {row[2] for row in rows}
    assert "'@SUM(A1)" in groups and "@SUM(A1)" not in groups
