"""Answering a survey from its link: who may open it, the three states of the page (open,
answered, closed), what an answer stores (and, for an anonymous survey, what it must not), every
refused input, the invitee's language, the home page's list of surveys waiting, and the page's
query count."""

import datetime
import uuid

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from feedback import links
from feedback.answering import AnswerDraft, respondent_topics, survey_submit
from feedback.models import (
    Answer,
    Question,
    SurveyInvitation,
    SurveyResponse,
    SurveyTemplate,
    TopicRatingTally,
)
from programs.models import Enrolment, LearnTopic, TeachTopic, Topic
from tests.factories import UserFactory
from tests.feedback.factories import SurveyInvitationFactory, SurveyScheduleFactory, builtin

pytestmark = pytest.mark.django_db


# --- Helpers ------------------------------------------------------------------------------------


def invite(user, key: str = "session-pulse", *, closes_in=datetime.timedelta(days=14)):
    enrolment = Enrolment.objects.get(user=user)
    schedule = SurveyScheduleFactory(program=enrolment.program, template=builtin(key))
    return SurveyInvitationFactory(
        schedule=schedule, enrolment=enrolment, closes_at=timezone.now() + closes_in
    )


def url_of(invitation: SurveyInvitation) -> str:
    return reverse("feedback:survey_answer", args=[links.survey_token(invitation.public_id)])


def questions_of(invitation: SurveyInvitation) -> dict[str, Question]:
    """The template's questions by kind (each built-in template has at most one of a kind but
    mid-program's two scales, which are "likert" and "likert2")."""
    by_kind: dict[str, Question] = {}
    for question in invitation.schedule.template.questions.order_by("position"):
        name = question.kind if question.kind not in by_kind else f"{question.kind}2"
        by_kind[name] = question
    return by_kind


def valid_post(invitation: SurveyInvitation) -> dict[str, str]:
    """A complete, valid answer to the invitation's survey."""
    data = {}
    for question in invitation.schedule.template.questions.all():
        name = f"q{question.pk}"
        if question.kind == "likert":
            data[name] = "4"
        elif question.kind == "nps":
            data[name] = "9"
        elif question.kind == "choice":
            data[name] = "0"
        elif question.kind == "text":
            data[name] = "Very helpful, thank you."
        else:
            for topic in respondent_topics(enrolment=invitation.enrolment):
                data[f"{name}-topic-{topic.pk}"] = "4"
    return data


def rows() -> tuple[int, int]:
    return SurveyResponse.objects.count(), Answer.objects.count()


@pytest.fixture
def mentee_topic(pair, mentee) -> LearnTopic:
    """The mentee's one learning topic (from the factory), with a start confidence of 2."""
    return LearnTopic.objects.get(enrolment__user=mentee)


# --- Who may open the link ----------------------------------------------------------------------


def test_the_invitee_opens_the_link_signed_out_and_sees_the_questions(client, pair, mentee):
    invitation = invite(mentee)
    response = client.get(url_of(invitation))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Digital leaders 2027" in html
    assert "Session pulse" in html
    assert "How useful was this session for you?" in html
    assert "Strongly disagree" in html and "Strongly agree" in html
    assert "A good fit" in html and "Not a good fit" in html
    assert 'maxlength="2000"' in html
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 200),
        ("mentee", 200),  # the invitee
        ("mentor", 403),
        ("other_mentee", 403),
        ("other_mentor", 403),
        ("executive", 403),
        ("hr_admin", 403),
    ],
)
def test_only_the_invitee_or_a_signed_out_visitor_opens_a_survey_link(
    client_for, people, pair, role, status
):
    invitation = invite(people["mentee"])
    response = client_for(people[role]).get(url_of(invitation))
    assert response.status_code == status
    assert ("How useful was this session" in response.content.decode()) is (status == 200)


def test_another_signed_in_person_cannot_answer_someone_elses_survey(
    client_for, pair, mentee, mentor
):
    invitation = invite(mentee)
    response = client_for(mentor).post(url_of(invitation), valid_post(invitation))
    assert response.status_code == 403
    assert rows() == (0, 0)
    invitation.refresh_from_db()
    assert invitation.answered is False


def test_a_signed_in_inactive_account_counts_as_signed_out(client_for, pair, mentee, inactive_user):
    # An inactive account has no session: the link alone decides, as for anyone signed out.
    invitation = invite(mentee)
    assert client_for(inactive_user).get(url_of(invitation)).status_code == 200


def test_the_link_of_an_invitee_whose_account_was_deactivated_is_404(client, pair, mentee):
    invitation = invite(mentee)
    mentee.is_active = False
    mentee.save()
    assert client.get(url_of(invitation)).status_code == 404
    assert client.post(url_of(invitation), valid_post(invitation)).status_code == 404
    assert rows() == (0, 0)


