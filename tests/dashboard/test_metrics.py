"""Every figure of the dashboard against values computed by hand on the fixture of
conftest.py, threshold cases included."""

import datetime

import pytest

from feedback.models import Question, SurveyInvitation, TopicRatingTally
from mentorship.accounts.models import User
from mentorship.dashboard.metrics import Figure, Scope, program_report, programs_covered
from programs.models import LearnTopic
from tests.dashboard.conftest import TODAY, answer, at, hold, make_pair
from tests.factories import EnrolmentFactory, ProgramFactory
from tests.feedback.factories import SurveyInvitationFactory, SurveyScheduleFactory, builtin

pytestmark = pytest.mark.django_db


def scope(fixture, *, today=TODAY, **extra) -> Scope:
    """A page of the fixture's program, as of `today`."""
    return Scope(programs=programs_covered(today), program=fixture.program.pk, **extra)


def overview(*, today=TODAY, **extra) -> Scope:
    return Scope(programs=programs_covered(today), **extra)


def shown(value, n) -> Figure:
    return Figure(value=value, n=n, hidden=False)


def hidden(n) -> Figure:
    return Figure(value=None, n=n, hidden=True)


def test_participants_and_pairs(small_program):
    report = program_report(scope(small_program))
    assert report.allowed
    assert (report.mentors, report.mentees, report.participants) == (
        shown(4, 4),
        shown(4, 4),
        shown(8, 8),
    )
    assert report.pairs == shown(4, 4)
    assert report.active_pairs == shown(4, 4)


def test_adherence_counts_held_against_the_cadence(small_program):
    report = program_report(scope(small_program))
    # 5 + 3 + 1 + 3 held; 4 pairs x 56 // 14 expected.
    assert report.sessions_held == shown(12, 4)
    assert report.sessions_expected == shown(16, 4)
    assert report.adherence == shown(75, 4)


def test_only_the_pair_two_sessions_short_is_at_risk(small_program):
    # C held 1 of 4; B and D are one short and met within 21 days.
    assert program_report(scope(small_program)).pairs_at_risk == shown(1, 4)


def test_a_quiet_pair_is_at_risk(small_program):
    # On 20 March B (3 held of 5 expected) is two short; D's last session was 27 days ago.
    report = program_report(scope(small_program, today=datetime.date(2026, 3, 20)))
    assert report.pairs_at_risk.value == 3


def test_hours_fall_back_to_the_planned_length(small_program):
    # A 5 x 60, B 3 x 45 (actual 0), C 30, D 3 x 60 = 645 minutes.
    assert program_report(scope(small_program)).hours == shown(10.8, 4)


def test_session_rating_and_response_rates(small_program):
    report = program_report(scope(small_program))
    assert report.session_rating == shown(4.0, 3)
    # Mentees: 3 of 4 pulses and 4 of 4 end-of-program surveys; mentors: 2 of 4.
    assert report.response_rate_mentees == shown(88, 4)
    assert report.response_rate_mentors == shown(50, 4)


def test_nps_per_side_with_its_own_group(small_program):
    report = program_report(scope(small_program))
    # Mentees: 2 promoters, 1 detractor of 4.
    assert report.nps_mentees == shown(25, 4)
    # Two mentors: under the threshold of 3.
    assert report.nps_mentors == hidden(2)


def test_learning_gain_by_topic(small_program):
    rows = {row.topic: row for row in program_report(scope(small_program)).learning}
    t1, t2 = rows[small_program.t1.label], rows[small_program.t2.label]
    # Start 1, 2, 2, 3; end 4 and 3 by name plus an anonymous 4 (the mentors' tally is not theirs).
    assert (t1.start, t1.end, t1.gain) == (shown(2.0, 4), shown(3.67, 3), shown(1.67, 3))
    assert (t2.start, t2.end, t2.gain) == (hidden(2), hidden(0), hidden(0))


def test_topic_coverage_hides_a_topic_only_one_pair_covered(small_program):
    coverage = {row.topic: row.sessions for row in program_report(scope(small_program)).coverage}
    assert coverage == {small_program.t1.label: shown(3, 3), small_program.t2.label: hidden(1)}


def test_trend_by_month_hides_a_small_month_and_the_next_smallest(small_program):
    months = program_report(scope(small_program)).months
    assert [row.month for row in months] == [
        datetime.date(2026, 1, 1),
        datetime.date(2026, 2, 1),
        datetime.date(2026, 3, 1),
    ]
    # January: 6 sessions of 4 pairs, 300 minutes.
    assert (months[0].sessions, months[0].hours) == (shown(6, 4), shown(5.0, 4))
    # March has one pair; February (3 pairs) goes too, else total - January would give March.
    assert (months[1].sessions, months[1].hours) == (hidden(3), hidden(3))
    assert (months[2].sessions, months[2].hours) == (hidden(1), hidden(1))


