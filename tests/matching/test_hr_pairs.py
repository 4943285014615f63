"""HR's pairs list (sessions held against the cadence, at-risk filter) and ending a pair."""

import datetime
import types

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from matching.models import MatchRun, Pair, Session, SessionLog
from matching.pair_lifecycle import pair_end
from programs.services import program_facts
from tests.factories import EnrolmentFactory, ProgramFactory, UserFactory

START_DAYS_AGO = 60


def _enrol(program, role, name):
    return EnrolmentFactory(
        program=program,
        role=role,
        user=UserFactory(email=f"{name.lower().replace(' ', '.')}@example.com", full_name=name),
    )


def _pair(program, mentor, mentee, started_days_ago=START_DAYS_AGO):
    pair = Pair.objects.create(program=program, mentor=mentor, mentee=mentee)
    Pair.objects.filter(pk=pair.pk).update(
        started_at=timezone.now() - datetime.timedelta(days=started_days_ago)
    )
    pair.refresh_from_db()
    return pair


def _held(pair, days_ago, status=Session.Status.HELD):
    return Session.objects.create(
        pair=pair,
        starts_at=timezone.now() - datetime.timedelta(days=days_ago),
        duration_minutes=60,
        status=status,
    )


@pytest.fixture
def live(db):
    """An active program that began 60 days ago (a session every two weeks), with one pair."""
    today = timezone.localdate()
    program = ProgramFactory(
        status="active",
        slug="live",
        start_date=today - datetime.timedelta(days=START_DAYS_AGO),
        end_date=today + datetime.timedelta(days=120),
        enrolment_deadline=today - datetime.timedelta(days=70),
        cadence_weeks=2,
    )
    mentor = _enrol(program, "mentor", "Minh Mentor")
    mentee = _enrol(program, "mentee", "Mehmet Mentee")
    other_mentor = _enrol(program, "mentor", "Oya Othermentor")
    other_mentee = _enrol(program, "mentee", "Omer Othermentee")
    pair = _pair(program, mentor, mentee)
    other_pair = _pair(program, other_mentor, other_mentee)
    return types.SimpleNamespace(
        program=program,
        pair=pair,
        other_pair=other_pair,
        mentor=mentor.user,
        mentee=mentee.user,
        other_member=other_mentee.user,
    )


def _list_url(program):
    return reverse("matching:hr_pairs", args=[program.slug])


def _end_url(program, pair):
    return reverse("matching:hr_pair_end", args=[program.slug, pair.public_id])


# --- Access ------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, live):
    responses = (
        client.get(_list_url(live.program)),
        client.post(_end_url(live.program, live.pair), {"reason": "Sneaky."}),
    )
    for response in responses:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse(settings.LOGIN_URL))
    assert Pair.objects.get(pk=live.pair.pk).status == Pair.Status.ACTIVE


@pytest.mark.parametrize("who", ["mentor", "mentee", "other_member", "executive"])
def test_participants_and_executives_are_refused(client_for, live, executive, who):
    user = executive if who == "executive" else getattr(live, who)
    client = client_for(user)
    assert client.get(_list_url(live.program)).status_code == 403
    response = client.post(_end_url(live.program, live.pair), {"reason": "Not a fit."})
    assert response.status_code == 403
    assert Pair.objects.get(pk=live.pair.pk).status == Pair.Status.ACTIVE


def test_hr_sees_the_list(client_for, live, hr_admin):
    response = client_for(hr_admin).get(_list_url(live.program))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Minh Mentor" in content and "Mehmet Mentee" in content
    assert reverse("matching:review", args=[live.program.slug]) in content


def test_wrong_methods_are_405(client_for, live, hr_admin):
    client = client_for(hr_admin)
    assert client.post(_list_url(live.program)).status_code == 405
    assert client.get(_end_url(live.program, live.pair)).status_code == 405


