"""HR's results page: figures checked against hand-computed values, the anonymity rules at their
edges (threshold - 1 hidden, threshold shown; free text at 2 x threshold for anonymous surveys;
mentors and mentees apart only when both sides are large enough), no respondent named, and a
query count that does not grow with the answers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback.answering import AnswerDraft, topic_ratings_count
from feedback.models import Question
from feedback.results import can_show, schedule_results, text_threshold
from programs.models import LearnTopic, Topic
from tests.factories import EnrolmentFactory, ProgramFactory, UserFactory
from tests.feedback.factories import (
    AnswerFactory,
    SurveyInvitationFactory,
    SurveyResponseFactory,
    SurveyScheduleFactory,
    builtin,
)

HIDDEN = "Not enough answers to show"


@pytest.fixture
def small_program(db):
    """A program with the smallest anonymity threshold the product allows (3)."""
    return ProgramFactory(status="active", slug="small", anonymity_threshold=3)


def _schedule(program, key, **fields):
    return SurveyScheduleFactory(program=program, template=builtin(key), **fields)


def _question(schedule, position) -> Question:
    return schedule.template.questions.get(position=position)


def _invite(schedule, role="mentee", *, answered=False, name=None):
    user = UserFactory(full_name=name) if name else UserFactory()
    enrolment = EnrolmentFactory(program=schedule.program, role=role, topics=[], user=user)
    return SurveyInvitationFactory(schedule=schedule, enrolment=enrolment, answered=answered)


def _respond(schedule, role="mentee", *, numbers=None, texts=None, topics=None, name=None):
    """One person answers: `numbers` and `texts` by question position, `topics` as
    {position: {topic: number}}. The response is tied to the invitation only when the survey
    is not anonymous, as survey_submit does."""
    invitation = _invite(schedule, role, answered=True, name=name)
    response = SurveyResponseFactory(
        schedule=schedule,
        role=role,
        invitation=None if schedule.template.is_anonymous else invitation,
    )
    for position, number in (numbers or {}).items():
        AnswerFactory(response=response, question=_question(schedule, position), number=number)
    for position, text in (texts or {}).items():
        AnswerFactory(response=response, question=_question(schedule, position), text=text)
    for position, by_topic in (topics or {}).items():
        ratings = [
            AnswerDraft(question=_question(schedule, position), topic=topic, number=number)
            for topic, number in by_topic.items()
        ]
        if schedule.template.is_anonymous:
            # As survey_submit stores them: counted apart from the response.
            topic_ratings_count(schedule=schedule, role=role, ratings=ratings)
        else:
            for rating in ratings:
                AnswerFactory(
                    response=response,
                    question=rating.question,
                    topic=rating.topic,
                    number=rating.number,
                )
    return response


def _page(client_for, hr_admin, schedule):
    url = reverse("feedback:results", args=[schedule.program.slug, schedule.pk])
    response = client_for(hr_admin).get(url)
    assert response.status_code == 200
    return response.content.decode()


def _by_position(results, position):
    return next(item for item in results.questions if item.question.position == position)


# --- The rules, without a database ----------------------------------------------------------


def test_a_figure_needs_the_threshold_and_free_text_twice_it_when_anonymous():
    assert not can_show(4, 5) and can_show(5, 5)
    assert text_threshold(threshold=5, anonymous=True) == 10
    assert text_threshold(threshold=5, anonymous=False) == 5


# --- Figures ---------------------------------------------------------------------------------


def test_likert_mean_distribution_and_response_rate_match_hand_computed_values(
    client_for, hr_admin, small_program
):
    schedule = _schedule(small_program, "mid-program")
    for value in (5, 4, 4):
        _respond(schedule, "mentee", numbers={1: value})
    for value in (2, 5, 3):
        _respond(schedule, "mentor", numbers={1: value})
    _invite(schedule, "mentee")
    _invite(schedule, "mentor")

    results = schedule_results(schedule)

    assert (results.invited, results.answered, results.response_rate) == (8, 6, 75)
    learning = _by_position(results, 1)
    assert learning.n == 6
    assert learning.everyone.mean == pytest.approx(23 / 6)
    assert [(bar.label, bar.count, bar.percent) for bar in learning.everyone.bars] == [
        ("1", 0, 0),
        ("2", 1, 17),
        ("3", 1, 17),
        ("4", 2, 33),
        ("5", 2, 33),
    ]
    # Three on each side: both reach the threshold, so the sides are shown apart.
    assert learning.is_split
    assert learning.mentees.mean == pytest.approx(13 / 3)
    assert learning.mentors.mean == pytest.approx(10 / 3)
    content = _page(client_for, hr_admin, schedule)
    assert "75%" in content
    assert "3.8" in content and "4.3" in content and "3.3" in content


def test_nps_is_promoters_minus_detractors_with_the_three_shares(small_program):
    schedule = _schedule(small_program, "end-of-program")
    for value in (10, 9, 8, 7, 6, 0, 10, 9, 3, 10):
        _respond(schedule, numbers={1: value})

    nps = _by_position(schedule_results(schedule), 1).everyone.nps

    # Promoters 10, 9, 10, 9, 10 (50%); passives 8, 7 (20%); detractors 6, 0, 3 (30%).
    assert (nps.score, nps.promoters, nps.passives, nps.detractors) == (20, 50, 20, 30)


def test_choice_counts_each_option_in_the_readers_language(small_program):
    schedule = _schedule(small_program, "end-of-program")
    for index in (0, 0, 1, 2, 0):
        _respond(schedule, numbers={4: index})

    choice = _by_position(schedule_results(schedule), 4).everyone

    assert [(bar.label, bar.count, bar.percent) for bar in choice.bars] == [
        ("Yes", 3, 60),
        ("Maybe", 1, 20),
        ("No", 1, 20),
    ]


def test_topic_confidence_sits_next_to_the_mentees_confidence_at_enrolment(small_program):
    schedule = _schedule(small_program, "end-of-program")
    shown, small = Topic.objects.all()[:2]
    _respond(schedule, "mentee", topics={3: {shown: 4, small: 4}})
    _respond(schedule, "mentee", topics={3: {shown: 5, small: 5}})
    _respond(schedule, "mentee", topics={3: {shown: 3}})
    _respond(schedule, "mentor", topics={3: {shown: 5}})
    for start in (2, 3, 1):
        LearnTopic.objects.create(
            enrolment=EnrolmentFactory(program=small_program, role="mentee", topics=[]),
            topic=shown,
            confidence_start=start,
        )

    rows = {row.topic: row for row in _by_position(schedule_results(schedule), 3).topics}

    assert (rows[shown].mentees.n, rows[shown].mentees.mean) == (3, pytest.approx(4.0))
    assert (rows[shown].mentees_at_start.n, rows[shown].mentees_at_start.mean) == (
        3,
        pytest.approx(2.0),
    )
    # One mentor, two mentees on the other topic, no baseline for it: hidden.
    assert rows[shown].mentors.n == 1 and not rows[shown].mentors.shown
    assert rows[small].mentees.n == 2 and not rows[small].mentees.shown
    assert not rows[small].mentees_at_start.shown


# --- The threshold edges -----------------------------------------------------------------------


def test_a_question_answered_by_one_fewer_than_the_threshold_is_hidden(
    client_for, hr_admin, program
):
    assert program.anonymity_threshold == 5
    schedule = _schedule(program, "mid-program")
    for value in (1, 2, 3, 4):
        _respond(schedule, numbers={1: value, 2: 5})

    results = schedule_results(schedule)
    assert _by_position(results, 1).everyone is None
    content = _page(client_for, hr_admin, schedule)
    assert HIDDEN in content
    assert "2.5" not in content  # the mean of 1, 2, 3, 4

    _respond(schedule, numbers={1: 5})
    results = schedule_results(schedule)
    assert _by_position(results, 1).everyone.mean == pytest.approx(3.0)
    # Question 2 still has four answers: hidden on its own.
    assert _by_position(results, 2).everyone is None


def test_anonymous_free_text_is_listed_from_twice_the_threshold_in_alphabetical_order(
    client_for, hr_admin, small_program
):
    schedule = _schedule(small_program, "mid-program")
    words = ["zebra crossing", "apple pie", "Mango season", "kiwi", "banana", "cherry"]
    for word in words[:5]:
        _respond(schedule, texts={3: word})

    assert _by_position(schedule_results(schedule), 3).texts is None
    content = _page(client_for, hr_admin, schedule)
    assert "apple pie" not in content and HIDDEN in content

    _respond(schedule, texts={3: words[5]})
    texts = _by_position(schedule_results(schedule), 3).texts
    assert texts == ("apple pie", "banana", "cherry", "kiwi", "Mango season", "zebra crossing")
    content = _page(client_for, hr_admin, schedule)
    positions = [content.index(word) for word in sorted(words, key=str.casefold)]
    assert positions == sorted(positions)


def test_named_free_text_is_listed_from_the_threshold(small_program):
    schedule = _schedule(small_program, "session-pulse", trigger="after_session")
    _respond(schedule, texts={3: "Great tips"})
    _respond(schedule, texts={3: "Too short"})
    assert _by_position(schedule_results(schedule), 3).texts is None

    _respond(schedule, texts={3: "Learned a lot"})
    assert _by_position(schedule_results(schedule), 3).texts == (
        "Great tips",
        "Learned a lot",
        "Too short",
    )


def test_mentors_and_mentees_are_not_shown_apart_when_one_side_is_too_small(
    client_for, hr_admin, small_program
):
    schedule = _schedule(small_program, "mid-program")
    for value in (5, 5, 5):
        _respond(schedule, "mentee", numbers={1: value})
    for value in (1, 2):
        _respond(schedule, "mentor", numbers={1: value})

    learning = _by_position(schedule_results(schedule), 1)

    assert learning.everyone.mean == pytest.approx(18 / 5)
    assert not learning.is_split and learning.mentors is None and learning.mentees is None
    content = _page(client_for, hr_admin, schedule)
    assert "3.6" in content
    # The mentees' 5.0 next to everyone's 3.6 would give away the two mentors' answers.
    assert "5.0" not in content and "1.5" not in content


# --- Nobody is named ---------------------------------------------------------------------------


def test_the_results_page_names_no_respondent_even_for_a_named_survey(
    client_for, hr_admin, small_program
):
    schedule = _schedule(small_program, "session-pulse", trigger="after_session")
    names = ["Zelda Zimmerman", "Yusuf Yilmaz", "Xuan Xuong", "Wiebke Weber"]
    for index, name in enumerate(names):
        _respond(
            schedule,
            "mentee" if index % 2 else "mentor",
            numbers={1: 4, 2: 0},
            texts={3: f"Comment number {index}"},
            name=name,
        )
    invitation = schedule.invitations.select_related("enrolment__user").first()

    content = _page(client_for, hr_admin, schedule)

    assert "Comment number 0" in content  # the page does show the answers
    for name in names:
        assert name not in content
        assert name.split()[0] not in content
    assert invitation.enrolment.user.email not in content
    assert str(invitation.public_id) not in content


# --- Access and query count ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["anonymous", "mentor", "mentee", "other_mentee", "other_mentor", "executive"]
)
def test_only_hr_admins_open_the_results(client_for, people, program, role):
    schedule = _schedule(program, "mid-program")
    url = reverse("feedback:results", args=[program.slug, schedule.pk])
    response = client_for(people[role]).get(url)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == 403


def test_an_inactive_account_is_sent_to_sign_in(client_for, inactive_user, program):
    schedule = _schedule(program, "mid-program")
    url = reverse("feedback:results", args=[program.slug, schedule.pk])
    response = client_for(inactive_user).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_results_of_another_programs_schedule_are_404(client_for, hr_admin, program):
    other = _schedule(ProgramFactory(), "mid-program")
    url = reverse("feedback:results", args=[program.slug, other.pk])
    assert client_for(hr_admin).get(url).status_code == 404


def test_results_refuse_a_post(client_for, hr_admin, program):
    schedule = _schedule(program, "mid-program")
    url = reverse("feedback:results", args=[program.slug, schedule.pk])
    assert client_for(hr_admin).post(url).status_code == 405


def test_the_results_page_is_not_cached(client_for, hr_admin, program):
    schedule = _schedule(program, "mid-program")
    url = reverse("feedback:results", args=[program.slug, schedule.pk])
    assert "no-store" in client_for(hr_admin).get(url)["Cache-Control"]


def test_results_queries_do_not_grow_with_the_answers(
    client_for, hr_admin, small_program, django_assert_num_queries
):
    schedule = _schedule(small_program, "end-of-program")
    topics = list(Topic.objects.all()[:3])
    client = client_for(hr_admin)
    url = reverse("feedback:results", args=[small_program.slug, schedule.pk])
    counts = []
    for size in (8, 30):
        for index in range(schedule.responses.count(), size):
            role = "mentor" if index % 2 else "mentee"
            _respond(
                schedule,
                role,
                numbers={1: index % 11, 4: index % 3},
                texts={2: f"Learned thing {index}"},
                topics={3: {topic: 1 + (index + n) % 5 for n, topic in enumerate(topics)}},
            )
            LearnTopic.objects.create(
                enrolment=EnrolmentFactory(program=small_program, role="mentee", topics=[]),
                topic=topics[index % 3],
                confidence_start=1 + index % 5,
            )
        if counts:
            with django_assert_num_queries(counts[0]):
                assert client.get(url).status_code == 200
        else:
            with CaptureQueriesContext(connection) as context:
                assert client.get(url).status_code == 200
            counts.append(len(context.captured_queries))
