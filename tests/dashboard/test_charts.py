"""The dashboard's charts: drawn from shown figures only, escaped, scriptless, accessible, and
with no query of their own."""

import base64
import datetime
import re

import pytest
from django.urls import reverse

from mentorship.dashboard import views
from mentorship.dashboard.charts import dashboard_charts
from mentorship.dashboard.metrics import Figure, Month, Report, TopicCoverage, TopicGain

URL = reverse("dashboard")
SECRET = 4321  # a value no chart may print when its figure is hidden


def shown(value) -> Figure:
    return Figure(value=value, n=10, hidden=False)


def hidden() -> Figure:
    # A hidden figure keeps its value None; this one holds a value to prove charts never read it.
    return Figure(value=SECRET, n=1, hidden=True)


def a_report(**changes) -> Report:
    figures = dict(
        threshold=3,
        allowed=True,
        participants=shown(20),
        adherence=shown(80),
        response_rate_mentors=shown(60),
        response_rate_mentees=hidden(),
        nps_mentors=shown(-15),
        nps_mentees=shown(40),
        learning=[
            TopicGain(topic="Data tools", start=shown(1.5), end=shown(3.25), gain=shown(1.75)),
            TopicGain(topic="Secret topic", start=hidden(), end=hidden(), gain=hidden()),
        ],
        coverage=[TopicCoverage(topic="Data tools", sessions=shown(17))],
        months=[
            Month(month=datetime.date(2026, 1, 1), sessions=shown(12), hours=shown(9.5)),
            Month(month=datetime.date(2026, 2, 1), sessions=hidden(), hours=hidden()),
        ],
    )
    return Report(**{**figures, **changes})


def texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_the_charts_print_the_shown_values_and_their_labels():
    charts = dashboard_charts(a_report())
    assert set(charts) == {"rates", "nps", "learning", "coverage", "months"}
    assert {"80%", "60%"} <= set(texts(charts["rates"].svg))
    assert {"-15", "40", "Mentors", "Mentees"} <= set(texts(charts["nps"].svg))
    assert {"1.5", "3.25", "Data tools"} <= set(texts(charts["learning"].svg))
    assert {"17", "Data tools"} <= set(texts(charts["coverage"].svg))
    assert {"12", "9.5", "Jan 2026"} <= set(texts(charts["months"].svg))


def test_a_hidden_figure_is_never_drawn():
    charts = dashboard_charts(a_report())
    for chart in charts.values():
        assert str(SECRET) not in chart.svg
    # A hidden month keeps its place on the time axis, labelled as hidden; so does a hidden rate.
    assert "Feb 2026 (hidden)" in texts(charts["months"].svg)
    assert "Survey answers, mentees (hidden)" in texts(charts["rates"].svg)
    # A topic whose figures are all hidden is left out, and counted under the chart.
    assert "Secret topic" not in charts["learning"].svg
    assert charts["learning"].note.startswith("1 topic is left out")


def test_a_chart_with_nothing_to_show_is_not_drawn():
    charts = dashboard_charts(a_report(nps_mentors=hidden(), nps_mentees=hidden(), months=[]))
    assert "nps" not in charts and "months" not in charts


@pytest.mark.parametrize("report", [None, Report(threshold=3, allowed=False)])
def test_no_charts_without_figures(report):
    assert dashboard_charts(report) == {}


def test_labels_are_escaped_and_the_svg_runs_no_script():
    topic = '<script>alert("x")</script>'
    report = a_report(
        coverage=[TopicCoverage(topic=topic, sessions=shown(3))],
        learning=[TopicGain(topic=topic, start=shown(1), end=shown(2), gain=shown(1))],
    )
    for chart in dashboard_charts(report).values():
        assert "<script" not in chart.svg
        assert "javascript" not in chart.svg.lower()
    learning = dashboard_charts(report)["learning"].svg
    assert "&lt;script&gt;" in learning


def test_each_chart_is_an_image_with_an_accessible_name():
    for chart in dashboard_charts(a_report()).values():
        root = re.match(r"<svg[^>]*>", chart.svg).group(0)
        assert 'role="img"' in root
        assert f'aria-label="{chart.name}"' in root
        assert chart.name.startswith("Bar chart")


@pytest.mark.django_db
def test_the_page_shows_the_charts_above_their_tables(client_for, executive, small_program):
    page = client_for(executive).get(URL, {"program": small_program.program.pk}).content.decode()
    # Each chart is an SVG image with its name as alt text: no inline SVG and its <style>.
    images = re.findall(r'<img src="data:image/svg\+xml;base64,([^"]+)"[^>]* alt="([^"]*)"', page)
    assert len(images) == 5
    assert "<svg" not in page and "<style" not in page
    assert page.count("<table") == 5
    assert page.index('alt="Bar chart: sessions held and mentoring hours per month"') < (
        page.index("Sessions held and mentoring hours per month</caption>")
    )
    # February (hidden to protect March) is labelled so; its 5 sessions and 4.8 hours are not.
    months = next(
        base64.b64decode(data).decode() for data, alt in images if alt.endswith("per month")
    )
    assert {"Jan 2026", "Feb 2026 (hidden)", "Mar 2026 (hidden)", "6", "5.0"} <= set(texts(months))
    assert not {"4.8", "1.0"} & set(texts(months))


@pytest.mark.django_db
def test_the_charts_add_no_query(client_for, executive, small_program, monkeypatch):
    client = client_for(executive)
    params = {"program": small_program.program.pk}
    client.get(URL, params)  # warm the session and caches alike for both counts

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, params).status_code == 200
        return len(queries)

    with_charts = count()
    monkeypatch.setattr(views, "dashboard_charts", lambda report: {})
    assert count() == with_charts


@pytest.mark.django_db
def test_a_topic_named_like_markup_is_escaped_on_the_page(client_for, executive, small_program):
    from programs.models import Topic

    Topic.objects.filter(pk=small_program.t1.pk).update(name="<script>alert(1)</script>")
    page = client_for(executive).get(URL, {"program": small_program.program.pk}).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)" in page
