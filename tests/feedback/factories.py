"""factory_boy factories for surveys: schedules, invitations and responses."""

import datetime

import factory
from django.utils import timezone

from feedback.models import Answer, SurveyInvitation, SurveyResponse, SurveySchedule, SurveyTemplate


def builtin(key: str) -> SurveyTemplate:
    """One of the migration's built-in templates: "session-pulse", "mid-program" or
    "end-of-program"."""
    return SurveyTemplate.objects.get(key=key)


class SurveyScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveySchedule

    template = factory.LazyFunction(lambda: builtin("mid-program"))
    trigger = SurveySchedule.Trigger.FROM_START
    offset_days = 30
    audience = SurveySchedule.Audience.BOTH


class SurveyInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyInvitation

    schedule = factory.SubFactory(SurveyScheduleFactory)
    occurrence = factory.Sequence(lambda n: f"day:test-{n}")
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))


class SurveyResponseFactory(factory.django.DjangoModelFactory):
    """A response; pass `invitation=` for a survey that is not anonymous."""

    class Meta:
        model = SurveyResponse

    role = "mentee"
    submitted_on = factory.LazyFunction(timezone.localdate)


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer
