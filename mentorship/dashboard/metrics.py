"""The figures of the executive dashboard, each computed by one aggregate query whatever the
number of participants, and returned as plain dataclasses with every small group already
blanked out (a hidden value never reaches a template).

The scope is a set of programs, optionally one department and a period of whole months. A pair
belongs to its mentee's department (the leader whose learning the program is for); anonymous
survey answers carry no department, so a department view leaves them out.
"""

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.db.models import (
    Aggregate,
    Case,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    Max,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least, NullIf, TruncDate, TruncMonth

from feedback.models import Answer, TopicRatingTally
from matching.cadence import QUIET_DAYS
from matching.models import Pair, Session, SessionLog
from mentorship.dashboard.days import DaysBetween
from mentorship.dashboard.suppression import (
    hidden_siblings,
    selection_allowed,
    too_small,
    total_reveals_a_part,
)
from programs.models import Enrolment, EnrolmentStatus, LearnTopic, Role, Topic

PROMOTER_MIN = 9
DETRACTOR_MAX = 6


@dataclass(frozen=True)
class Scope:
    """What the page looks at: programs (ids), and optionally a department and a period."""

    program_ids: tuple[int, ...]
    threshold: int
    today: datetime.date
    department: str = ""
    # First day of the first month, first day of the month after the last one.
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    # Each program's own threshold (the overview's `threshold` is the largest of them).
    program_thresholds: Mapping[int, int] = field(default_factory=dict)

    def threshold_of(self, program_id: int) -> int:
        return self.program_thresholds.get(program_id, self.threshold)

    @property
    def has_period(self) -> bool:
        return self.period_start is not None or self.period_end is not None


@dataclass(frozen=True)
class Figure:
    """A number over a group of n people (or pairs); value is None when it is hidden."""

    value: float | int | None
    n: int
    hidden: bool

    @classmethod
    def over(cls, value, n: int, threshold: int, *, hide: bool = False) -> "Figure":
        hidden = hide or too_small(n, threshold)
        return cls(value=None if hidden else value, n=n, hidden=hidden)


@dataclass(frozen=True)
class TopicGain:
    topic: str
    start: Figure
    end: Figure
    gain: Figure


@dataclass(frozen=True)
class TopicCoverage:
    topic: str
    sessions: Figure


@dataclass(frozen=True)
class Month:
    month: datetime.date
    sessions: Figure
    hours: Figure


@dataclass(frozen=True)
class Report:
    threshold: int
    # False when a filter narrows the scope below the threshold: nothing else is filled in.
    allowed: bool
    participants: Figure | None = None
    mentors: Figure | None = None
    mentees: Figure | None = None
    pairs: Figure | None = None
    active_pairs: Figure | None = None
    pairs_at_risk: Figure | None = None
    sessions_held: Figure | None = None
    sessions_expected: Figure | None = None
    adherence: Figure | None = None
    hours: Figure | None = None
    session_rating: Figure | None = None
    nps_mentors: Figure | None = None
    nps_mentees: Figure | None = None
    response_rate_mentors: Figure | None = None
    response_rate_mentees: Figure | None = None
    learning: list[TopicGain] = field(default_factory=list)
    coverage: list[TopicCoverage] = field(default_factory=list)
    months: list[Month] = field(default_factory=list)


# --- Totals over programs -----------------------------------------------------------------------

# Group sizes by program id: every figure is aggregated per program (a few rows), then added up,
# so that the overview can hide a total that would give away one program's hidden figure.
Parts = dict[int, int]


def _figure(value, parts: Parts, scope: Scope, *, hide: bool = False) -> Figure:
    reveals = total_reveals_a_part(
        (size, scope.threshold_of(program_id)) for program_id, size in parts.items()
    )
    return Figure.over(value, sum(parts.values()), scope.threshold, hide=hide or reveals)


def _by_program(queryset, program_field: str, **aggregates) -> dict[int, dict]:
    """One row of aggregates per program (aggregate names must differ from annotations')."""
    rows = queryset.order_by().values(program_field).annotate(**aggregates)
    return {row[program_field]: row for row in rows}


# Result columns per aggregate() of _sum_by_program: PostgreSQL takes at most 1,664 and SQLite
# 2,000, so an overview of very many programs is read in slices of programs.
MAX_COLUMNS = 1000


def _sum_by_program(
    queryset, scope: Scope, figures: dict[str, Callable[[Q], Aggregate]]
) -> dict[int, dict]:
    """One row of aggregates per program over a queryset grouped by something finer (a pair,
    an enrolment): aggregate() is what sums such rows again, and it has no GROUP BY, so each
    program gets columns of its own. `figures` build an aggregate from the program's filter."""
    per_query = max(1, MAX_COLUMNS // len(figures))
    totals = {}
    for start in range(0, len(scope.program_ids), per_query):
        totals |= queryset.order_by().aggregate(
            **{
                f"{name}_{program_id}": aggregate(Q(program_id=program_id))
                for program_id in scope.program_ids[start : start + per_query]
                for name, aggregate in figures.items()
            }
        )
    return {
        program_id: {name: totals[f"{name}_{program_id}"] or 0 for name in figures}
        for program_id in scope.program_ids
    }


def _total(rows: dict[int, dict], key: str):
    return sum(row[key] or 0 for row in rows.values())


def _parts(rows: dict[int, dict], key: str) -> Parts:
    return {program_id: row[key] or 0 for program_id, row in rows.items()}


# --- Scope filters ------------------------------------------------------------------------------


def _date(value) -> Value:
    return Value(value, output_field=DateField())


def _pair_q(scope: Scope, prefix: str = "") -> Q:
    q = Q(**{f"{prefix}program_id__in": scope.program_ids})
    if scope.department:
        q &= Q(**{f"{prefix}mentee__user__department": scope.department})
    return q


def _period_q(scope: Scope, lookup: str) -> Q:
    q = Q()
    if scope.period_start:
        q &= Q(**{f"{lookup}__gte": scope.period_start})
    if scope.period_end:
        q &= Q(**{f"{lookup}__lt": scope.period_end})
    return q


def _held_sessions(scope: Scope):
    return Session.objects.filter(
        _pair_q(scope, "pair__"),
        _period_q(scope, "starts_at__date"),
        status=Session.Status.HELD,
    )


# Minutes of a held session: its log's actual length, or the planned one when none was given.
MINUTES = Coalesce(NullIf(F("log__actual_minutes"), 0), F("duration_minutes"))
SESSION_MINUTES = Coalesce(
    NullIf(F("held_sessions__log__actual_minutes"), 0), F("held_sessions__duration_minutes")
)


# --- The guard on filters -----------------------------------------------------------------------


def filter_allowed(scope: Scope) -> bool:
    """A department filter needs enough approved participants in it and outside it (within the
    programs); a period filter needs enough pairs meeting in it and outside it."""
    if scope.department:
        people = Enrolment.objects.filter(
            program_id__in=scope.program_ids, status=EnrolmentStatus.APPROVED
        ).aggregate(
            selected=Count("pk", filter=Q(user__department=scope.department)),
            rest=Count("pk", filter=~Q(user__department=scope.department)),
        )
        if not selection_allowed(
            selected=people["selected"], complement=people["rest"], threshold=scope.threshold
        ):
            return False
    if scope.has_period:
        inside = _period_q(scope, "sessions__starts_at__date")
        held = Q(sessions__status=Session.Status.HELD)
        pairs = Pair.objects.filter(_pair_q(scope)).aggregate(
            selected=Count("pk", distinct=True, filter=held & inside),
            rest=Count("pk", distinct=True, filter=held & ~inside),
        )
        if not selection_allowed(
            selected=pairs["selected"], complement=pairs["rest"], threshold=scope.threshold
        ):
            return False
    return True


# --- Participants and pairs ---------------------------------------------------------------------


def _participants(scope: Scope) -> dict[str, Figure]:
    enrolments = Enrolment.objects.filter(
        program_id__in=scope.program_ids, status=EnrolmentStatus.APPROVED
    )
    if scope.department:
        enrolments = enrolments.filter(user__department=scope.department)
    rows = _by_program(
        enrolments,
        "program_id",
        mentors=Count("pk", filter=Q(role=Role.MENTOR)),
        mentees=Count("pk", filter=Q(role=Role.MENTEE)),
    )
    sides = {side: _parts(rows, side) for side in ("mentors", "mentees")}
    everyone = {pid: row["mentors"] + row["mentees"] for pid, row in rows.items()}
    hidden = hidden_siblings(
        {side: sum(parts.values()) for side, parts in sides.items()}, scope.threshold
    )
    return {
        "participants": _figure(sum(everyone.values()), everyone, scope),
        **{
            side: _figure(sum(parts.values()), parts, scope, hide=side in hidden)
            for side, parts in sides.items()
        },
    }


def _expected_by(as_of, anchor):
    """Sessions expected by the day `as_of`: whole cadence periods since `anchor`."""
    return ExpressionWrapper(
        Greatest(Value(0), DaysBetween(as_of, anchor)) / (F("program__cadence_weeks") * 7),
        output_field=IntegerField(),
    )


def _pairs(scope: Scope) -> dict[str, Figure]:
    """Pair counts, adherence (held / expected by the cadence rule of matching/cadence.py), the
    pairs at risk and the sessions held, in one query: the held sessions are first grouped by
    pair (one hash join over the sessions and their logs, not correlated subqueries per pair),
    then the per-pair figures are summed for each program."""
    today = _date(scope.today)
    anchor = Greatest(F("program__start_date"), TruncDate("started_at"))
    # The last day a pair is measured on: today, or its end, or its program's end.
    last_day = Least(today, F("program__end_date"), Coalesce(TruncDate("ended_at"), today))
    period_end = last_day
    if scope.period_end:
        period_end = Least(last_day, _date(scope.period_end - datetime.timedelta(days=1)))
    expected = _expected_by(period_end, anchor)
    if scope.period_start:
        # Periods that ended before the selected months count for those months, not these.
        expected = expected - _expected_by(
            Least(period_end, _date(scope.period_start - datetime.timedelta(days=1))), anchor
        )

    # Only held sessions are joined: the pairs without any still get their row.
    sessions = FilteredRelation("sessions", condition=Q(sessions__status=Session.Status.HELD))
    in_period = _period_q(scope, "held_sessions__starts_at__date")
    now = Least(today, F("program__end_date"))
    last_held = Max(TruncDate(Coalesce("held_sessions__log__held_on", "held_sessions__starts_at")))
    # Per-pair values go through Max() (of one value): as aggregates they stay out of the
    # GROUP BY, which is then the pair's id alone and can be hashed.
    per_pair = (
        Pair.objects.filter(_pair_q(scope))
        .alias(
            held_sessions=sessions,
            expected_now=Max(_expected_by(now, anchor)),
            quiet_days=DaysBetween(Max(now), Coalesce(last_held, Max(anchor))),
            quiet_limit=Max(Greatest(Value(QUIET_DAYS), F("program__cadence_weeks") * 7)),
        )
        .annotate(
            expected=Max(expected),
            held=Count("held_sessions", filter=in_period),
            minutes=Coalesce(Sum(SESSION_MINUTES, filter=in_period), 0),
            at_risk=Case(
                When(
                    Q(status=Pair.Status.ACTIVE)
                    & (
                        Q(expected_now__gte=Count("held_sessions") + 2)
                        | Q(expected_now__gte=1, quiet_days__gt=F("quiet_limit"))
                    ),
                    then=Value(1),
                ),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
    )
    rows = _sum_by_program(
        per_pair,
        scope,
        {
            "pairs": lambda q: Count("pk", filter=q),
            "active": lambda q: Count("pk", filter=q & Q(status=Pair.Status.ACTIVE)),
            "meeting": lambda q: Count("pk", filter=q & Q(held__gt=0)),
            "total_expected": lambda q: Sum("expected", filter=q),
            "total_held": lambda q: Sum("held", filter=q),
            "total_minutes": lambda q: Sum("minutes", filter=q),
            "total_at_risk": lambda q: Sum("at_risk", filter=q),
        },
    )
    pairs, active = _parts(rows, "pairs"), _parts(rows, "active")
    meeting = _parts(rows, "meeting")
    held_total, expected_total = _total(rows, "total_held"), _total(rows, "total_expected")
    adherence = round(100 * held_total / expected_total) if expected_total else None
    return {
        "pairs": _figure(sum(pairs.values()), pairs, scope),
        "active_pairs": _figure(sum(active.values()), active, scope),
        "pairs_at_risk": _figure(_total(rows, "total_at_risk"), active, scope),
        "sessions_expected": _figure(expected_total, pairs, scope),
        "adherence": _figure(adherence, pairs, scope),
        # The pairs behind the sessions: those that held at least one in the scope.
        "sessions_held": _figure(held_total, meeting, scope),
        "hours": _figure(round(_total(rows, "total_minutes") / 60, 1), meeting, scope),
    }


# --- Sessions -----------------------------------------------------------------------------------


def _months(scope: Scope) -> list[Month]:
    months: dict[datetime.date, dict] = {}
    rows = (
        _held_sessions(scope)
        .annotate(month=TruncMonth("starts_at"))
        .order_by()
        .values("month", "pair__program_id")
        .annotate(held=Count("pk"), minutes=Sum(MINUTES), pairs=Count("pair", distinct=True))
    )
    for row in rows:
        month = row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]
        entry = months.setdefault(month, {"held": 0, "minutes": 0, "pairs": {}})
        entry["held"] += row["held"]
        entry["minutes"] += row["minutes"]
        entry["pairs"][row["pair__program_id"]] = row["pairs"]
    hidden = hidden_siblings(
        {month: sum(entry["pairs"].values()) for month, entry in months.items()}, scope.threshold
    )
    return [
        Month(
            month=month,
            sessions=_figure(entry["held"], entry["pairs"], scope, hide=month in hidden),
            hours=_figure(
                round(entry["minutes"] / 60, 1), entry["pairs"], scope, hide=month in hidden
            ),
        )
        for month, entry in sorted(months.items())
    ]


def _coverage(scope: Scope) -> dict[int, tuple[int, Parts]]:
    """Per topic id: the held sessions whose log covers it, and the pairs behind them."""
    through = SessionLog.topics_covered.through
    rows = (
        through.objects.filter(
            _pair_q(scope, "sessionlog__session__pair__"),
            _period_q(scope, "sessionlog__session__starts_at__date"),
            sessionlog__session__status=Session.Status.HELD,
        )
        .order_by()
        .values("topic_id", "sessionlog__session__pair__program_id")
        .annotate(
            # A (log, topic) row is unique and a log is one session's: no DISTINCT needed.
            sessions=Count("pk"),
            pairs=Count("sessionlog__session__pair", distinct=True),
        )
    )
    topics: dict[int, tuple[int, Parts]] = {}
    for row in rows:
        sessions, pairs = topics.get(row["topic_id"], (0, {}))
        pairs[row["sessionlog__session__pair__program_id"]] = row["pairs"]
        topics[row["topic_id"]] = (sessions + row["sessions"], pairs)
    return topics


# --- Surveys ------------------------------------------------------------------------------------


def _answers(scope: Scope):
    answers = Answer.objects.filter(
        _period_q(scope, "response__submitted_on"),
        response__schedule__program_id__in=scope.program_ids,
        number__isnull=False,
    )
    if scope.department:
        # Only answers given by name can be placed in a department.
        answers = answers.filter(response__invitation__enrolment__user__department=scope.department)
    return answers


def _surveys(scope: Scope) -> dict[str, Figure]:
    rating = Q(question__key="session_rating")
    sides = {
        Role.MENTOR: Q(question__key="program_nps", response__role=Role.MENTOR),
        Role.MENTEE: Q(question__key="program_nps", response__role=Role.MENTEE),
    }
    # The answers are grouped by respondent first (the enrolment where named, the response where
    # anonymous): the people behind a figure are then the groups with an answer to it, counted
    # without a COUNT(DISTINCT) over every answer.
    per_respondent = (
        _answers(scope)
        .filter(question__key__in=["session_rating", "program_nps"])
        .order_by()
        .values(
            program_id=F("response__schedule__program_id"),
            enrolment=F("response__invitation__enrolment_id"),
            anonymous=Case(When(response__invitation__isnull=True, then=F("response_id"))),
        )
        .annotate(
            rating_total=Sum("number", filter=rating),
            rating_n=Count("pk", filter=rating),
            **{
                f"{side}_{name}": Count("pk", filter=condition & extra)
                for side, condition in sides.items()
                for name, extra in (
                    ("n", Q()),
                    ("promoters_n", Q(number__gte=PROMOTER_MIN)),
                    ("detractors_n", Q(number__lte=DETRACTOR_MAX)),
                )
            },
        )
    )
    figures = {
        "rating_sum": lambda q: Sum("rating_total", filter=q),
        "rating_answers": lambda q: Sum("rating_n", filter=q),
        "rating_people": lambda q: Count("rating_n", filter=q & Q(rating_n__gt=0)),
    }
    for side in sides:
        figures |= {
            f"{side}_answers": lambda q, side=side: Sum(f"{side}_n", filter=q),
            f"{side}_promoters": lambda q, side=side: Sum(f"{side}_promoters_n", filter=q),
            f"{side}_detractors": lambda q, side=side: Sum(f"{side}_detractors_n", filter=q),
            f"{side}_people": lambda q, side=side: Count(
                f"{side}_n", filter=q & Q(**{f"{side}_n__gt": 0})
            ),
        }
    rows = _sum_by_program(per_respondent, scope, figures)

    # Invitations are grouped by enrolment first: the people invited are then the enrolments
    # with any, counted without a COUNT(DISTINCT) over every invitation.
    invitation = Q(survey_invitations__schedule__program_id=F("program_id")) & _period_q(
        scope, "survey_invitations__created_at__date"
    )
    enrolments = Enrolment.objects.filter(program_id__in=scope.program_ids)
    if scope.department:
        enrolments = enrolments.filter(user__department=scope.department)
    enrolments = enrolments.annotate(
        sent=Count("survey_invitations", filter=invitation),
        answered=Count(
            "survey_invitations", filter=invitation & Q(survey_invitations__answered=True)
        ),
    )
    invited = _sum_by_program(
        enrolments,
        scope,
        {
            f"{side}_{name}": make
            for side in (Role.MENTOR, Role.MENTEE)
            for name, make in {
                "sent": lambda q, side=side: Sum("sent", filter=q & Q(role=side)),
                "answered": lambda q, side=side: Sum("answered", filter=q & Q(role=side)),
                "people": lambda q, side=side: Count("pk", filter=q & Q(role=side, sent__gt=0)),
            }.items()
        },
    )

    answers = _total(rows, "rating_answers")
    rating = round(_total(rows, "rating_sum") / answers, 2) if answers else None
    figures = {"session_rating": _figure(rating, _parts(rows, "rating_people"), scope)}
    for side in (Role.MENTOR, Role.MENTEE):
        answers = _total(rows, f"{side}_answers")
        promoters, detractors = (
            _total(rows, f"{side}_promoters"),
            _total(rows, f"{side}_detractors"),
        )
        nps = round(100 * (promoters - detractors) / answers) if answers else None
        figures[f"nps_{side}s"] = _figure(nps, _parts(rows, f"{side}_people"), scope)
        sent = _total(invited, f"{side}_sent")
        rate = round(100 * _total(invited, f"{side}_answered") / sent) if sent else None
        figures[f"response_rate_{side}s"] = _figure(rate, _parts(invited, f"{side}_people"), scope)
    return figures


@dataclass
class _Ratings:
    """Sum and count of confidence ratings of one topic, with the count per program."""

    total: int = 0
    parts: Parts = field(default_factory=dict)

    def add(self, program_id: int, total: int, n: int) -> None:
        self.total += total
        self.parts[program_id] = self.parts.get(program_id, 0) + n

    @property
    def mean(self) -> float | None:
        n = sum(self.parts.values())
        return round(self.total / n, 2) if n else None


def _learning(scope: Scope) -> dict[int, tuple[_Ratings, _Ratings]]:
    """Per topic id: the mentees' confidence at enrolment and at the end. The end adds the named
    ratings (LearnTopic.confidence_end) and the anonymous tallies (unless a department is
    selected: tallies have none)."""
    learn = LearnTopic.objects.filter(
        enrolment__program_id__in=scope.program_ids,
        enrolment__role=Role.MENTEE,
        enrolment__status=EnrolmentStatus.APPROVED,
    )
    if scope.department:
        learn = learn.filter(enrolment__user__department=scope.department)
    topics: dict[int, tuple[_Ratings, _Ratings]] = {}
    for row in (
        learn.order_by()
        .values("topic_id", "enrolment__program_id")
        .annotate(
            # A topic imported without a self-rating has no start: it counts on neither side.
            start_sum=Coalesce(Sum("confidence_start"), 0),
            start_n=Count("confidence_start"),
            end_sum=Coalesce(Sum("confidence_end"), 0),
            end_n=Count("confidence_end"),
        )
    ):
        start, end = topics.setdefault(row["topic_id"], (_Ratings(), _Ratings()))
        start.add(row["enrolment__program_id"], row["start_sum"], row["start_n"])
        end.add(row["enrolment__program_id"], row["end_sum"], row["end_n"])
    if not scope.department:
        tallies = (
            TopicRatingTally.objects.filter(
                schedule__program_id__in=scope.program_ids,
                role=Role.MENTEE,
                question__key="confidence",
            )
            .order_by()
            .values("topic_id", "schedule__program_id")
            .annotate(total=Sum(F("value") * F("count")), n=Sum("count"))
        )
        for row in tallies:
            _start, end = topics.setdefault(row["topic_id"], (_Ratings(), _Ratings()))
            end.add(row["schedule__program_id"], row["total"], row["n"])
    return topics


# --- The report ---------------------------------------------------------------------------------


def program_report(scope: Scope) -> Report:
    """Every figure of the dashboard for `scope`, in a fixed number of queries."""
    if not scope.program_ids:
        return Report(threshold=scope.threshold, allowed=True)
    if not filter_allowed(scope):
        return Report(threshold=scope.threshold, allowed=False)
    learning = _learning(scope)
    coverage = _coverage(scope)
    labels = {
        topic.pk: topic.label for topic in Topic.objects.filter(pk__in={*learning, *coverage})
    }
    gains = []
    for topic_id, (start, end) in sorted(learning.items(), key=lambda item: labels[item[0]]):
        start_figure = _figure(start.mean, start.parts, scope)
        end_figure = _figure(end.mean, end.parts, scope)
        gain = (
            round(end.mean - start.mean, 2)
            if start.mean is not None and end.mean is not None
            else None
        )
        gains.append(
            TopicGain(
                topic=labels[topic_id],
                start=start_figure,
                end=end_figure,
                gain=Figure.over(
                    gain,
                    min(start_figure.n, end_figure.n),
                    scope.threshold,
                    hide=start_figure.hidden or end_figure.hidden,
                ),
            )
        )
    return Report(
        threshold=scope.threshold,
        allowed=True,
        **_participants(scope),
        **_pairs(scope),
        **_surveys(scope),
        learning=gains,
        coverage=[
            TopicCoverage(topic=labels[topic_id], sessions=_figure(sessions, pairs, scope))
            for topic_id, (sessions, pairs) in sorted(
                coverage.items(), key=lambda item: (-item[1][0], labels[item[0]])
            )
        ],
        months=_months(scope),
    )
