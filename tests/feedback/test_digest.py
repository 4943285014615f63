"""The weekly HR digest: pairs at risk and low scores, never a figure the results page hides
or one that could be subtracted from it."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from feedback import delivery, messages
from feedback.models import Delivery
from feedback.results import schedule_results
from tests.feedback.factories import (
    AnswerFactory,
    SurveyResponseFactory,
    SurveyScheduleFactory,
    builtin,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def check_in(pair):
    """The mid-program check-in of the pair's (active) program; threshold 5."""
    return SurveyScheduleFactory(program=pair.program, template=builtin("mid-program"))


def _answer(schedule, number, *, days_ago=0):
    response = SurveyResponseFactory(
        schedule=schedule,
        submitted_on=timezone.now().date() - datetime.timedelta(days=days_ago),
    )
    AnswerFactory(
        response=response, question=schedule.template.questions.get(position=1), number=number
    )


def test_a_low_average_over_fewer_people_than_the_threshold_is_not_named(check_in):
    for _ in range(4):
        _answer(check_in, 1)
    assert messages.low_scores(timezone.now()) == []
    _answer(check_in, 2)
    (row,) = messages.low_scores(timezone.now())
    assert (row["answers"], row["average"]) == (5, pytest.approx(1.2))


def test_the_digest_figure_is_the_results_page_figure(check_in):
    # Two answers are older than the two weeks of the digest: it must still count them, as the
    # results page does, or the difference would give those two away.
    _answer(check_in, 5, days_ago=30)
    _answer(check_in, 5, days_ago=30)
    for _ in range(5):
        _answer(check_in, 1)
    (row,) = messages.low_scores(timezone.now())
    page = schedule_results(check_in).questions[0]
    assert (row["answers"], row["average"]) == (page.n, pytest.approx(page.everyone.mean))
    assert row["answers"] == 7


def test_a_survey_not_answered_lately_is_left_out(check_in):
    for _ in range(5):
        _answer(check_in, 1, days_ago=20)
    assert messages.low_scores(timezone.now()) == []


def test_a_good_average_is_not_a_low_score(check_in):
    for number in (4, 4, 5, 3, 4):
        _answer(check_in, number)
    assert messages.low_scores(timezone.now()) == []


def test_the_digest_mail_lists_pairs_at_risk_and_low_scores(pair, check_in, hr_admin):
    from matching.models import Pair

    program = pair.program
    program.start_date = timezone.now().date() - datetime.timedelta(weeks=8)
    program.save()
    Pair.objects.filter(pk=pair.pk).update(started_at=timezone.now() - datetime.timedelta(weeks=8))
    for _ in range(5):
        _answer(check_in, 1)
    row = Delivery.objects.create(
        key="hr-digest:test",
        kind=Delivery.Kind.HR_DIGEST,
        recipient=hr_admin,
        due_at=timezone.now(),
    )
    assert delivery.delivery_send(row.pk) == delivery.SENT
    (message,) = mail.outbox
    assert "1 pair at risk" in message.subject
    assert pair.mentor.user.full_name in message.body
    assert pair.mentee.user.full_name in message.body
    assert "I am learning what I hoped to learn." in message.body
    assert "average 1.0 of 5 over 5 answers" in message.body