def test_a_forged_altered_or_unknown_link_is_404(client, pair, mentee):
    invitation = invite(mentee)
    token = links.survey_token(invitation.public_id)
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in [
        altered,
        "not-a-token",
        links.survey_token(uuid.uuid4()),  # well signed, but no such invitation
        links.unsubscribe_token(mentee.pk, "survey_invitations"),  # another link's signature
    ]:
        url = reverse("feedback:survey_answer", args=[bad])
        assert client.get(url).status_code == 404, bad
        assert client.post(url, valid_post(invitation)).status_code == 404, bad
    assert rows() == (0, 0)


def test_the_link_is_the_same_in_every_mail_of_one_invitation(pair, mentee):
    invitation = invite(mentee)
    first = links.survey_url(invitation.public_id)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        assert links.survey_url(invitation.public_id) == first


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_answer_page_takes_only_get_and_post(client, pair, mentee, method):
    invitation = invite(mentee)
    assert getattr(client, method)(url_of(invitation)).status_code == 405


# --- Submitting ---------------------------------------------------------------------------------


def test_an_answer_is_saved_once_and_the_page_then_says_thank_you(client, pair, mentee):
    invitation = invite(mentee)
    url = url_of(invitation)
    response = client.post(url, valid_post(invitation))
    assert response.status_code == 302 and response["Location"] == url
    assert rows() == (1, 3)

    html = client.get(url).content.decode()
    assert "Thank you, your answers were saved." in html
    assert "Send my answers" not in html
    # Later visits say it was done before.
    html = client.get(url).content.decode()
    assert "You have already answered this survey, thank you." in html
    assert "Send my answers" not in html


def test_a_second_submit_is_refused_and_changes_nothing(client, pair, mentee):
    invitation = invite(mentee)
    url = url_of(invitation)
    client.post(url, valid_post(invitation))
    client.get(url)  # reads the "thank you"
    invitation.refresh_from_db()
    first_answered_at = invitation.answered_at
    before = rows()

    second = dict(valid_post(invitation))
    second[f"q{questions_of(invitation)['likert'].pk}"] = "1"
    response = client.post(url, second, follow=True)
    assert response.status_code == 200
    assert "You have already answered this survey, thank you." in response.content.decode()
    assert rows() == before
    assert not Answer.objects.filter(number=1).exists()
    invitation.refresh_from_db()
    assert invitation.answered_at == first_answered_at


def test_the_service_refuses_a_second_claim_and_writes_nothing(pair, mentee):
    invitation = invite(mentee)
    likert = questions_of(invitation)["likert"]
    survey_submit(invitation=invitation, answers=[AnswerDraft(question=likert, number=5)])
    stale = SurveyInvitation.objects.for_answer_page().get(pk=invitation.pk)
    stale.answered = False  # as a second tab loaded it before the first answer
    with pytest.raises(ValidationError, match="already answered"):
        survey_submit(invitation=stale, answers=[AnswerDraft(question=likert, number=1)])
    assert rows() == (1, 1)


def test_a_survey_that_closed_after_the_page_was_loaded_refuses_the_answer(pair, mentee):
    invitation = invite(mentee)
    likert = questions_of(invitation)["likert"]
    SurveyInvitation.objects.filter(pk=invitation.pk).update(closes_at=timezone.now())
    with pytest.raises(ValidationError, match="closed"):
        survey_submit(invitation=invitation, answers=[AnswerDraft(question=likert, number=5)])
    assert rows() == (0, 0)
    assert SurveyInvitation.objects.get(pk=invitation.pk).answered is False


def test_a_closed_survey_answers_410_and_refuses_a_post(client, pair, mentee):
    invitation = invite(mentee, closes_in=datetime.timedelta(seconds=-1))
    url = url_of(invitation)
    response = client.get(url)
    assert response.status_code == 410
    assert "This survey has closed" in response.content.decode()
    assert "Send my answers" not in response.content.decode()
    response = client.post(url, valid_post(invitation))
    assert response.status_code == 410
    assert rows() == (0, 0)
    invitation.refresh_from_db()
    assert invitation.answered is False


def test_a_named_answer_links_the_invitation_and_records_the_end_confidence(
    client, pair, mentee, mentee_topic
):
    # The end-of-program survey with its anonymity switched off, as HR may choose.
    SurveyTemplate.objects.filter(key="end-of-program").update(is_anonymous=False)
    invitation = invite(mentee, "end-of-program")
    data = valid_post(invitation)
    data[f"q{questions_of(invitation)['topic_confidence'].pk}-topic-{mentee_topic.topic_id}"] = "5"

    assert client.post(url_of(invitation), data).status_code == 302
    response = SurveyResponse.objects.get()
    invitation.refresh_from_db()
    assert response.invitation == invitation
    assert response.role == "mentee"
    assert invitation.answered is True and invitation.answered_at is not None
    assert response.answers.get(topic=mentee_topic.topic).number == 5
    mentee_topic.refresh_from_db()
    assert mentee_topic.confidence_end == 5
    assert mentee_topic.confidence_start == 2