def test_a_department_is_hidden_when_the_rest_of_the_program_is_one_small_group(small_program):
    # Sales holds 3 of the 4 pairs: the program's page minus the Sales page would be IT's
    # single pair, so Sales is hidden with it. The program's own page still shows its totals.
    sales = program_report(scope(small_program, department="Sales"))
    assert sales.allowed
    assert sales.pairs == hidden(3)
    assert sales.sessions_held == hidden(3)
    assert sales.adherence == hidden(3)
    # Three Sales mentees against one IT mentee and four Eng mentors: hidden, as 8 - 4 - 3 = 1.
    assert sales.participants == hidden(3)
    # Anonymous answers have no department.
    assert sales.nps_mentees == hidden(0)
    everyone = program_report(scope(small_program))
    assert everyone.pairs == shown(4, 4) and everyone.sessions_held == shown(12, 4)


def test_departments_large_enough_are_shown():
    program = ProgramFactory(anonymity_threshold=3, status="active")
    for department in ("Sales", "Sales", "Sales", "IT", "IT", "IT"):
        make_pair(program, mentee_department=department)
    page = Scope(programs=programs_covered(TODAY), program=program.pk, department="Sales")
    report = program_report(page)
    assert report.allowed
    assert report.pairs == shown(3, 3)
    assert report.mentees == shown(3, 3)


def test_a_department_below_the_threshold_is_refused(small_program):
    report = program_report(scope(small_program, department="IT"))
    assert not report.allowed
    assert report.pairs is None and report.months == []


def test_a_department_whose_complement_is_small_is_refused():
    # A program where all but two people are in Eng would let "everyone - Eng" describe the two.
    program = ProgramFactory(anonymity_threshold=3, status="active")
    for _ in range(3):
        make_pair(program, mentee_department="Eng")
    EnrolmentFactory(program=program, role="mentee", topics=[])
    EnrolmentFactory(program=program, role="mentee", topics=[])
    page = Scope(programs=programs_covered(TODAY), program=program.pk, department="Eng")
    assert not program_report(page).allowed


APRIL_20 = datetime.date(2026, 4, 20)


def one_department(fixture) -> None:
    """Moves IT's lone mentee to Sales: a one-pair department would hide Sales with it in every
    period, which is not what the period tests are about."""
    User.objects.filter(pk=fixture.pairs["D"].mentee.user_id).update(department="Sales")


def test_a_quarter_is_measured_by_its_own_months(small_program):
    one_department(small_program)
    for name in ("A", "B", "C"):
        hold(small_program.pairs[name], at(4, 14))
    first = program_report(scope(small_program, today=APRIL_20, period="2026-Q1"))
    # Expected by 31 March: 85 // 14 = 6 for each of 4 pairs; 12 held.
    assert first.sessions_held == shown(12, 4)
    assert first.sessions_expected == shown(24, 4)
    assert first.adherence == shown(50, 4)
    second = program_report(scope(small_program, today=APRIL_20, period="2026-Q2"))
    # Expected by 20 April: 105 // 14 = 7, one more each.
    assert second.sessions_held == shown(3, 3)
    assert second.sessions_expected == shown(4, 4)
    assert second.adherence == shown(75, 4)
    assert [(row.month, row.sessions) for row in second.months] == [
        (datetime.date(2026, 4, 1), shown(3, 3))
    ]
    assert [row.month.month for row in first.months] == [1, 2, 3]


def test_a_quarter_with_too_few_pairs_hides_the_other_quarter_too(small_program):
    one_department(small_program)
    for name in ("A", "B"):
        hold(small_program.pairs[name], at(4, 14))
    second = program_report(scope(small_program, today=APRIL_20, period="2026-Q2"))
    assert second.sessions_held == hidden(2)
    # All time minus the first quarter would give the second away.
    first = program_report(scope(small_program, today=APRIL_20, period="2026-Q1"))
    assert first.sessions_held == hidden(4)
    assert program_report(scope(small_program, today=APRIL_20)).sessions_held == shown(14, 4)


def test_a_program_one_short_of_the_threshold_shows_nothing_but_totals_at_it():
    program = ProgramFactory(anonymity_threshold=3, status="active")
    for _ in range(2):
        make_pair(program, mentee_department="Sales")
    page = Scope(programs=programs_covered(TODAY), program=program.pk)
    report = program_report(page)
    assert report.pairs == hidden(2)
    assert report.mentors == hidden(2) and report.mentees == hidden(2)
    assert report.participants == shown(4, 4)
    make_pair(program, mentee_department="Sales")
    report = program_report(page)
    assert report.pairs == shown(3, 3)


def test_a_program_hidden_under_the_overview_takes_another_with_it(small_program):
    other = ProgramFactory(anonymity_threshold=3, status="active")
    end = SurveyScheduleFactory(program=other, template=builtin("end-of-program"))
    for _ in range(5):
        mentor = EnrolmentFactory(program=other, role="mentor", topics=[])
        SurveyInvitationFactory(schedule=end, enrolment=mentor, answered=True)
        answer(end, "program_nps", 9, role="mentor")
    # This program's two mentors are hidden; the overview minus the other program's page
    # would be their NPS, so the other program's (100 over 5) is hidden too.
    assert program_report(scope(small_program)).nps_mentors == hidden(2)
    assert program_report(
        Scope(programs=programs_covered(TODAY), program=other.pk)
    ).nps_mentors == (hidden(5))
    assert program_report(overview()).nps_mentors == shown(100, 7)