def test_pair_of_another_program_is_404(client_for, live, hr_admin):
    elsewhere = ProgramFactory(status="active", slug="elsewhere")
    stranger = _pair(
        elsewhere, _enrol(elsewhere, "mentor", "Sara Mentor"), _enrol(elsewhere, "mentee", "Sam")
    )
    response = client_for(hr_admin).post(_end_url(live.program, stranger), {"reason": "Guess."})
    assert response.status_code == 404
    assert Pair.objects.get(pk=stranger.pk).status == Pair.Status.ACTIVE


def test_unknown_program_is_404(client_for, live, hr_admin):
    response = client_for(hr_admin).get(reverse("matching:hr_pairs", args=["nope"]))
    assert response.status_code == 404


# --- Numbers and the at-risk filter ------------------------------------------------------------


def _rows(client, program, **params):
    response = client.get(_list_url(program), params)
    assert response.status_code == 200
    return {row.pair.pk: row for row in response.context["rows"]}


def test_held_against_expected_and_cadence_status(client_for, live, hr_admin):
    # 60 days at one session every 14 days: 4 periods over -> 4 expected.
    for days_ago in (55, 41, 27, 10):
        _held(live.pair, days_ago)
    _held(live.pair, 5, status=Session.Status.CANCELLED)  # not counted
    _held(live.other_pair, 50)  # 3 short, and quiet for 50 days
    rows = _rows(client_for(hr_admin), live.program)
    on_track, at_risk = rows[live.pair.pk].cadence, rows[live.other_pair.pk].cadence
    assert (on_track.held, on_track.expected, on_track.status) == (4, 4, "on_track")
    assert on_track.days_since_last == 10
    assert (at_risk.held, at_risk.expected, at_risk.status) == (1, 4, "at_risk")
    assert at_risk.days_since_last == 50
    content = client_for(hr_admin).get(_list_url(live.program)).content.decode()
    assert "4 / 4" in content and "1 / 4" in content
    assert "On track" in content and "At risk" in content


def test_a_pair_that_started_recently_expects_nothing_yet(client_for, live, hr_admin):
    Pair.objects.filter(pk=live.pair.pk).update(
        started_at=timezone.now() - datetime.timedelta(days=5)
    )
    row = _rows(client_for(hr_admin), live.program)[live.pair.pk]
    assert (row.cadence.held, row.cadence.expected, row.cadence.status) == (0, 0, "on_track")


def test_at_risk_filter_shows_only_pairs_at_risk(client_for, live, hr_admin):
    for days_ago in (55, 41, 27, 10):
        _held(live.pair, days_ago)
    rows = _rows(client_for(hr_admin), live.program, risk="1")
    assert list(rows) == [live.other_pair.pk]


def test_status_filter_and_active_pairs_first(client_for, live, hr_admin):
    pair_end(pair=live.pair, by=hr_admin, reason="Moved abroad.")
    client = client_for(hr_admin)
    assert list(_rows(client, live.program)) == [live.other_pair.pk, live.pair.pk]
    assert list(_rows(client, live.program, status="ended")) == [live.pair.pk]
    assert list(_rows(client, live.program, status="active")) == [live.other_pair.pk]
    # An ended pair is never "at risk".
    assert list(_rows(client, live.program, risk="1")) == [live.other_pair.pk]


def test_hr_sees_no_takeaways_or_private_notes(client_for, live, hr_admin):
    session = _held(live.pair, 10)
    SessionLog.objects.create(
        session=session,
        outcome=Session.Status.HELD,
        takeaways="TAKEAWAY-SECRET",
        private_notes="PRIVATE-SECRET",
    )
    content = client_for(hr_admin).get(_list_url(live.program)).content.decode()
    assert "TAKEAWAY-SECRET" not in content
    assert "PRIVATE-SECRET" not in content