def test_an_anonymous_answer_keeps_no_link_to_the_person(client, pair, mentee, mentee_topic):
    invitation = invite(mentee, "end-of-program")
    assert invitation.schedule.template.is_anonymous
    data = valid_post(invitation)
    data[f"q{questions_of(invitation)['topic_confidence'].pk}-topic-{mentee_topic.topic_id}"] = "5"

    assert client.post(url_of(invitation), data).status_code == 302
    response = SurveyResponse.objects.get()
    invitation.refresh_from_db()
    assert response.invitation is None
    assert response.submitted_on == datetime.datetime.now(datetime.UTC).date()
    assert invitation.answered is True
    assert invitation.answered_at is None
    # The topic rating is kept for the aggregates, but only as a count: nothing groups the
    # topics one person rated (which would name them) or ties them to the response.
    assert not response.answers.filter(topic__isnull=False).exists()
    assert not Answer.objects.filter(topic__isnull=False).exists()
    tally = TopicRatingTally.objects.get()
    assert (tally.topic, tally.role, tally.value, tally.count) == (
        mentee_topic.topic,
        "mentee",
        5,
        1,
    )
    assert response.answers.count() == len(questions_of(invitation)) - 1
    # ...but nothing on the person's own rows moves with it.
    mentee_topic.refresh_from_db()
    assert mentee_topic.confidence_end is None


def test_a_mentor_rates_their_teaching_topics_and_no_learning_row_changes(client, pair, mentor):
    SurveyTemplate.objects.filter(key="end-of-program").update(is_anonymous=False)
    invitation = invite(mentor, "end-of-program")
    teach = TeachTopic.objects.get(enrolment__user=mentor)
    html = client.get(url_of(invitation)).content.decode()
    assert teach.topic.label in html
    assert client.post(url_of(invitation), valid_post(invitation)).status_code == 302
    response = SurveyResponse.objects.get()
    assert response.role == "mentor"
    assert response.answers.get(topic=teach.topic).number == 4
    assert not LearnTopic.objects.filter(confidence_end__isnull=False).exists()


def test_only_topics_the_program_offers_are_rated(pair, mentee, mentee_topic):
    outside = Topic.objects.exclude(pk__in=pair.program.topics.all()).first()
    LearnTopic.objects.create(enrolment=mentee_topic.enrolment, topic=outside, priority=1)
    assert respondent_topics(enrolment=mentee_topic.enrolment) == [mentee_topic.topic]


# --- Refused input ------------------------------------------------------------------------------


def _other_program_topic(pair, mentee_topic) -> Topic:
    return pair.program.topics.exclude(pk=mentee_topic.topic_id).first()


