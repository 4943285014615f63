"""What HR reads about a program's surveys: the schedules with invitations sent and answered,
a readable "when" for each, and the results of one schedule under the anonymity rules.

Every figure is computed by the database (annotate/aggregate); Python only arranges the
aggregated rows and hides what covers too few people:
- a figure over fewer respondents than the program's threshold is not shown;
- mentors and mentees are shown apart only when both sides reach the threshold (one side next
  to the total would give the other away by subtraction);
- free text is listed, in alphabetical order, only from 2 x threshold answers for an anonymous
  survey (the wording itself can point to a person), from the threshold for a named one.
"""

from dataclasses import dataclass

from django.db.models import Avg, Case, Count, F, FloatField, Q, QuerySet, Sum, When
from django.db.models.functions import Coalesce, Lower
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from feedback.models import (
    Answer,
    Question,
    SurveyInvitation,
    SurveySchedule,
    TopicRatingTally,
)
from programs.models import EnrolmentStatus, LearnTopic, Program, Role, Topic

LIKERT_VALUES = range(1, 6)
PROMOTER_MIN, DETRACTOR_MAX = 9, 6


# --- The schedules table -------------------------------------------------------------------------


def schedules_for_hr_list(program: Program) -> QuerySet[SurveySchedule]:
    """The program's schedules with their survey, invitations sent and answered, and the
    response rate in percent (None before any invitation), in one query."""
    return (
        SurveySchedule.objects.filter(program=program)
        .select_related("template")
        .annotate(
            invited=Count("invitations"),
            answered=Count("invitations", filter=Q(invitations__answered=True)),
        )
        .annotate(
            response_rate=Case(
                When(invited=0, then=None),
                default=F("answered") * 100.0 / F("invited"),
                output_field=FloatField(),
            )
        )
        .order_by("-is_active", "pk")
    )


def describe_when(schedule: SurveySchedule) -> str:
    """When the schedule sends its survey, in a sentence of the reader's language."""
    trigger = schedule.trigger
    if trigger == SurveySchedule.Trigger.AFTER_SESSION:
        hours = schedule.delay_hours
        if not hours:
            return _("As soon as a session is logged")
        return ngettext(
            "%(hours)d hour after each logged session",
            "%(hours)d hours after each logged session",
            hours,
        ) % {"hours": hours}
    days = schedule.offset_days
    if trigger == SurveySchedule.Trigger.FROM_START:
        if days == 0:
            return _("On the day the program starts")
        return ngettext(
            "%(days)d day after the program starts",
            "%(days)d days after the program starts",
            days,
        ) % {"days": days}
    if trigger == SurveySchedule.Trigger.FROM_END:
        if days == 0:
            return _("On the program's last day")
        if days < 0:
            return ngettext(
                "%(days)d day before the program ends",
                "%(days)d days before the program ends",
                -days,
            ) % {"days": -days}
        return ngettext(
            "%(days)d day after the program ends",
            "%(days)d days after the program ends",
            days,
        ) % {"days": days}
    weeks = schedule.every_weeks or 1
    return ngettext("Every week", "Every %(weeks)d weeks", weeks) % {"weeks": weeks}


# --- The anonymity rules ---------------------------------------------------------------------


def can_show(respondents: int, threshold: int) -> bool:
    """Whether a figure over this many respondents may be shown."""
    return respondents >= threshold


def text_threshold(*, threshold: int, anonymous: bool) -> int:
    """How many answers a free-text question needs before its answers are listed."""
    return 2 * threshold if anonymous else threshold


def percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


# --- One schedule's results ------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One value of a distribution: how many chose it and their share in percent."""

    label: str
    count: int
    percent: int


@dataclass(frozen=True)
class Nps:
    """Net promoter score (% promoters 9-10 minus % detractors 0-6) and the three shares."""

    score: int
    promoters: int
    passives: int
    detractors: int


@dataclass(frozen=True)
class Figures:
    """What one group of respondents (everyone, the mentors, the mentees) said to a question."""

    n: int
    mean: float | None = None
    bars: tuple[Bar, ...] = ()
    nps: Nps | None = None