def test_last_session_uses_the_logs_actual_date_when_given(client_for, live, hr_admin):
    # Planned 12 days ago but, as its log says, held 9 days ago.
    late = _held(live.pair, 12)
    held_on = timezone.now() - datetime.timedelta(days=9)
    SessionLog.objects.create(session=late, outcome=Session.Status.HELD, held_on=held_on)
    # The other pair's log gives no actual date: its planned start counts.
    planned = _held(live.other_pair, 20)
    SessionLog.objects.create(session=planned, outcome=Session.Status.HELD)
    client = client_for(hr_admin)
    rows = _rows(client, live.program)
    logged, fallback = rows[live.pair.pk], rows[live.other_pair.pk]
    assert logged.pair.last_held_at == held_on
    assert logged.cadence.days_since_last == 9
    assert fallback.pair.last_held_at == planned.starts_at
    assert fallback.cadence.days_since_last == 20
    content = client.get(_list_url(live.program)).content.decode()
    assert formats.date_format(timezone.localtime(held_on), "DATE_FORMAT") in content
    assert formats.date_format(timezone.localtime(late.starts_at), "DATE_FORMAT") not in content


def test_a_log_dated_earlier_than_a_later_session_does_not_win(client_for, live, hr_admin):
    # The latest by actual date counts, even when another session was planned later.
    early = _held(live.pair, 30)
    SessionLog.objects.create(
        session=early,
        outcome=Session.Status.HELD,
        held_on=timezone.now() - datetime.timedelta(days=4),
    )
    _held(live.pair, 15)
    row = _rows(client_for(hr_admin), live.program)[live.pair.pk]
    assert row.cadence.held == 2
    assert row.cadence.days_since_last == 4


def _program_with(pairs: int, sessions_each: int):
    today = timezone.localdate()
    program = ProgramFactory(
        status="active",
        start_date=today - datetime.timedelta(days=START_DAYS_AGO),
        end_date=today + datetime.timedelta(days=120),
        enrolment_deadline=today - datetime.timedelta(days=70),
    )
    for _n in range(pairs):
        pair = _pair(
            program,
            EnrolmentFactory(program=program, role="mentor"),
            EnrolmentFactory(program=program, role="mentee"),
        )
        for k in range(sessions_each):
            session = _held(pair, 5 + 7 * k)
            if k % 2 == 0:  # half of them logged with an actual date
                SessionLog.objects.create(
                    session=session,
                    outcome=Session.Status.HELD,
                    held_on=session.starts_at + datetime.timedelta(hours=1),
                )
    return program


def test_query_count_does_not_grow_with_pairs_or_sessions(client_for, hr_admin):
    small, large = _program_with(2, 1), _program_with(12, 6)
    client = client_for(hr_admin)
    client.get(_list_url(small))  # warm the session and caches alike for both
    counts = []
    for program, pairs in ((small, 2), (large, 12)):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_list_url(program))
        assert response.status_code == 200
        assert len(response.context["rows"]) == pairs
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # The pairs, their held sessions and the last held date come from one query.
    pair_queries = [q["sql"] for q in queries.captured_queries if "matching_pair" in q["sql"]]
    assert len(pair_queries) == 1
    rows = client.get(_list_url(large)).context["rows"]
    assert {row.cadence.held for row in rows} == {6}


# --- Ending a pair -----------------------------------------------------------------------------


def test_hr_ends_a_pair_through_the_page(client_for, live, hr_admin):
    response = client_for(hr_admin).post(
        _end_url(live.program, live.pair), {"reason": "  Not a good fit.  "}, follow=True
    )
    assert response.redirect_chain[-1][0] == _list_url(live.program)
    pair = Pair.objects.get(pk=live.pair.pk)
    assert pair.status == Pair.Status.ENDED
    assert pair.ended_reason == "Not a good fit."
    assert pair.ended_at is not None
    assert "has ended" in response.content.decode()


def test_hr_end_without_a_reason_is_flashed_and_changes_nothing(client_for, live, hr_admin):
    response = client_for(hr_admin).post(
        _end_url(live.program, live.pair), {"reason": ""}, follow=True
    )
    assert response.status_code == 200
    assert "required" in response.content.decode()
    assert Pair.objects.get(pk=live.pair.pk).status == Pair.Status.ACTIVE


def test_hr_end_of_an_ended_pair_is_flashed(client_for, live, hr_admin):
    pair_end(pair=live.pair, by=live.mentor, reason="Done.")
    response = client_for(hr_admin).post(
        _end_url(live.program, live.pair), {"reason": "Again."}, follow=True
    )
    assert "ended already" in response.content.decode()
    assert Pair.objects.get(pk=live.pair.pk).ended_reason == "Done."