BAD_INPUT = {
    # case: (template, change to a valid answer, the message shown)
    "missing required": (
        "session-pulse",
        lambda q, t: {f"q{q['likert'].pk}": ""},
        "Please answer this question.",
    ),
    "likert 6": (
        "session-pulse",
        lambda q, t: {f"q{q['likert'].pk}": "6"},
        "Choose an answer from 1 to 5.",
    ),
    "choice index 9": (
        "session-pulse",
        lambda q, t: {f"q{q['choice'].pk}": "9"},
        "Choose one of the options shown.",
    ),
    "text too long": (
        "session-pulse",
        lambda q, t: {f"q{q['text'].pk}": "x" * 2001},
        "Please shorten your answer to at most 2000 characters (it has 2001).",
    ),
    "nps 11": (
        "end-of-program",
        lambda q, t: {f"q{q['nps'].pk}": "11"},
        "Choose a number from 0 to 10.",
    ),
    "confidence 6": (
        "end-of-program",
        lambda q, t: {f"q{q['topic_confidence'].pk}-topic-{t['own'].pk}": "6"},
        "Choose how confident you feel, from 1 to 5.",
    ),
    "confidence missing": (
        "end-of-program",
        lambda q, t: {f"q{q['topic_confidence'].pk}-topic-{t['own'].pk}": ""},
        "Please say how confident you feel in this topic.",
    ),
    "a topic not the respondent's": (
        "end-of-program",
        lambda q, t: {f"q{q['topic_confidence'].pk}-topic-{t['foreign'].pk}": "5"},
        "You can only rate your confidence in your own topics.",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_shows_its_message_and_writes_nothing(client, pair, mentee, mentee_topic, case):
    SurveyTemplate.objects.filter(key="end-of-program").update(is_anonymous=False)
    key, change, message = BAD_INPUT[case]
    invitation = invite(mentee, key)
    topics = {"own": mentee_topic.topic, "foreign": _other_program_topic(pair, mentee_topic)}
    data = {**valid_post(invitation), **change(questions_of(invitation), topics)}

    response = client.post(url_of(invitation), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'class="error-summary" role="alert"' in html
    assert rows() == (0, 0)
    invitation.refresh_from_db()
    assert invitation.answered is False
    mentee_topic.refresh_from_db()
    assert mentee_topic.confidence_end is None


def test_an_optional_question_may_be_left_empty(client, pair, mentee):
    invitation = invite(mentee)
    data = valid_post(invitation)
    data[f"q{questions_of(invitation)['text'].pk}"] = "   "
    assert client.post(url_of(invitation), data).status_code == 302
    assert rows() == (1, 2)


def test_a_full_text_box_with_line_breaks_is_not_refused(client, pair, mentee):
    # The browser lets 2000 characters in, counting each line break as one; it sends "\r\n".
    invitation = invite(mentee)
    data = valid_post(invitation)
    data[f"q{questions_of(invitation)['text'].pk}"] = ("x" * 99 + "\r\n") * 20
    assert client.post(url_of(invitation), data).status_code == 302
    assert len(Answer.objects.get(question__kind="text").text) <= 2000


# --- Language -----------------------------------------------------------------------------------


def test_the_page_speaks_the_invitees_language_whoever_opens_it(client, pair, mentee):
    mentee.preferred_language = "vi"
    mentee.save()
    invitation = invite(mentee)
    response = client.get(url_of(invitation), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Buổi gặp này hữu ích với bạn đến mức nào?" in html
    assert "Rất phù hợp" in html
    assert "How useful was this session for you?" not in html


# --- Queries ------------------------------------------------------------------------------------


def _template_with(count: int) -> SurveyTemplate:
    template = SurveyTemplate.objects.create(name=f"{count} questions")
    kinds = ["likert", "choice", "text", "nps"]
    for position in range(1, count + 1):
        kind = kinds[(position - 1) % len(kinds)]
        Question.objects.create(
            template=template,
            position=position,
            kind=kind,
            text=f"Question {position}",
            choices="Yes\nNo" if kind == "choice" else "",
        )
    return template


@pytest.mark.parametrize("count", [3, 10])
def test_the_answer_page_reads_the_same_queries_for_3_or_10_questions(
    client, django_assert_num_queries, pair, mentee, count
):
    invitation = invite(mentee)
    invitation.schedule.template = _template_with(count)
    invitation.schedule.save()
    # The invitation with its schedule, template, program and person; the questions.
    with django_assert_num_queries(2):
        response = client.get(url_of(invitation))
    assert response.status_code == 200
    assert f"Question {count}" in response.content.decode()


@pytest.mark.parametrize("extra_topics", [0, 2])
def test_the_confidence_question_adds_one_query_whatever_the_topics(
    client, django_assert_num_queries, pair, mentee, mentee_topic, extra_topics
):
    for topic in pair.program.topics.exclude(pk=mentee_topic.topic_id)[:extra_topics]:
        LearnTopic.objects.create(enrolment=mentee_topic.enrolment, topic=topic, priority=1)
    invitation = invite(mentee, "end-of-program")
    with django_assert_num_queries(3):
        response = client.get(url_of(invitation))
    assert response.content.decode().count('class="topic-scale') == 1 + extra_topics


# --- The home page ------------------------------------------------------------------------------


def test_home_lists_the_open_surveys_waiting_for_the_person(client_for, pair, mentee, mentor):
    waiting = invite(mentee)
    answered = invite(mentee, "mid-program")
    SurveyInvitation.objects.filter(pk=answered.pk).update(answered=True)
    closed = invite(mentee, "end-of-program", closes_in=datetime.timedelta(seconds=-1))
    someone_elses = invite(mentor, "mid-program")

    html = client_for(mentee).get(reverse("home")).content.decode()
    assert "Surveys waiting for you" in html
    assert url_of(waiting) in html
    for other in (answered, closed, someone_elses):
        assert url_of(other) not in html
    assert "Mid-program check-in" not in html and "End of program" not in html


def test_home_shows_no_survey_list_when_nothing_waits(client_for, pair, mentee):
    assert "Surveys waiting for you" not in client_for(mentee).get(reverse("home")).content.decode()


def test_home_page_queries_do_not_grow_with_waiting_surveys(client_for, pair, mentee):
    client = client_for(mentee)
    client.get(reverse("home"))  # the first request of a session reads more (session, user)
    counts = []
    for added in (1, 4):
        for _ in range(added):
            invite(mentee)
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("home")).status_code == 200
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]


def test_a_new_account_without_enrolments_has_no_waiting_surveys(client_for, pair, mentee):
    invite(mentee)
    html = client_for(UserFactory()).get(reverse("home")).content.decode()
    assert "Surveys waiting for you" not in html
