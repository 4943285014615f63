"""The dashboard's table is computed once for every page and kept a few minutes; beat
recomputes it before it expires."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentorship.tasks import refresh_dashboard
from tests.dashboard.conftest import hold, make_pair

pytestmark = pytest.mark.django_db
URL = reverse("dashboard")


def queries(client, params=None) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(URL, params or {})
    return len(context.captured_queries), response.context["report"]


@pytest.fixture
def cached(settings):
    settings.DASHBOARD_CACHE_SECONDS = 300


def test_a_second_visit_reads_the_cached_report(cached, client_for, executive, small_program):
    client = client_for(executive)
    first, report = queries(client)
    second, again = queries(client)
    assert second < first - 5
    assert again == report


def test_another_page_reads_the_same_table(cached, client_for, executive, small_program):
    client = client_for(executive)
    computing, _ = queries(client)
    # A new selection computes only its own report (and its topic labels), not the table.
    count, report = queries(client, {"program": small_program.program.pk})
    assert report.allowed and report.pairs.value == 4
    assert count < computing - 5


def test_new_data_shows_once_the_table_expires(
    cached, client_for, executive, small_program, time_machine
):
    client = client_for(executive)
    time_machine.move_to(datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC), tick=False)
    assert queries(client)[1].pairs.value == 4
    pair = make_pair(small_program.program, mentee_department="IT")
    hold(pair, datetime.datetime(2026, 2, 1, 10, tzinfo=datetime.UTC))
    # Still the cached figures, as the page's "as of" time says.
    report = queries(client)[1]
    assert report.pairs.value == 4
    assert report.computed_at == datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)
    time_machine.move_to(datetime.datetime(2026, 3, 2, 9, 6, tzinfo=datetime.UTC), tick=False)
    assert queries(client)[1].pairs.value == 5


def test_beat_recomputes_the_table_pages_read(
    cached, client_for, executive, small_program, celery_eager
):
    client = client_for(executive)
    assert queries(client)[1].pairs.value == 4
    make_pair(small_program.program, mentee_department="IT")
    refresh_dashboard.delay()
    assert queries(client)[1].pairs.value == 5


def test_the_page_says_how_old_its_figures_are(cached, client_for, executive, small_program):
    assert "Figures as of" in client_for(executive).get(URL).content.decode()