@pytest.mark.parametrize("side", ["mentor", "mentee"])
def test_either_side_can_end_their_pair(live, side):
    pair = pair_end(pair=live.pair, by=getattr(live, side), reason="We are done.")
    assert pair.status == Pair.Status.ENDED
    assert Pair.objects.get(pk=live.pair.pk).ended_reason == "We are done."


def test_hr_can_end_a_pair(live, hr_admin):
    assert pair_end(pair=live.pair, by=hr_admin, reason="Restructuring.").status == "ended"


def test_outsiders_cannot_end_a_pair(live, executive):
    for user in (live.other_member, executive, UserFactory()):
        with pytest.raises(ValidationError):
            pair_end(pair=live.pair, by=user, reason="Mischief.")
    assert Pair.objects.get(pk=live.pair.pk).status == Pair.Status.ACTIVE


@pytest.mark.parametrize("reason", ["", "   ", "x" * 1001])
def test_a_reason_is_required_and_bounded(live, reason):
    with pytest.raises(ValidationError):
        pair_end(pair=live.pair, by=live.mentor, reason=reason)
    assert Pair.objects.get(pk=live.pair.pk).status == Pair.Status.ACTIVE


def test_an_ended_pair_cannot_end_again(live):
    pair_end(pair=live.pair, by=live.mentor, reason="Done.")
    with pytest.raises(ValidationError):
        pair_end(pair=live.pair, by=live.mentee, reason="Done too.")


def test_the_mentee_of_an_ended_pair_is_unmatched_again(live, hr_admin):
    assert program_facts(live.program).unmatched_mentees == 0
    pair_end(pair=live.pair, by=hr_admin, reason="Not a fit.")
    assert program_facts(live.program).unmatched_mentees == 1


def test_ending_supersedes_proposed_runs(live, hr_admin):
    run = MatchRun.objects.create(program=live.program)
    pair_end(pair=live.pair, by=hr_admin, reason="Not a fit.")
    run.refresh_from_db()
    assert run.status == MatchRun.Status.SUPERSEDED


def test_ending_cancels_the_pairs_future_sessions(live):
    from matching.models import Session

    future = Session.objects.create(
        pair=live.pair,
        proposed_by=live.mentee,
        starts_at=timezone.now() + datetime.timedelta(days=3),
        duration_minutes=60,
    )
    pair_end(pair=live.pair, by=live.mentee, reason="Leaving.")
    future.refresh_from_db()
    assert future.status == "cancelled"
    assert future.sequence == 1


def test_hr_rematches_the_mentee_of_an_ended_pair_from_the_review_page(
    client_for, hr_admin, cohort, celery_eager
):
    from matching import services as matching_services

    program, people = cohort
    run = matching_services.match_run_create(program=program, by=hr_admin).run
    matching_services.match_run_approve(run=run, by=hr_admin)
    old = Pair.objects.get(mentee=people["e_ai"])
    client = client_for(hr_admin)
    client.post(
        reverse("matching:hr_pair_end", args=[program.slug, old.public_id]),
        {"reason": "Not a fit."},
    )
    old.refresh_from_db()
    assert old.status == "ended"

    review = client.get(reverse("matching:review", args=[program.slug]))
    assert [enrolment.pk for enrolment in review.context["unpaired"]] == [people["e_ai"].pk]

    program.mentor_capacity = 2
    program.save()
    new_mentor = next(
        enrolment
        for key, enrolment in people.items()
        if key.startswith("m_")
        and enrolment.pk != old.mentor_id
        and enrolment.user.manager_id != people["e_ai"].user_id
    )
    client.post(
        reverse("matching:pair_add", args=[program.slug]),
        {"mentor": str(new_mentor.public_id), "mentee": str(people["e_ai"].public_id)},
    )
    new = Pair.objects.get(mentee=people["e_ai"], status="active")
    assert new.mentor_id == new_mentor.pk
