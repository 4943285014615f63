"""A small program whose every dashboard figure is computed by hand in test_metrics.py.

Threshold 3; cadence every 2 weeks from Monday 5 January 2026; "today" is 2 March 2026, so each
pair (all started with the program) is expected to have held 56 // 14 = 4 sessions.

    pair  mentee  held sessions (minutes)                        covered topics
    A     Sales   Jan 10, Jan 24, Feb 7, Feb 21, Mar 1 (60 each) T1 Jan 10; T2 Jan 24, Feb 7
    B     Sales   Jan 10, Jan 24, Feb 14 (actual 0: planned 45)  T1 Jan 10
    C     Sales   Jan 10 (30)                                     T1 Jan 10
    D     IT      Jan 24, Feb 7, Feb 21 (60 each)
Mentors are all in Eng.
"""

import datetime
from dataclasses import dataclass

import pytest

from feedback.models import Answer, Question, TopicRatingTally
from matching.models import Pair, Session, SessionLog
from programs.models import Enrolment, LearnTopic, Topic
from tests.factories import EnrolmentFactory, ProgramFactory, UserFactory
from tests.feedback.factories import (
    SurveyInvitationFactory,
    SurveyResponseFactory,
    SurveyScheduleFactory,
    builtin,
)

TODAY = datetime.date(2026, 3, 2)


def at(month: int, day: int) -> datetime.datetime:
    return datetime.datetime(2026, month, day, 10, tzinfo=datetime.UTC)


def make_pair(program, *, mentee_department: str, started=None) -> Pair:
    mentor = EnrolmentFactory(
        program=program, role="mentor", user=UserFactory(department="Eng"), topics=[]
    )
    mentee = EnrolmentFactory(
        program=program, role="mentee", user=UserFactory(department=mentee_department), topics=[]
    )
    pair = Pair.objects.create(program=program, mentor=mentor, mentee=mentee)
    Pair.objects.filter(pk=pair.pk).update(started_at=started or at(1, 5))
    return pair


def hold(pair, when, *, minutes=60, actual=None, topics=()) -> Session:
    session = Session.objects.create(
        pair=pair, starts_at=when, duration_minutes=minutes, status=Session.Status.HELD
    )
    log = SessionLog.objects.create(
        session=session,
        outcome=Session.Status.HELD,
        actual_minutes=minutes if actual is None else actual,
    )
    log.topics_covered.set(topics)
    return session


def answer(schedule, question_key, number, *, role="mentee", enrolment=None):
    invitation = (
        SurveyInvitationFactory(schedule=schedule, enrolment=enrolment, answered=True)
        if enrolment is not None
        else None
    )
    response = SurveyResponseFactory(schedule=schedule, role=role, invitation=invitation)
    return Answer.objects.create(
        response=response,
        question=Question.objects.get(template=schedule.template, key=question_key),
        number=number,
    )


@dataclass
class Fixture:
    program: object
    pairs: dict[str, Pair]
    t1: Topic
    t2: Topic


@pytest.fixture
def small_program(db) -> Fixture:
    t1, t2 = Topic.objects.order_by("pk")[:2]
    program = ProgramFactory(
        start_date=datetime.date(2026, 1, 5),
        end_date=datetime.date(2026, 7, 5),
        enrolment_deadline=None,
        cadence_weeks=2,
        anonymity_threshold=3,
        status="active",
        topics=[t1, t2],
    )
    pairs = {
        name: make_pair(program, mentee_department=department)
        for name, department in (("A", "Sales"), ("B", "Sales"), ("C", "Sales"), ("D", "IT"))
    }
    a, b, c, d = pairs.values()
    hold(a, at(1, 10), topics=[t1])
    hold(a, at(1, 24), topics=[t2])
    hold(a, at(2, 7), topics=[t2])
    hold(a, at(2, 21))
    hold(a, at(3, 1))
    Session.objects.create(
        pair=a, starts_at=at(2, 28), duration_minutes=60, status=Session.Status.CANCELLED
    )
    hold(b, at(1, 10), minutes=45, actual=0, topics=[t1])
    hold(b, at(1, 24), minutes=45, actual=0)
    hold(b, at(2, 14), minutes=45, actual=0)
    hold(c, at(1, 10), minutes=60, actual=30, topics=[t1])
    for day in (at(1, 24), at(2, 7), at(2, 21)):
        hold(d, day)

    # Session pulse (named): three of the four mentees rate, all four were asked.
    pulse = SurveyScheduleFactory(program=program, template=builtin("session-pulse"))
    for name, rating in (("A", 5), ("B", 4), ("C", 3)):
        answer(pulse, "session_rating", rating, enrolment=pairs[name].mentee)
    SurveyInvitationFactory(schedule=pulse, enrolment=d.mentee, answered=False)

    # End of program (anonymous): all eight are invited; four mentees and two mentors recommend.
    end = SurveyScheduleFactory(program=program, template=builtin("end-of-program"))
    for pair, mentor_answered in zip(pairs.values(), (True, True, False, False), strict=True):
        SurveyInvitationFactory(schedule=end, enrolment=pair.mentee, answered=True)
        SurveyInvitationFactory(schedule=end, enrolment=pair.mentor, answered=mentor_answered)
    for score in (10, 9, 7, 3):
        answer(end, "program_nps", score, role="mentee")
    for score in (10, 10):
        answer(end, "program_nps", score, role="mentor")

    # Confidence: T1 starts 1, 2, 2, 3 (mean 2.0); ends 4 and 3 by name and one anonymous 4.
    # T2 is learnt by two mentees only.
    for name, start, finish in (("A", 1, 4), ("B", 2, 3), ("C", 2, None), ("D", 3, None)):
        LearnTopic.objects.create(
            enrolment=pairs[name].mentee,
            topic=t1,
            priority=1,
            confidence_start=start,
            confidence_end=finish,
        )
    for name, start in (("A", 2), ("B", 4)):
        LearnTopic.objects.create(
            enrolment=pairs[name].mentee, topic=t2, priority=2, confidence_start=start
        )
    confidence = Question.objects.get(template=end.template, key="confidence")
    TopicRatingTally.objects.create(
        schedule=end, question=confidence, topic=t1, role="mentee", value=4, count=1
    )
    TopicRatingTally.objects.create(
        schedule=end, question=confidence, topic=t1, role="mentor", value=1, count=9
    )
    assert Enrolment.objects.filter(program=program).count() == 8
    return Fixture(program=program, pairs=pairs, t1=t1, t2=t2)


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
