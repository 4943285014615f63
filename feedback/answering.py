"""Answering a survey: which topics a respondent rates, which surveys wait for a person, and
`survey_submit`, which claims the invitation once and stores the answers (without any link to
the person when the survey is anonymous)."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from feedback.models import Answer, Question, SurveyInvitation, SurveyResponse, TopicRatingTally
from programs.models import Enrolment, LearnTopic, Role, TeachTopic, Topic


@dataclass(frozen=True)
class AnswerDraft:
    """One validated answer: a number (scales, nps, the index of a choice) or a text; `topic` is
    set only for a "confidence per topic" answer."""

    question: Question
    number: int | None = None
    text: str = ""
    topic: Topic | None = None


def respondent_topics(*, enrolment: Enrolment) -> list[Topic]:
    """The topics a respondent rates their confidence in: a mentee's learning topics, a mentor's
    teaching topics, only those the program offers, by name in the reader's language."""
    rows = TeachTopic if enrolment.role == Role.MENTOR else LearnTopic
    topics = Topic.objects.filter(
        pk__in=rows.objects.filter(enrolment=enrolment).values("topic_id"),
        program=enrolment.program_id,
    )
    return sorted(topics, key=lambda topic: topic.label.casefold())


def invitations_waiting_for(user) -> list[SurveyInvitation]:
    """The open surveys a person has not answered yet, soonest to close first, with what a list
    shows (the survey's name and its program)."""
    return list(
        SurveyInvitation.objects.filter(
            enrolment__user=user, answered=False, closes_at__gt=timezone.now()
        )
        .select_related("schedule__template", "schedule__program")
        .order_by("closes_at", "pk")
    )


@sensitive_variables("answers", "rows")
@transaction.atomic
def survey_submit(
    *, invitation: SurveyInvitation, answers: Sequence[AnswerDraft]
) -> SurveyResponse:
    """Store one person's answers to one invitation, exactly once.

    The invitation is claimed with a conditional UPDATE, so two tabs or a double click cannot
    both answer; a claim that finds the survey answered or closed writes nothing and raises a
    ValidationError with a message for the person. For an anonymous survey neither the response
    nor the person's rows keep anything that would tie the answers to them: no invitation, no
    time on the invitation, no learning topic updated, and the topic ratings only as counts
    (topic_ratings_count).
    """
    if any(a.question.template_id != invitation.schedule.template_id for a in answers):
        # A programming error, not a person's: the form builds answers from this template only.
        raise ValueError("answers to questions of another survey")
    now = timezone.now()
    anonymous = invitation.schedule.template.is_anonymous
    claimed = SurveyInvitation.objects.filter(
        pk=invitation.pk, answered=False, closes_at__gt=now
    ).update(answered=True, answered_at=None if anonymous else now)
    if claimed != 1:
        invitation.refresh_from_db(fields=["answered", "answered_at", "closes_at"])
        if invitation.answered:
            raise ValidationError(
                _("You have already answered this survey, thank you."), code="answered"
            )
        raise ValidationError(
            _("This survey has closed, so answers can no longer be sent."), code="closed"
        )

    enrolment = invitation.enrolment
    response = SurveyResponse.objects.create(
        schedule=invitation.schedule,
        role=enrolment.role,
        submitted_on=now.astimezone(datetime.UTC).date(),
        invitation=None if anonymous else invitation,
    )
    rated_topics = [answer for answer in answers if answer.topic is not None]
    if anonymous:
        # The set of topics one person rates would name them: count the ratings apart.
        topic_ratings_count(schedule=invitation.schedule, role=enrolment.role, ratings=rated_topics)
    rows = [
        Answer(
            response=response,
            question=answer.question,
            topic=answer.topic,
            number=answer.number,
            text=answer.text,
        )
        for answer in answers
        if not (anonymous and answer.topic is not None)
    ]
    Answer.objects.bulk_create(rows)

    if not anonymous and enrolment.role == Role.MENTEE:
        # The end-of-program re-rating is the "after" of the mentee's learning gain.
        for answer in answers:
            if answer.question.kind == Question.Kind.TOPIC_CONFIDENCE and answer.topic:
                LearnTopic.objects.filter(enrolment=enrolment, topic=answer.topic).update(
                    confidence_end=answer.number
                )

    invitation.answered = True
    invitation.answered_at = None if anonymous else now
    return response


def topic_ratings_count(*, schedule, role: str, ratings: Sequence[AnswerDraft]) -> None:
    """Add one anonymous rating per topic to the tallies (see TopicRatingTally)."""
    keys = [
        {
            "schedule": schedule,
            "question": rating.question,
            "topic": rating.topic,
            "role": role,
            "value": rating.number,
        }
        for rating in ratings
    ]
    # Make sure each counter exists (a concurrent answer may create it first), then add one.
    TopicRatingTally.objects.bulk_create(
        [TopicRatingTally(**key) for key in keys], ignore_conflicts=True
    )
    for key in keys:
        TopicRatingTally.objects.filter(**key).update(count=F("count") + 1)
