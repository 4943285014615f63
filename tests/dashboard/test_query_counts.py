"""The dashboard issues the same number of queries for 10 participants and for 200."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs.models import LearnTopic, Topic
from tests.dashboard.conftest import answer, at, hold, make_pair
from tests.factories import ProgramFactory
from tests.feedback.factories import SurveyScheduleFactory, builtin

pytestmark = pytest.mark.django_db


def populate(program, pairs: int, topic, pulse, end) -> None:
    """`pairs` pairs (two participants each), each with sessions, logs, topics and answers."""
    for index in range(pairs):
        pair = make_pair(program, mentee_department="Sales" if index % 2 else "IT")
        hold(pair, at(1, 10), topics=[topic])
        hold(pair, at(2, 7), actual=0)
        answer(pulse, "session_rating", 4, enrolment=pair.mentee)
        answer(end, "program_nps", 9, role="mentee")
        answer(end, "program_nps", 6, role="mentor")
        LearnTopic.objects.create(
            enrolment=pair.mentee, topic=topic, priority=1, confidence_start=2, confidence_end=4
        )


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