@dataclass(frozen=True)
class Cell:
    """A mean over `n` people; `mean` is None when n is under the threshold."""

    n: int
    mean: float | None

    @property
    def shown(self) -> bool:
        return self.mean is not None


@dataclass(frozen=True)
class TopicRow:
    """Confidence in one topic: the mentees now and at enrolment, the mentors now. Each side
    stands alone (there is no total to subtract from), so each is shown from the threshold."""

    topic: Topic
    mentees: Cell
    mentees_at_start: Cell
    mentors: Cell

    @property
    def cells(self) -> list[tuple[str, Cell]]:
        """(column heading, cell) in the page's order."""
        return [
            (_("Mentees now"), self.mentees),
            (_("Mentees at enrolment"), self.mentees_at_start),
            (_("Mentors now"), self.mentors),
        ]


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    n: int
    # None when fewer than the threshold answered.
    everyone: Figures | None
    # Both set, or both None (shown only when both sides reach the threshold).
    mentors: Figures | None = None
    mentees: Figures | None = None
    topics: tuple[TopicRow, ...] = ()
    # Free-text answers in alphabetical order; None while too few answered.
    texts: tuple[str, ...] | None = None

    @property
    def is_split(self) -> bool:
        return self.mentors is not None and self.mentees is not None

    @property
    def groups(self) -> list[tuple[str, Figures]]:
        """(heading, figures) for the page: everyone, then each side when the split is shown."""
        if self.everyone is None:
            return []
        if not self.is_split:
            return [(_("Everyone"), self.everyone)]
        return [
            (_("Everyone"), self.everyone),
            (_("Mentors"), self.mentors),
            (_("Mentees"), self.mentees),
        ]


@dataclass(frozen=True)
class SideCount:
    label: str
    invited: int
    answered: int

    @property
    def response_rate(self) -> int | None:
        return percent(self.answered, self.invited) if self.invited else None


@dataclass(frozen=True)
class Results:
    schedule: SurveySchedule
    threshold: int
    text_threshold: int
    invited: int
    answered: int
    sides: tuple[SideCount, ...]
    questions: tuple[QuestionResult, ...]

    @property
    def response_rate(self) -> int | None:
        return percent(self.answered, self.invited) if self.invited else None


def _side(role: str) -> Q:
    return Q(response__role=role)


def _invitation_counts(schedule: SurveySchedule) -> dict:
    answered = Q(answered=True)
    mentor, mentee = Q(enrolment__role=Role.MENTOR), Q(enrolment__role=Role.MENTEE)
    # "answered" is a field of the rows: the counts take other names.
    return SurveyInvitation.objects.filter(schedule=schedule).aggregate(
        invited=Count("pk"),
        replied=Count("pk", filter=answered),
        mentor_invited=Count("pk", filter=mentor),
        mentor_replied=Count("pk", filter=mentor & answered),
        mentee_invited=Count("pk", filter=mentee),
        mentee_replied=Count("pk", filter=mentee & answered),
    )


def _per_question(answers: QuerySet[Answer]) -> dict[int, dict]:
    """Respondents and mean per question, for everyone and for each side."""
    given = Q(number__isnull=False) | ~Q(text="")
    rows = (
        answers.filter(given)
        .values("question")
        .order_by()
        .annotate(
            n=Count("response", distinct=True),
            n_mentor=Count("response", distinct=True, filter=_side(Role.MENTOR)),
            n_mentee=Count("response", distinct=True, filter=_side(Role.MENTEE)),
            mean=Avg("number"),
            mean_mentor=Avg("number", filter=_side(Role.MENTOR)),
            mean_mentee=Avg("number", filter=_side(Role.MENTEE)),
        )
    )
    return {row["question"]: row for row in rows}