def test_a_department_small_in_one_program_is_hidden_on_both_programs_pages(small_program):
    # Sales: 3 pairs here, 1 in the other program. The overview's Sales page minus this
    # program's Sales page would be that one pair: this program's Sales is hidden.
    other = ProgramFactory(anonymity_threshold=3, status="active")
    make_pair(other, mentee_department="Sales")
    for _ in range(3):
        make_pair(other, mentee_department="IT")
    report = program_report(overview(department="Sales"))
    assert report.allowed
    assert report.pairs == shown(4, 4)
    assert program_report(scope(small_program, department="Sales")).pairs == hidden(3)
    # And the other program's IT (3 pairs) goes with its lone Sales pair.
    it = Scope(programs=programs_covered(TODAY), program=other.pk, department="IT")
    assert program_report(it).pairs == hidden(3)
    assert program_report(overview()).pairs == shown(8, 8)


def test_anonymous_answers_count_no_more_people_than_answered_their_invitations(small_program):
    end = small_program.program.survey_schedules.get(template__key="end-of-program")
    # The four mentees answered: four responses, four people.
    assert program_report(scope(small_program)).nps_mentees == shown(25, 4)
    # Three more responses from those same four people (of surveys sent again, say) are
    # not seven people.
    for score in (10, 10, 10):
        answer(end, "program_nps", score, role="mentee")
    assert program_report(scope(small_program)).nps_mentees.n == 4
    # Had only two of them answered, seven responses would count as two: hidden.
    SurveyInvitation.objects.filter(
        schedule=end,
        enrolment__in=[small_program.pairs["A"].mentee, small_program.pairs["B"].mentee],
    ).update(answered=False)
    assert program_report(scope(small_program)).nps_mentees == hidden(2)


def test_anonymous_answers_whose_invitations_are_gone_still_count_as_somebody(small_program):
    end = small_program.program.survey_schedules.get(template__key="end-of-program")
    SurveyInvitation.objects.filter(schedule=end).delete()
    # Four anonymous mentee answers remain: one person at least, hidden, never nobody (a
    # group of nobody would take no part in the suppression of the totals above it).
    assert program_report(scope(small_program)).nps_mentees == hidden(1)


def test_adherence_is_hidden_wherever_the_sessions_held_are(small_program):
    one_department(small_program)
    # One pair met in April: the quarter's adherence is over all 4 pairs, but its held
    # sessions are one pair's, and adherence x expected would give them back.
    hold(small_program.pairs["A"], at(4, 14))
    second = program_report(scope(small_program, today=APRIL_20, period="2026-Q2"))
    assert second.sessions_held == hidden(1)
    assert second.adherence.hidden and second.sessions_expected.hidden


def test_a_topic_one_mentee_learns_is_hidden_however_often_it_was_rated(small_program):
    # Only A learns T2; the anonymous end-of-program tally holds six ratings of it, all from
    # the one mentee who learns it.
    end = small_program.program.survey_schedules.get(template__key="end-of-program")
    LearnTopic.objects.filter(
        topic=small_program.t2, enrolment=small_program.pairs["B"].mentee
    ).delete()
    confidence = Question.objects.get(template=end.template, key="confidence")
    TopicRatingTally.objects.create(
        schedule=end, question=confidence, topic=small_program.t2, role="mentee", value=5, count=6
    )
    rows = {row.topic: row for row in program_report(scope(small_program)).learning}
    assert rows[small_program.t2.label].end == hidden(1)


def test_an_anonymous_survey_without_the_question_does_not_vouch_for_its_answers(small_program):
    # Five NPS answers from mentors, but only two mentors answered the survey that asks it;
    # three more answered an anonymous check-in that asks no NPS. Two people, not five.
    end = small_program.program.survey_schedules.get(template__key="end-of-program")
    for score in (10, 10, 10):
        answer(end, "program_nps", score, role="mentor")
    check_in = SurveyScheduleFactory(program=small_program.program, template=builtin("mid-program"))
    for name in ("A", "B", "C"):
        SurveyInvitationFactory(
            schedule=check_in, enrolment=small_program.pairs[name].mentor, answered=True
        )
    assert program_report(scope(small_program)).nps_mentors == hidden(2)


def test_a_session_dated_outside_the_programs_quarters_is_left_out(small_program):
    # Logged as held in 2019 (a typo): in no quarter, it would show as all time minus them.
    hold(small_program.pairs["A"], datetime.datetime(2019, 5, 1, 10, tzinfo=datetime.UTC))
    assert program_report(scope(small_program)).sessions_held == shown(12, 4)
