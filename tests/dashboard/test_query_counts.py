"""The dashboard issues the same number of queries for 10 participants and for 200."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs.models import Topic
from tests.dashboard.conftest import populate
from tests.factories import ProgramFactory
from tests.feedback.factories import SurveyScheduleFactory, builtin

pytestmark = pytest.mark.django_db


def queries_for(client, params) -> int:
    # A computed table is cached for a few minutes: this counts the queries that compute it.
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("dashboard"), params)
    assert response.status_code == 200
    assert response.context["report"].allowed
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"department": "IT"},
        {"period": "2026-Q1"},
    ],
    ids=["overview", "department", "period"],
)
def test_query_count_is_the_same_for_10_and_200_participants(client, executive, params):
    client.force_login(executive)
    topic = Topic.objects.order_by("pk").first()
    program = ProgramFactory(
        anonymity_threshold=3,
        status="active",
        topics=[topic],
        start_date=datetime.date(2026, 1, 5),
        end_date=datetime.date(2026, 7, 5),
        enrolment_deadline=None,
    )
    pulse = SurveyScheduleFactory(program=program, template=builtin("session-pulse"))
    end = SurveyScheduleFactory(program=program, template=builtin("end-of-program"))
    params = {"program": program.pk, **params}

    populate(program, 5, topic, pulse, end)  # 10 participants
    small = queries_for(client, params)
    populate(program, 95, topic, pulse, end)  # 200 participants
    large = queries_for(client, params)
    assert small == large
    assert large <= 22
