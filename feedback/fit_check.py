"""The fit check of the session pulse: the active pairs in which someone answered that the
pairing is not a good fit, so that HR can talk to them and re-match quickly.

Only surveys that are not anonymous take part: an anonymous answer belongs to nobody. The
question is the one whose measure is "fit"; its last option means "not a good fit" (as in the
built-in pulse: "A good fit / Still deciding / Not a good fit").
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Max, Q

from feedback.models import Answer, Question, SurveySchedule
from matching.models import Pair
from programs.models import Role

FIT_MEASURE = "fit"


@dataclass(frozen=True)
class PoorFit:
    pair: Pair
    said_by_mentor: bool
    said_by_mentee: bool
    last_said_on: datetime.date


def poor_fit_pairs(schedule: SurveySchedule) -> list[PoorFit]:
    """Active pairs of the schedule's program where someone answered "not a good fit" in this
    survey, most recent first, in two queries. Empty for an anonymous survey."""
    if schedule.template.is_anonymous:
        return []
    question = next(
        (
            question
            for question in schedule.template.questions.all()
            if question.key == FIT_MEASURE and question.kind == Question.Kind.CHOICE
        ),
        None,
    )
    if question is None or len(question.options) < 2:
        return []
    pair_of_answer = "response__invitation__session__pair"
    rows = list(
        Answer.objects.filter(
            question=question,
            number=len(question.options) - 1,
            response__schedule=schedule,
            **{f"{pair_of_answer}__status": Pair.Status.ACTIVE},
        )
        .values(pair=F(pair_of_answer))
        .annotate(
            by_mentor=Count("pk", filter=Q(response__role=Role.MENTOR)),
            by_mentee=Count("pk", filter=Q(response__role=Role.MENTEE)),
            last_said_on=Max("response__submitted_on"),
        )
        .order_by("-last_said_on", "pair")
    )
    pairs = Pair.objects.select_related("mentor__user", "mentee__user").in_bulk(
        [row["pair"] for row in rows]
    )
    return [
        PoorFit(
            pair=pairs[row["pair"]],
            said_by_mentor=row["by_mentor"] > 0,
            said_by_mentee=row["by_mentee"] > 0,
            last_said_on=row["last_said_on"],
        )
        for row in rows
    ]
