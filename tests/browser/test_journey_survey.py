"""A mentee's survey journey in a real browser: the end-of-program survey becomes due, the
dispatcher mails it, and the mentee opens the link from the mail signed out, answers every
question and sees the thank-you page; the answers are stored, anonymously. In English on a
desktop and in Vietnamese on a phone."""

import re

import pytest
from django.core import mail
from django.utils import translation
from playwright.sync_api import expect

from feedback.models import Answer, SurveyInvitation, SurveyResponse, TopicRatingTally
from feedback.tasks import dispatch
from matching.models import Pair
from programs.models import Enrolment
from tests.browser.conftest import say
from tests.feedback.factories import SurveyInvitationFactory, SurveyScheduleFactory, builtin

pytestmark = pytest.mark.django_db(transaction=True)

CASES = [
    pytest.param("en", False, id="en-desktop"),
    pytest.param("vi", True, id="vi-phone"),
]


@pytest.fixture
def invitation(program, mentor, mentee, settings, live_server):
    """The mentee's invitation to the end-of-program survey of their active pair, due now."""
    program.status = "active"
    program.save(update_fields=["status"])
    Pair.objects.create(
        program=program,
        mentor=Enrolment.objects.get(program=program, user=mentor),
        mentee=Enrolment.objects.get(program=program, user=mentee),
    )
    # Links in mail lead to the test server, and any hour is the mentee's daytime.
    settings.SITE_URL = live_server.url
    settings.MAIL_DAYTIME_HOURS = (0, 0)
    return SurveyInvitationFactory(
        schedule=SurveyScheduleFactory(program=program, template=builtin("end-of-program")),
        enrolment=Enrolment.objects.get(program=program, user=mentee),
    )


@pytest.mark.parametrize(("language", "phone"), CASES)
def test_mentee_answers_the_survey_from_the_link_in_the_mail(
    page_for, snap, invitation, mentee, language, phone
):
    mentee.preferred_language = language
    mentee.save(update_fields=["preferred_language"])
    template = invitation.schedule.template
    questions = {question.key: question for question in template.questions.all()}
    topic = invitation.enrolment.learn_topics.get().topic
    with translation.override(language):
        survey_name = template.label
        text = {key: question.label for key, question in questions.items()}
        keep_meeting = questions["continue"].options[0]
        topic_label = topic.label

    # Beat's dispatcher plans the mail and the worker (eager here) sends it.
    dispatch.delay().get()
    (message,) = mail.outbox
    assert message.to == ["mehmet@example.com"]
    assert survey_name in message.subject
    link = re.search(r"http://\S+/surveys/[^/\s]+/", message.body).group()

    # The link opens signed out, in the mentee's language.
    page = page_for(None, language=language, phone=phone)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(survey_name)
    expect(page.locator("html")).to_have_attribute("lang", language)
    snap(page, "survey opened")

    nps = page.get_by_role("group", name=text["program_nps"])
    nps.get_by_role("radio", name=re.compile(r"^9$")).check()
    page.get_by_label(text["learned"]).fill("How my teams use AI every day.")
    confidence = page.get_by_role("group", name=text["confidence"])
    confidence.get_by_role("group", name=topic_label).get_by_role(
        "radio", name=re.compile(r"^4\b")
    ).check()
    page.get_by_role("group", name=text["continue"]).get_by_role(
        "radio", name=keep_meeting, exact=True
    ).check()
    snap(page, "survey answered")
    page.get_by_role("button", name=say(language, "Send my answers")).click()

    expect(page.locator(".messages")).to_contain_text(
        say(language, "Thank you, your answers were saved.")
    )
    expect(
        page.get_by_text(say(language, "There is nothing more to do: you may close this page."))
    ).to_be_visible()
    snap(page, "thank you")

    invitation.refresh_from_db()
    assert invitation.answered
    # Anonymous: the response names no invitation, the topic rating is only a count.
    response = SurveyResponse.objects.get(schedule=invitation.schedule)
    assert response.invitation is None
    assert response.role == "mentee"
    answers = {answer.question.key: answer for answer in Answer.objects.filter(response=response)}
    assert answers["program_nps"].number == 9
    assert answers["learned"].text == "How my teams use AI every day."
    assert answers["continue"].number == 0
    tally = TopicRatingTally.objects.get(schedule=invitation.schedule, topic=topic)
    assert (tally.role, tally.value, tally.count) == ("mentee", 4, 1)

    # The link is single use: opened again, it says the survey was answered.
    page.goto(link)
    expect(
        page.get_by_text(say(language, "You have already answered this survey, thank you."))
    ).to_be_visible()
    assert SurveyInvitation.objects.get(pk=invitation.pk).answered