def _per_value(answers: QuerySet[Answer]) -> dict[int, dict[str, dict[int, int]]]:
    """How many chose each value of each scale or choice question, for everyone ("") and each
    side ("mentor", "mentee"): {question id: {group: {value: count}}}."""
    rows = (
        answers.filter(number__isnull=False, topic__isnull=True)
        .values("question", "number")
        .order_by()
        .annotate(
            count=Count("pk"),
            count_mentor=Count("pk", filter=_side(Role.MENTOR)),
            count_mentee=Count("pk", filter=_side(Role.MENTEE)),
        )
    )
    counts: dict[int, dict[str, dict[int, int]]] = {}
    for row in rows:
        groups = counts.setdefault(row["question"], {"": {}, "mentor": {}, "mentee": {}})
        groups[""][row["number"]] = row["count"]
        groups["mentor"][row["number"]] = row["count_mentor"]
        groups["mentee"][row["number"]] = row["count_mentee"]
    return counts


def _per_topic(answers: QuerySet[Answer]) -> list[dict]:
    return list(
        answers.filter(number__isnull=False, topic__isnull=False)
        .values("question", "topic")
        .order_by()
        .annotate(
            n_mentor=Count("response", distinct=True, filter=_side(Role.MENTOR)),
            n_mentee=Count("response", distinct=True, filter=_side(Role.MENTEE)),
            mean_mentor=Avg("number", filter=_side(Role.MENTOR)),
            mean_mentee=Avg("number", filter=_side(Role.MENTEE)),
        )
    )


def _per_topic_tallied(schedule: SurveySchedule) -> list[dict]:
    """The same figures for an anonymous survey, from its counters (TopicRatingTally)."""
    mentor, mentee = Q(role=Role.MENTOR), Q(role=Role.MENTEE)
    rows = (
        TopicRatingTally.objects.filter(schedule=schedule)
        .values("question", "topic")
        .order_by()
        .annotate(
            n_mentor=Coalesce(Sum("count", filter=mentor), 0),
            n_mentee=Coalesce(Sum("count", filter=mentee), 0),
            total_mentor=Sum(F("value") * F("count"), filter=mentor),
            total_mentee=Sum(F("value") * F("count"), filter=mentee),
        )
    )
    return [
        row
        | {
            "mean_mentor": row["total_mentor"] / row["n_mentor"] if row["n_mentor"] else None,
            "mean_mentee": row["total_mentee"] / row["n_mentee"] if row["n_mentee"] else None,
        }
        for row in rows
    ]


def _confidence_at_start(program: Program, topic_ids: set[int]) -> dict[int, dict]:
    """The program's mentees' mean self-rated confidence at enrolment, per topic."""
    if not topic_ids:
        return {}
    rows = (
        LearnTopic.objects.filter(
            enrolment__program=program,
            enrolment__role=Role.MENTEE,
            enrolment__status=EnrolmentStatus.APPROVED,
            confidence_start__isnull=False,
            topic__in=topic_ids,
        )
        .values("topic")
        .order_by()
        .annotate(n=Count("pk"), mean=Avg("confidence_start"))
    )
    return {row["topic"]: row for row in rows}


def _figures(question: Question, n: int, mean, counts: dict[int, int], threshold: int):
    """The figures of one group, or None when the group is under the threshold."""
    if not can_show(n, threshold):
        return None
    kind = question.kind
    if kind == Question.Kind.LIKERT:
        bars = tuple(
            Bar(
                label=str(value),
                count=counts.get(value, 0),
                percent=percent(counts.get(value, 0), n),
            )
            for value in LIKERT_VALUES
        )
        return Figures(n=n, mean=mean, bars=bars)
    if kind == Question.Kind.NPS:
        promoters = sum(count for value, count in counts.items() if value >= PROMOTER_MIN)
        detractors = sum(count for value, count in counts.items() if value <= DETRACTOR_MAX)
        passives = n - promoters - detractors
        nps = Nps(
            score=round(100 * (promoters - detractors) / n),
            promoters=percent(promoters, n),
            passives=percent(passives, n),
            detractors=percent(detractors, n),
        )
        # Non-breaking hyphens: a narrow column must not split "9-10" over two lines.
        bars = (
            Bar(_("Promoters (9‑10)"), promoters, nps.promoters),
            Bar(_("Passives (7‑8)"), passives, nps.passives),
            Bar(_("Detractors (0‑6)"), detractors, nps.detractors),
        )
        return Figures(n=n, mean=mean, bars=bars, nps=nps)
    if kind == Question.Kind.CHOICE:
        bars = tuple(
            Bar(label=option, count=counts.get(index, 0), percent=percent(counts.get(index, 0), n))
            for index, option in enumerate(question.options)
        )
        return Figures(n=n, bars=bars)
    return Figures(n=n)


