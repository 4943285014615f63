"""Every figure of the dashboard against values computed by hand on the fixture of
conftest.py, threshold cases included."""

import datetime

import pytest

from mentorship.dashboard.metrics import Figure, Scope, program_report
from tests.dashboard.conftest import TODAY, answer, make_pair
from tests.factories import EnrolmentFactory, ProgramFactory
from tests.feedback.factories import SurveyScheduleFactory, builtin

pytestmark = pytest.mark.django_db


def scope(fixture, **extra) -> Scope:
    return Scope(program_ids=(fixture.program.pk,), threshold=3, today=TODAY, **extra)


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
    report = program_report(
        Scope(
            program_ids=(small_program.program.pk,), threshold=3, today=datetime.date(2026, 3, 20)
        )
    )
    assert report.pairs_at_risk.value == 3


def test_hours_fall_back_to_the_planned_length(small_program):
    # A 5 x 60, B 3 x 45 (actual 0), C 30, D 3 x 60 = 645 minutes.
    assert program_report(scope(small_program)).hours == shown(10.8, 4)


def test_session_rating_and_response_rates(small_program):
    report = program_report(scope(small_program))
    assert report.session_rating == shown(4.0, 3)
    assert report.response_rate_mentees == shown(75, 4)
    assert report.response_rate_mentors == hidden(0)


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


def test_a_department_large_enough_on_both_sides_is_shown(small_program):
    report = program_report(scope(small_program, department="Sales"))
    assert report.allowed
    assert report.pairs == shown(3, 3)
    assert report.sessions_held == shown(9, 3)
    assert report.adherence == shown(75, 3)
    # No mentor is in Sales: mentors hidden, and so mentees, since 3 - 0 would tell.
    assert (report.mentors, report.mentees, report.participants) == (
        hidden(0),
        hidden(3),
        shown(3, 3),
    )
    # The anonymous end-of-program answers have no department.
    assert report.nps_mentees == hidden(0)


def test_a_department_below_the_threshold_is_refused(small_program):
    report = program_report(scope(small_program, department="IT"))
    assert not report.allowed
    assert report.pairs is None and report.months == []


def test_a_department_whose_complement_is_small_is_refused(small_program):
    # Sales and IT mentees (4) against the 4 Eng mentors is fine; a program where all but two
    # people are in Eng would let "everyone - Eng" describe the two.
    program = ProgramFactory(anonymity_threshold=3, status="active")
    for _ in range(3):
        make_pair(program, mentee_department="Eng")
    EnrolmentFactory(program=program, role="mentee", topics=[])
    EnrolmentFactory(program=program, role="mentee", topics=[])
    everyone_but_two = Scope(program_ids=(program.pk,), threshold=3, today=TODAY, department="Eng")
    assert not program_report(everyone_but_two).allowed


def test_a_period_is_measured_by_its_own_months(small_program):
    report = program_report(
        scope(
            small_program,
            period_start=datetime.date(2026, 2, 1),
            period_end=datetime.date(2026, 3, 1),
        )
    )
    assert report.allowed
    assert report.sessions_held == shown(5, 3)
    # Expected by 28 Feb (54 // 14 = 3) minus expected by 31 Jan (26 // 14 = 1), for 4 pairs.
    assert report.sessions_expected == shown(8, 4)
    assert report.adherence == shown(62, 4)


def test_a_period_with_fewer_pairs_than_the_threshold_is_refused(small_program):
    march = scope(
        small_program, period_start=datetime.date(2026, 3, 1), period_end=datetime.date(2026, 4, 1)
    )
    assert not program_report(march).allowed


def test_a_program_one_short_of_the_threshold_shows_nothing_but_totals_at_it():
    program = ProgramFactory(anonymity_threshold=3, status="active")
    for _ in range(2):
        make_pair(program, mentee_department="Sales")
    report = program_report(Scope(program_ids=(program.pk,), threshold=3, today=TODAY))
    assert report.pairs == hidden(2)
    assert report.mentors == hidden(2) and report.mentees == hidden(2)
    assert report.participants == shown(4, 4)
    make_pair(program, mentee_department="Sales")
    report = program_report(Scope(program_ids=(program.pk,), threshold=3, today=TODAY))
    assert report.pairs == shown(3, 3)


def test_the_overview_hides_a_total_that_would_give_away_one_programs_hidden_figure(
    small_program,
):
    other = ProgramFactory(anonymity_threshold=3, status="active")
    end = SurveyScheduleFactory(program=other, template=builtin("end-of-program"))
    for score in (9, 9, 9, 9, 9):
        answer(end, "program_nps", score, role="mentor")
    both = Scope(
        program_ids=(small_program.program.pk, other.pk),
        threshold=3,
        today=TODAY,
        program_thresholds={small_program.program.pk: 3, other.pk: 3},
    )
    # The other program's page shows its mentors' NPS (100, n = 5); this program's two mentors
    # are hidden; 7 answers in all would reach the threshold, but the total minus 100 over 5
    # would be the two mentors' NPS.
    assert program_report(both).nps_mentors == hidden(7)
    # Mentees: this program's 4 and none in the other: shown.
    assert program_report(both).nps_mentees == shown(25, 4)


def test_a_department_small_in_one_program_is_hidden_in_the_overview(small_program):
    # Sales: 3 pairs here, 1 in the other program. The other program's Sales view is refused;
    # the overview's Sales view minus this program's would be that one pair.
    other = ProgramFactory(anonymity_threshold=3, status="active")
    make_pair(other, mentee_department="Sales")
    for _ in range(3):
        make_pair(other, mentee_department="IT")
    both = Scope(
        program_ids=(small_program.program.pk, other.pk),
        threshold=3,
        today=TODAY,
        department="Sales",
        program_thresholds={small_program.program.pk: 3, other.pk: 3},
    )
    report = program_report(both)
    assert report.allowed
    assert report.pairs == hidden(4)
    assert program_report(scope(small_program, department="Sales")).pairs == shown(3, 3)


def test_a_topic_imported_without_a_start_rating_counts_on_neither_side(small_program):
    from programs.models import LearnTopic

    # One mentee's rating of t1 was never given (an import without confidences).
    LearnTopic.objects.filter(topic=small_program.t1, confidence_start=1).update(
        confidence_start=None
    )
    rows = {row.topic: row for row in program_report(scope(small_program)).learning}
    # Start 2, 2, 3 over three mentees now.
    assert rows[small_program.t1.label].start == shown(2.33, 3)


def test_an_overview_of_many_programs_is_read_in_slices(small_program, monkeypatch):
    # Figures summed per program take columns per program; past the databases' column limits
    # the programs are read in slices, with the same report.
    other = ProgramFactory(anonymity_threshold=3, status="active")
    for _ in range(3):
        make_pair(other, mentee_department="IT")
    both = Scope(
        program_ids=(small_program.program.pk, other.pk),
        threshold=3,
        today=TODAY,
        program_thresholds={small_program.program.pk: 3, other.pk: 3},
    )
    whole = program_report(both)
    monkeypatch.setattr("mentorship.dashboard.metrics.MAX_COLUMNS", 1)
    assert program_report(both) == whole
