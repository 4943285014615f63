"""HR's matching pages and a participant's own pair: access for every role, wrong methods and
other programs' ids, the review (run, pin, exclude, remove, approve), pairing by hand, the
weights form, and query counts that do not grow with the cohort."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching import services
from matching.models import MatchRun, Pair, PairRule
from programs.models import Enrolment, Topic
from tests.factories import EnrolmentFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "mentor", "mentee", "other_participant", "executive", "hr_admin"]
WEIGHTS = {"topic": "2", "language": "1", "time_zone": "0.5", "department": "0"}


@pytest.fixture
def cast(hr_admin, executive, mentor, mentee, other_participant):
    return {
        "anonymous": None,
        "mentor": mentor,
        "mentee": mentee,
        "other_participant": other_participant,
        "executive": executive,
        "hr_admin": hr_admin,
    }


@pytest.fixture
def matched(program, mentor, mentee, hr_admin):
    """`program` in matching with its mentor and mentee, and a first run suggesting them."""
    program.status = "matching"
    program.save()
    run = services.match_run_create(program=program, by=hr_admin).run
    return {
        "program": program,
        "run": run,
        "mentor": Enrolment.objects.get(user=mentor, program=program),
        "mentee": Enrolment.objects.get(user=mentee, program=program),
    }


@pytest.fixture
def other_program(other_participant):
    """Another program with a mentor, a mentee (`other_participant`), their run, rule and pair."""
    other_mentee = Enrolment.objects.get(user=other_participant)
    program = other_mentee.program
    other_mentor = EnrolmentFactory(
        program=program, role="mentor", user=UserFactory(email="other-mentor@example.com")
    )
    return {
        "program": program,
        "mentor": other_mentor,
        "mentee": other_mentee,
        "run": MatchRun.objects.create(program=program),
        "rule": PairRule.objects.create(
            program=program, mentor=other_mentor, mentee=other_mentee, kind="exclude"
        ),
        "pair": Pair.objects.create(program=program, mentor=other_mentor, mentee=other_mentee),
    }


def _url(name, program, *args):
    return reverse(f"matching:{name}", args=[program.slug, *args])


def _rule(mentor, mentee, kind):
    return {"mentor": str(mentor.public_id), "mentee": str(mentee.public_id), "kind": kind}


def _pair(mentor, mentee):
    return {"mentor": str(mentor.public_id), "mentee": str(mentee.public_id)}


def _messages(response):
    return [str(message) for message in response.context["messages"]]


def _suggested(run):
    return {(s.mentor.user.email, s.mentee.user.email) for s in run.suggestions.all()}


# --- Access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_matching_pages_open_only_for_hr_admins(client_for, cast, matched, role):
    program = matched["program"]
    urls = [
        _url("review", program),
        _url("mentee", program, matched["mentee"].public_id),
    ]
    for url in urls:
        response = client_for(cast[role]).get(url)
        if role == "anonymous":
            assert response.status_code == 302, url
            assert response["Location"].startswith("/accounts/login/"), url
        elif role == "hr_admin":
            assert response.status_code == 200, url
        else:
            assert response.status_code == 403, url


def _actions(matched, rule):
    program, mentor, mentee = matched["program"], matched["mentor"], matched["mentee"]
    return [
        (_url("run", program), WEIGHTS),
        (_url("rule_add", program), _rule(mentor, mentee, "exclude")),
        (_url("rule_delete", program, rule.pk), {}),
        (_url("approve", program, matched["run"].pk), {}),
        (_url("pair_add", program), _pair(mentor, mentee)),
    ]


@pytest.mark.parametrize(
    "role", ["anonymous", "mentor", "mentee", "other_participant", "executive"]
)
def test_matching_actions_are_refused_to_other_roles_and_change_nothing(
    client_for, cast, matched, role
):
    rule = PairRule.objects.create(
        program=matched["program"], mentor=matched["mentor"], mentee=matched["mentee"], kind="pin"
    )
    client = client_for(cast[role])
    for url, data in _actions(matched, rule):
        response = client.post(url, data)
        if role == "anonymous":
            assert response.status_code == 302, url
            assert response["Location"].startswith("/accounts/login/"), url
        else:
            assert response.status_code == 403, url
    assert MatchRun.objects.get() == matched["run"]
    assert matched["run"].status == "proposed"
    assert list(PairRule.objects.all()) == [rule]
    assert not Pair.objects.exists()


def test_matching_actions_redirect_for_hr_admins(client_for, hr_admin, matched):
    rule = PairRule.objects.create(
        program=matched["program"], mentor=matched["mentor"], mentee=matched["mentee"], kind="pin"
    )
    client = client_for(hr_admin)
    for url, data in _actions(matched, rule):
        assert client.post(url, data).status_code == 302, url


@pytest.mark.parametrize(
    ("url_name", "method", "needs"),
    [
        ("review", "post", ()),
        ("mentee", "post", ("mentee",)),
        ("run", "get", ()),
        ("approve", "get", ("run",)),
        ("rule_add", "get", ()),
        ("rule_delete", "get", ("rule",)),
        ("pair_add", "get", ()),
    ],
)
def test_wrong_methods_are_405(client_for, hr_admin, matched, url_name, method, needs):
    rule = PairRule.objects.create(
        program=matched["program"], mentor=matched["mentor"], mentee=matched["mentee"], kind="pin"
    )
    ids = {"mentee": matched["mentee"].public_id, "run": matched["run"].pk, "rule": rule.pk}
    url = _url(url_name, matched["program"], *[ids[need] for need in needs])
    assert getattr(client_for(hr_admin), method)(url).status_code == 405


def test_another_programs_ids_are_404(client_for, hr_admin, matched, other_program):
    program = matched["program"]
    client = client_for(hr_admin)
    foreign_mentee, foreign_mentor = other_program["mentee"], other_program["mentor"]
    assert client.get(_url("mentee", program, foreign_mentee.public_id)).status_code == 404
    assert client.post(_url("approve", program, other_program["run"].pk)).status_code == 404
    assert client.post(_url("rule_delete", program, other_program["rule"].pk)).status_code == 404
    own_mentor, own_mentee = matched["mentor"], matched["mentee"]
    for data in (
        _rule(foreign_mentor, own_mentee, "pin"),
        _rule(own_mentor, foreign_mentee, "pin"),
    ):
        assert client.post(_url("rule_add", program), data).status_code == 404
    for data in (_pair(foreign_mentor, own_mentee), _pair(own_mentor, foreign_mentee)):
        assert client.post(_url("pair_add", program), data).status_code == 404
    other_program["run"].refresh_from_db()
    assert other_program["run"].status == "proposed"
    assert PairRule.objects.filter(pk=other_program["rule"].pk).exists()
    assert PairRule.objects.count() == 1
    assert Pair.objects.count() == 1


def test_the_mentee_page_is_404_for_a_mentor(client_for, hr_admin, matched):
    url = _url("mentee", matched["program"], matched["mentor"].public_id)
    assert client_for(hr_admin).get(url).status_code == 404


def test_an_unknown_program_is_404(client_for, hr_admin):
    assert client_for(hr_admin).get("/programs/nope/matching/").status_code == 404


def test_a_broken_rule_form_is_400(client_for, hr_admin, matched):
    url = _url("rule_add", matched["program"])
    data = _rule(matched["mentor"], matched["mentee"], "adore")
    assert client_for(hr_admin).post(url, data).status_code == 400
    assert not PairRule.objects.exists()


# --- The review page ----------------------------------------------------------------------------


def test_the_review_shows_the_run_its_suggestions_and_why(client_for, hr_admin, cohort):
    program, people = cohort
    Enrolment.objects.filter(pk=people["e_data"].pk).update(languages=["ja"])
    services.match_run_create(program=program, by=hr_admin)
    response = client_for(hr_admin).get(_url("review", program))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Hana HR" in page
    assert "2 / 3" in page
    ai = program.topics.order_by("pk").first()
    assert f"Shares {ai.label} (level 2 × priority 2)" in page
    assert "no mentor shares a language: speaks ja" in page
    assert reverse("matching:mentee", args=[program.slug, people["e_data"].public_id]) in page
    assert "Approve these pairs" in page
    assert 'name="topic" value="1.0"' in page


def test_the_review_without_a_run_offers_to_run(client_for, hr_admin, cohort):
    program, _ = cohort
    page = client_for(hr_admin).get(_url("review", program)).content.decode()
    assert "Matching has not run for this program yet." in page
    assert "Approve these pairs" not in page


def test_the_review_of_a_program_in_enrolment_offers_no_action(client_for, hr_admin, program):
    page = client_for(hr_admin).get(_url("review", program)).content.decode()
    assert "Matching runs while a program is in matching or active" in page
    assert _url("run", program) not in page


def test_a_run_with_weights_is_stored_and_reported(client_for, hr_admin, cohort):
    program, _ = cohort
    response = client_for(hr_admin).post(_url("run", program), WEIGHTS, follow=True)
    run = MatchRun.objects.get()
    assert run.created_by == hr_admin
    assert run.parameters["weights"] == {
        "topic": 2.0,
        "language": 1.0,
        "time_zone": 0.5,
        "department": 0.0,
    }
    assert "Matching ran: 3 of 3 mentees matched." in _messages(response)
    # The form offers the weights of the last run again.
    assert 'name="time_zone" value="0.5"' in response.content.decode()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "A weight cannot be negative"),
        ("abc", "Enter a number from 0 to 10"),
        ("inf", "Enter a number from 0 to 10"),
        ("11", "A weight is at most 10."),
        ("", "Enter a weight from 0 to 10."),
    ],
)
def test_the_weights_form_refuses_bad_values_without_running(
    client_for, hr_admin, cohort, value, message
):
    program, _ = cohort
    response = client_for(hr_admin).post(_url("run", program), {**WEIGHTS, "topic": value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MatchRun.objects.exists()


def test_a_run_the_service_refuses_is_flashed(client_for, hr_admin, cohort):
    program, people = cohort
    PairRule.objects.create(
        program=program, mentor=people["m_social"], mentee=people["e_social"], kind="pin"
    )
    response = client_for(hr_admin).post(_url("run", program), WEIGHTS, follow=True)
    assert any("one reporting line" in message for message in _messages(response))
    assert not MatchRun.objects.exists()


def test_a_pin_runs_again_and_later_runs_keep_it(client_for, hr_admin, cohort):
    program, people = cohort
    client = client_for(hr_admin)
    client.post(_url("run", program), WEIGHTS)
    response = client.post(
        _url("rule_add", program), _rule(people["m_data"], people["e_ai"], "pin"), follow=True
    )
    assert "Eda Board is pinned to Dan Data." in _messages(response)
    assert PairRule.objects.get().kind == "pin"
    run = MatchRun.objects.first()
    assert MatchRun.objects.count() == 2
    assert run.suggestions.get(mentee=people["e_ai"]).mentor == people["m_data"]
    assert run.suggestions.get(mentee=people["e_ai"]).pinned
    # The re-run kept the weights HR chose.
    assert run.parameters["weights"]["topic"] == 2.0

    client.post(_url("run", program), WEIGHTS)
    again = MatchRun.objects.first()
    assert again.pk != run.pk
    assert again.suggestions.get(mentee=people["e_ai"]).mentor == people["m_data"]
    assert "pinned" in client.get(_url("review", program)).content.decode()


def test_a_pin_the_rules_refuse_is_not_kept(client_for, hr_admin, cohort):
    program, people = cohort
    response = client_for(hr_admin).post(
        _url("rule_add", program),
        _rule(people["m_social"], people["e_social"], "pin"),
        follow=True,
    )
    assert any("one reporting line" in message for message in _messages(response))
    assert not PairRule.objects.exists()
    assert not MatchRun.objects.exists()


def test_an_exclusion_runs_again_without_the_pair(client_for, hr_admin, cohort):
    program, people = cohort
    client = client_for(hr_admin)
    client.post(_url("run", program), WEIGHTS)
    assert ("m-ai@example.com", "e-ai@example.com") in _suggested(MatchRun.objects.first())
    client.post(_url("rule_add", program), _rule(people["m_ai"], people["e_ai"], "exclude"))
    assert PairRule.objects.get().kind == "exclude"
    assert ("m-ai@example.com", "e-ai@example.com") not in _suggested(MatchRun.objects.first())


def test_a_rule_is_removed_and_matching_runs_again(client_for, hr_admin, cohort):
    program, people = cohort
    rule = PairRule.objects.create(
        program=program, mentor=people["m_ai"], mentee=people["e_ai"], kind="exclude"
    )
    response = client_for(hr_admin).post(_url("rule_delete", program, rule.pk), follow=True)
    assert response.redirect_chain[-1][0] == _url("review", program)
    assert "Rule removed: Ana AI and Eda Board." in _messages(response)
    assert not PairRule.objects.exists()
    assert ("m-ai@example.com", "e-ai@example.com") in _suggested(MatchRun.objects.get())


def test_removing_a_broken_pin_unblocks_matching(client_for, hr_admin, cohort):
    program, people = cohort
    broken = PairRule.objects.create(
        program=program, mentor=people["m_social"], mentee=people["e_social"], kind="pin"
    )
    client_for(hr_admin).post(_url("rule_delete", program, broken.pk))
    assert not PairRule.objects.exists()
    assert MatchRun.objects.count() == 1


def test_approval_creates_the_pairs_flashes_and_introduces_everyone(
    client_for, hr_admin, cohort, celery_eager, django_capture_on_commit_callbacks
):
    program, _ = cohort
    client = client_for(hr_admin)
    run = services.match_run_create(program=program, by=hr_admin).run
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("approve", program, run.pk), follow=True)
    [message] = _messages(response)
    assert message.startswith("3 pairs created")
    assert "the program is now active" in message
    assert Pair.objects.active().count() == 3
    program.refresh_from_db()
    assert program.status == "active"
    assert len(mail.outbox) == 6
    # Once active, the review lists the mentees still without a mentor: none.
    assert "Every approved mentee has a mentor." in response.content.decode()

    again = client.post(_url("approve", program, run.pk), follow=True)
    assert any("approved or replaced" in message for message in _messages(again))
    assert Pair.objects.count() == 3


def test_approval_with_mentees_left_says_how_many(client_for, hr_admin, cohort, celery_eager):
    program, people = cohort
    Enrolment.objects.filter(pk=people["e_data"].pk).update(languages=["ja"])
    run = services.match_run_create(program=program, by=hr_admin).run
    response = client_for(hr_admin).post(_url("approve", program, run.pk), follow=True)
    [message] = _messages(response)
    assert message.startswith("2 pairs created")
    assert "1 mentee still needs a mentor." in message
    program.refresh_from_db()
    assert program.status == "matching"
    # Still in matching, the review lists who waits for a mentor.
    assert [enrolment.pk for enrolment in response.context["unpaired"]] == [people["e_data"].pk]


def test_the_program_page_links_to_matching_once_in_matching(client_for, hr_admin, program):
    client = client_for(hr_admin)
    detail = reverse("programs:program_detail", args=[program.slug])
    assert _url("review", program) not in client.get(detail).content.decode()
    program.status = "matching"
    program.save()
    assert _url("review", program) in client.get(detail).content.decode()


def test_an_approved_run_offers_no_pin_or_exclusion(client_for, hr_admin, cohort, celery_eager):
    program, _ = cohort
    run = services.match_run_create(program=program, by=hr_admin).run
    services.match_run_approve(run=run, by=hr_admin)
    page = client_for(hr_admin).get(_url("review", program)).content.decode()
    assert "Pairs approved from this run" in page
    assert _url("rule_add", program) not in page
    assert "Approve these pairs" not in page


# --- One mentee, and pairing by hand ------------------------------------------------------------


def test_the_mentee_page_ranks_every_eligible_mentor_with_why(client_for, hr_admin, cohort):
    program, people = cohort
    services.match_run_create(program=program, by=hr_admin)
    response = client_for(hr_admin).get(_url("mentee", program, people["e_social"].public_id))
    page = response.content.decode()
    names = [row["mentor"].user.full_name for row in response.context["rows"]]
    # The boss's own report is never eligible.
    assert "Sam Social" not in names
    assert sorted(names) == ["Ana AI", "Dan Data"]
    scores = [row["score"] for row in response.context["rows"]]
    assert scores == sorted(scores, reverse=True)
    assert "1 shared language (en)" in page
    assert "Assign" in page
    assert "Pair now" not in page


def test_assign_pins_the_mentor_and_runs_again(client_for, hr_admin, cohort):
    program, people = cohort
    services.match_run_create(program=program, by=hr_admin)
    client_for(hr_admin).post(
        _url("rule_add", program), _rule(people["m_ai"], people["e_data"], "pin")
    )
    run = MatchRun.objects.first()
    assert run.suggestions.get(mentee=people["e_data"]).mentor == people["m_ai"]


@pytest.fixture
def active_cohort(cohort, hr_admin, celery_eager):
    """The cohort approved into pairs (the program is active), with a late mentee unpaired and
    room for a second mentee per mentor."""
    program, people = cohort
    services.match_run_approve(
        run=services.match_run_create(program=program, by=hr_admin).run, by=hr_admin
    )
    program.refresh_from_db()
    program.mentor_capacity = 2
    program.save()
    people["late"] = EnrolmentFactory(
        program=program,
        role="mentee",
        topics=[program.topics.order_by("pk").first()],
        user=UserFactory(email="late@example.com", full_name="Lale Late", department="Legal"),
    )
    return program, people


def test_an_active_review_lists_mentees_without_a_mentor(client_for, hr_admin, active_cohort):
    program, people = active_cohort
    page = client_for(hr_admin).get(_url("review", program)).content.decode()
    assert "Mentees without a mentor" in page
    assert reverse("matching:mentee", args=[program.slug, people["late"].public_id]) in page


def test_pair_now_while_active(client_for, hr_admin, active_cohort):
    program, people = active_cohort
    client = client_for(hr_admin)
    page = client.get(_url("mentee", program, people["late"].public_id)).content.decode()
    assert "Pair now" in page
    assert "Assign" not in page
    response = client.post(
        _url("pair_add", program), _pair(people["m_ai"], people["late"]), follow=True
    )
    assert response.redirect_chain[-1][0] == _url("mentee", program, people["late"].public_id)
    assert "Lale Late and Ana AI are paired" in _messages(response)[0]
    pair = Pair.objects.get(mentee=people["late"])
    assert pair.mentor == people["m_ai"]


def test_a_rule_while_active_waits_for_the_next_run(client_for, hr_admin, active_cohort):
    program, people = active_cohort
    runs = MatchRun.objects.count()
    response = client_for(hr_admin).post(
        _url("rule_add", program), _rule(people["m_data"], people["late"], "exclude"), follow=True
    )
    assert "Run matching again to see the effect." in _messages(response)
    assert PairRule.objects.get().kind == "exclude"
    assert MatchRun.objects.count() == runs


def test_a_paired_mentee_offers_no_action(client_for, hr_admin, active_cohort):
    program, people = active_cohort
    response = client_for(hr_admin).get(_url("mentee", program, people["e_ai"].public_id))
    page = response.content.decode()
    assert "current mentor" in page
    for action in (_url("rule_add", program), _url("pair_add", program)):
        assert action not in page


def test_pair_now_refused_by_the_rules_is_flashed(client_for, hr_admin, active_cohort):
    program, people = active_cohort
    Pair.objects.filter(mentee=people["e_social"]).update(status="ended")
    response = client_for(hr_admin).post(
        _url("pair_add", program), _pair(people["m_social"], people["e_social"]), follow=True
    )
    assert any("the rules of the program forbid it" in m for m in _messages(response))
    assert not Pair.objects.active().filter(mentee=people["e_social"]).exists()


# --- A participant's own pair -------------------------------------------------------------------


@pytest.fixture
def pair(matched, hr_admin):
    [pair] = services.match_run_approve(run=matched["run"], by=hr_admin)
    return pair


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("mentor", 200),
        ("mentee", 200),
        ("other_participant", 404),
        ("other_mentor", 404),
        ("executive", 404),
        ("hr_admin", 404),
    ],
)
def test_only_the_two_people_of_a_pair_see_it(client_for, cast, pair, other_program, role, status):
    people = {**cast, "other_mentor": other_program["mentor"].user}
    response = client_for(people[role]).get(reverse("matching:my_pair", args=[pair.public_id]))
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/accounts/login/")


def test_the_pair_page_shows_the_partner_and_what_they_share(client_for, mentor, mentee, pair):
    page = (
        client_for(mentee).get(reverse("matching:my_pair", args=[pair.public_id])).content.decode()
    )
    assert "Your mentor: Minh Trần" in page
    assert "minh@example.com" in page
    assert "English" in page
    assert pair.program.topics.order_by("pk").first().label in page
    assert "A 60-minute session every 2 weeks" in page
    page = (
        client_for(mentor).get(reverse("matching:my_pair", args=[pair.public_id])).content.decode()
    )
    assert "Your mentee: Mehmet Kaya" in page
    assert "Understand how young customers use social media." in page


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("mentor", 200),
        ("mentee", 200),
        ("other_participant", 404),
        ("other_mentor", 404),
        ("executive", 404),
        ("hr_admin", 404),
    ],
)
def test_an_ended_pair_is_read_only_for_its_people_and_404_for_others(
    client_for, cast, pair, other_program, role, status
):
    Pair.objects.filter(pk=pair.pk).update(status="ended")
    people = {**cast, "other_mentor": other_program["mentor"].user}
    response = client_for(people[role]).get(reverse("matching:my_pair", args=[pair.public_id]))
    assert response.status_code == status
    if status == 200:
        assert response.context["read_only"] is True
        assert reverse("matching:pair_end", args=[pair.public_id]) not in response.content.decode()


def test_the_pair_page_is_get_only(client_for, mentor, pair):
    assert (
        client_for(mentor).post(reverse("matching:my_pair", args=[pair.public_id])).status_code
        == 405
    )


# --- Query counts -------------------------------------------------------------------------------


def _cohort_of(size: int, slug: str, hr_admin):
    """A program in matching with `size` mentors and mentees, one mentee nobody can take, a pin
    and an exclusion, and a run."""
    program = ProgramFactory(status="matching", slug=slug, topics=Topic.objects.all()[:3])
    topics = list(program.topics.order_by("pk"))
    mentors = [
        EnrolmentFactory(
            program=program,
            role="mentor",
            topics=[topics[i % 3]],
            user=UserFactory(department=f"Team {i % 4}"),
        )
        for i in range(size)
    ]
    mentees = [
        EnrolmentFactory(
            program=program,
            role="mentee",
            topics=topics[: 1 + i % 3],
            user=UserFactory(department=f"Board {i % 2}"),
        )
        for i in range(size)
    ]
    EnrolmentFactory(program=program, role="mentee", languages=["ja"])
    services.pair_rule_set(
        program=program, mentor=mentors[0], mentee=mentees[0], kind="pin", by=hr_admin
    )
    services.pair_rule_set(
        program=program, mentor=mentors[1], mentee=mentees[0], kind="exclude", by=hr_admin
    )
    run = services.match_run_create(program=program, by=hr_admin).run
    assert run.suggestions.count() == size
    return program, mentees


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_review_query_count_does_not_grow_with_the_cohort(client_for, hr_admin):
    client = client_for(hr_admin)
    small, _ = _cohort_of(4, "small", hr_admin)
    large, _ = _cohort_of(20, "large", hr_admin)
    client.get(_url("review", small))  # the session and the like, loaded once
    counts = [_queries(client, _url("review", program)) for program in (small, large)]
    assert counts[0] == counts[1], counts


def test_the_mentee_page_query_count_does_not_grow_with_the_cohort(client_for, hr_admin):
    client = client_for(hr_admin)
    small, small_mentees = _cohort_of(4, "small", hr_admin)
    large, large_mentees = _cohort_of(20, "large", hr_admin)
    urls = [
        _url("mentee", small, small_mentees[1].public_id),
        _url("mentee", large, large_mentees[1].public_id),
    ]
    client.get(urls[0])
    counts = [_queries(client, url) for url in urls]
    assert counts[0] == counts[1], counts