def _cell(n: int | None, mean, threshold: int) -> Cell:
    n = n or 0
    return Cell(n=n, mean=mean if can_show(n, threshold) else None)


def schedule_results(schedule: SurveySchedule) -> Results:
    """Everything the results page shows about one schedule, in a fixed number of queries."""
    program = schedule.program
    template = schedule.template
    threshold = program.anonymity_threshold
    texts_from = text_threshold(threshold=threshold, anonymous=template.is_anonymous)
    invitations = _invitation_counts(schedule)
    questions = list(template.questions.all())
    answers = Answer.objects.filter(response__schedule=schedule)
    per_question = _per_question(answers)
    per_value = _per_value(answers)
    if template.is_anonymous:
        per_topic = _per_topic_tallied(schedule)
        # A topic question's answers are counted per topic: its respondents are at least as
        # many as the most rated topic's.
        for row in per_topic:
            counted = per_question.setdefault(row["question"], {"n": 0})
            counted["n"] = max(counted["n"], row["n_mentor"] + row["n_mentee"])
    else:
        per_topic = _per_topic(answers)
    topic_ids = {row["topic"] for row in per_topic}
    at_start = _confidence_at_start(program, topic_ids)
    topics = Topic.objects.in_bulk(topic_ids) if topic_ids else {}

    listable = [
        question.pk
        for question in questions
        if question.kind == Question.Kind.TEXT
        and per_question.get(question.pk, {}).get("n", 0) >= texts_from
    ]
    texts: dict[int, list[str]] = {pk: [] for pk in listable}
    if listable:
        for question_id, text in (
            answers.filter(question__in=listable)
            .exclude(text="")
            .order_by(Lower("text"), "text")
            .values_list("question", "text")
        ):
            texts[question_id].append(text)

    results = []
    for question in questions:
        row = per_question.get(question.pk, {})
        n = row.get("n", 0)
        counts = per_value.get(question.pk, {"": {}, "mentor": {}, "mentee": {}})
        everyone = _figures(question, n, row.get("mean"), counts[""], threshold)
        mentors = mentees = None
        if can_show(row.get("n_mentor", 0), threshold) and can_show(
            row.get("n_mentee", 0), threshold
        ):
            mentors = _figures(
                question, row["n_mentor"], row["mean_mentor"], counts["mentor"], threshold
            )
            mentees = _figures(
                question, row["n_mentee"], row["mean_mentee"], counts["mentee"], threshold
            )
        topic_rows = tuple(
            sorted(
                (
                    TopicRow(
                        topic=topics[topic_row["topic"]],
                        mentees=_cell(topic_row["n_mentee"], topic_row["mean_mentee"], threshold),
                        mentees_at_start=_cell(
                            at_start.get(topic_row["topic"], {}).get("n"),
                            at_start.get(topic_row["topic"], {}).get("mean"),
                            threshold,
                        ),
                        mentors=_cell(topic_row["n_mentor"], topic_row["mean_mentor"], threshold),
                    )
                    for topic_row in per_topic
                    if topic_row["question"] == question.pk
                ),
                key=lambda topic_row: topic_row.topic.label.casefold(),
            )
        )
        results.append(
            QuestionResult(
                question=question,
                n=n,
                everyone=everyone,
                mentors=mentors,
                mentees=mentees,
                topics=topic_rows,
                texts=tuple(texts[question.pk]) if question.pk in texts else None,
            )
        )

    return Results(
        schedule=schedule,
        threshold=threshold,
        text_threshold=texts_from,
        invited=invitations["invited"],
        answered=invitations["replied"],
        sides=(
            SideCount(_("Mentors"), invitations["mentor_invited"], invitations["mentor_replied"]),
            SideCount(_("Mentees"), invitations["mentee_invited"], invitations["mentee_replied"]),
        ),
        questions=tuple(results),
    )
