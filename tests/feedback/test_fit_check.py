"""The session pulse's fit check: HR sees the active pairs in which someone said "not a good
fit", from surveys that are not anonymous only."""

import pytest
from django.urls import reverse

from feedback.answering import AnswerDraft, survey_submit
from feedback.fit_check import poor_fit_pairs
from feedback.models import SurveySchedule, SurveyTemplate
from matching.models import Pair, Session
from tests.feedback.factories import SurveyInvitationFactory, SurveyScheduleFactory, builtin

pytestmark = pytest.mark.django_db

GOOD, DECIDING, NOT_A_GOOD_FIT = 0, 1, 2


@pytest.fixture
def pulse(pair):
    return SurveyScheduleFactory(
        program=pair.program,
        template=builtin("session-pulse"),
        trigger=SurveySchedule.Trigger.AFTER_SESSION,
    )


def _answer_fit(schedule, pair, enrolment, choice):
    session = Session.objects.create(
        pair=pair, starts_at=pair.started_at, duration_minutes=60, status="held"
    )
    invitation = SurveyInvitationFactory(
        schedule=schedule, enrolment=enrolment, occurrence=f"session:{session.pk}", session=session
    )
    questions = {q.key: q for q in schedule.template.questions.all()}
    survey_submit(
        invitation=invitation,
        answers=[
            AnswerDraft(questions["session_rating"], number=3),
            AnswerDraft(questions["fit"], number=choice),
        ],
    )


def test_a_pair_someone_called_a_poor_fit_is_listed_with_who_said_it(pulse, pair):
    _answer_fit(pulse, pair, pair.mentee, NOT_A_GOOD_FIT)
    _answer_fit(pulse, pair, pair.mentor, GOOD)
    (fit,) = poor_fit_pairs(pulse)
    assert fit.pair == pair
    assert (fit.said_by_mentor, fit.said_by_mentee) == (False, True)


def test_other_answers_and_ended_pairs_are_not_listed(pulse, pair):
    _answer_fit(pulse, pair, pair.mentee, DECIDING)
    assert poor_fit_pairs(pulse) == []
    _answer_fit(pulse, pair, pair.mentor, NOT_A_GOOD_FIT)
    assert len(poor_fit_pairs(pulse)) == 1
    Pair.objects.filter(pk=pair.pk).update(status=Pair.Status.ENDED)
    assert poor_fit_pairs(pulse) == []


def test_an_anonymous_pulse_names_no_pair(pulse, pair):
    SurveyTemplate.objects.filter(pk=pulse.template_id).update(is_anonymous=True)
    pulse.refresh_from_db()
    _answer_fit(pulse, pair, pair.mentee, NOT_A_GOOD_FIT)
    assert poor_fit_pairs(pulse) == []


def test_the_results_page_shows_the_pair_to_hr(client_for, hr_admin, pulse, pair):
    _answer_fit(pulse, pair, pair.mentee, NOT_A_GOOD_FIT)
    url = reverse("feedback:results", args=[pair.program.slug, pulse.pk])
    html = client_for(hr_admin).get(url).content.decode()
    assert "Pairs that are not a good fit" in html
    assert pair.mentee.user.full_name in html
