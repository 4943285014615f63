"""The figures of the executive dashboard, with every small group blanked out before any value
reaches a template.

Every figure is computed once for all programs (drafts aside), grouped by program, department,
quarter or month and side, by a fixed number of aggregate queries whatever the number of
participants (`dashboard_data`). Anonymity is then settled on that whole table at once
(cube.py, suppression.py), so that the pages, whatever their filters, are margins of one
consistent table: no page minus another gives a hidden group away. A page (`program_report`)
reads its margin; the table is cached for a few minutes, since every page needs all of it.

A pair belongs to its mentee's department (the leader whose learning the program is for);
anonymous answers have no department: they form a group of their own, in the totals only.
"""

import datetime
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import (
    Coalesce,
    Greatest,
    Least,
    NullIf,
    TruncDate,
    TruncMonth,
    TruncQuarter,
)
from django.utils import timezone
from django.utils.translation import get_language

from feedback.models import Answer, SurveyInvitation, SurveySchedule, TopicRatingTally
from matching.cadence import QUIET_DAYS
from matching.models import Pair, Session, SessionLog
from mentorship.dashboard.cube import ALL, ANONYMOUS, Cube, Key
from mentorship.dashboard.days import DaysBetween
from mentorship.dashboard.periods import (
    month_key,
    month_start,
    quarter_bounds,
    quarter_key,
    quarters_between,
)
from mentorship.dashboard.suppression import selection_allowed, too_small
from programs.models import (
    Enrolment,
    EnrolmentStatus,
    LearnTopic,
    Program,
    ProgramStatus,
    Role,
    Topic,
)

# The measures anonymous surveys ask whose answers the dashboard counts.
ANONYMOUS_MEASURES = ("session_rating", "program_nps", "confidence")
PROMOTER_MIN = 9
DETRACTOR_MAX = 6
DEFAULT_THRESHOLD = 5


@dataclass(frozen=True)
class Programs:
    """The programs the dashboard covers (all but drafts): id -> (threshold, start, end)."""

    thresholds: Mapping[int, int]
    starts: Mapping[int, datetime.date]
    ends: Mapping[int, datetime.date]
    today: datetime.date

    @property
    def threshold(self) -> int:
        """The overview's threshold: the largest of the programs'."""
        return max(self.thresholds.values(), default=DEFAULT_THRESHOLD)

    def threshold_of(self, program) -> int:
        return self.threshold if program is ALL else self.thresholds[program]

    def columns(self) -> tuple[Mapping, ...]:
        return self.thresholds, self.starts, self.ends

    def quarters(self) -> list[str]:
        """The quarters the programs have run in, up to today's."""
        if not self.starts:
            return []
        last = min(self.today, max(self.ends.values()))
        return quarters_between(min(self.starts.values()), max(last, min(self.starts.values())))


@dataclass(frozen=True)
class Scope:
    """What one page looks at: one program or all, optionally a department and a quarter."""

    programs: Programs
    program: int | None = None
    department: str = ""
    period: str = ""

    @property
    def threshold(self) -> int:
        return self.programs.threshold_of(ALL if self.program is None else self.program)

    def key(self, *, period=None, side=ALL) -> Key:
        return (
            ALL if self.program is None else self.program,
            self.department or ALL,
            (self.period or ALL) if period is None else period,
            side,
        )


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
    # When the figures were read from the database (pages may show a cached table).
    computed_at: datetime.datetime | None = None


# --- The table ----------------------------------------------------------------------------------


@dataclass
class DashboardData:
    """Every figure's cube, anonymity settled. Topic cubes are keyed by topic id."""

    participants: Cube
    pairs: Cube
    active: Cube
    adherence: Cube
    sessions: Cube
    rating: Cube
    nps: dict[str, Cube]
    response_rate: dict[str, Cube]
    coverage: dict[int, Cube]
    learning_start: dict[int, Cube]
    learning_end: dict[int, Cube]
    computed_at: datetime.datetime = field(default_factory=timezone.now)

    def cubes(self) -> list[Cube]:
        return [
            self.participants,
            self.pairs,
            self.active,
            self.adherence,
            self.sessions,
            self.rating,
            *self.nps.values(),
            *self.response_rate.values(),
            *self.coverage.values(),
            *self.learning_start.values(),
            *self.learning_end.values(),
        ]


def _group(department: str | None):
    """A named person's department ('' for none); None is an anonymous answer's."""
    return ANONYMOUS if department is None else department


def _day(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def _date(value) -> Value:
    return Value(value, output_field=DateField())


# Minutes of a held session: its log's actual length, or the planned one when none was given.
MINUTES = Coalesce(NullIf(F("log__actual_minutes"), 0), F("duration_minutes"))


def _distinct_where(field_name: str, condition: Q) -> Count:
    """COUNT(DISTINCT ...) of the rows meeting `condition`, as a CASE: SQLite refuses a
    FILTER clause on a DISTINCT aggregate."""
    return Count(Case(When(condition, then=F(field_name))), distinct=True)


def _within(programs: Programs, lookup: str) -> Q:
    """Sessions inside the dashboard's quarters: one logged as held outside them (a date typed
    wrong) would be in the totals but in no period, and all time minus the periods would show
    it alone. `lookup` is a datetime field: bounds on it can use its index."""
    quarters = programs.quarters()
    if not quarters:
        return Q(pk__in=[])
    zone = timezone.get_current_timezone()
    first = quarter_bounds(quarters[0])[0]
    after = quarter_bounds(quarters[-1])[1] + datetime.timedelta(days=1)
    return Q(
        **{
            f"{lookup}__gte": datetime.datetime.combine(first, datetime.time(), zone),
            f"{lookup}__lt": datetime.datetime.combine(after, datetime.time(), zone),
        }
    )


def _anonymous_people(responses: int, answered: int) -> int:
    """The people behind anonymous responses: no more than answered their invitations, and at
    least one while there is any response (invitations go with a withdrawn enrolment; the
    answers stay, and must still count as somebody's)."""
    return max(min(responses, answered), 1 if responses else 0)


def _participants(programs: Programs) -> Cube:
    cube = Cube()
    rows = (
        Enrolment.objects.filter(
            program_id__in=programs.thresholds, status=EnrolmentStatus.APPROVED
        )
        .order_by()
        .values("program_id", "role", department=F("user__department"))
        .annotate(n=Count("pk"))
    )
    for row in rows:
        key = (row["program_id"], row["department"], ALL, row["role"])
        cube.add(key, people=row["n"])
        cube.count(key, row["n"])
    return cube


def _expected_by(as_of, anchor):
    """Sessions expected by the day `as_of`: whole cadence periods since `anchor`."""
    return ExpressionWrapper(
        Greatest(Value(0), DaysBetween(as_of, anchor)) / (F("program__cadence_weeks") * 7),
        output_field=IntegerField(),
    )


def _pairs(programs: Programs, quarters: list[str], adherence: Cube) -> tuple[Cube, Cube]:
    """Pairs and active pairs (with those at risk), and the sessions each quarter expected by
    the cadence rule of matching/cadence.py, in one query over the pairs. A pair's held
    sessions and its last one are read by subqueries on the sessions' pair index."""
    today = _date(programs.today)
    anchor = Greatest(F("program__start_date"), TruncDate("started_at"))
    # The last day a pair is measured on: today, or its end, or its program's end.
    last_day = Least(today, F("program__end_date"), Coalesce(TruncDate("ended_at"), today))
    held = Session.objects.filter(pair=OuterRef("pk"), status=Session.Status.HELD).order_by()
    held_count = Subquery(held.values("pair").annotate(n=Count("pk")).values("n"))
    last_held = Subquery(
        held.values("pair")
        .annotate(last=Max(TruncDate(Coalesce("log__held_on", "starts_at"))))
        .values("last")
    )
    now = Least(today, F("program__end_date"))
    expected_now = _expected_by(now, anchor)
    quiet_days = DaysBetween(now, Coalesce(last_held, anchor))
    at_risk = Q(status=Pair.Status.ACTIVE) & (
        Q(expected_now__gte=Coalesce(held_count, 0) + 2)
        | Q(expected_now__gte=1, quiet_days__gt=F("quiet_limit"))
    )

    def expected_in(quarter: str):
        first, last = quarter_bounds(quarter)
        return _expected_by(Least(last_day, _date(last)), anchor) - _expected_by(
            Least(last_day, _date(first - datetime.timedelta(days=1))), anchor
        )

    rows = (
        Pair.objects.filter(program_id__in=programs.thresholds)
        .alias(
            expected_now=expected_now,
            quiet_days=quiet_days,
            quiet_limit=Greatest(Value(QUIET_DAYS), F("program__cadence_weeks") * 7),
        )
        .order_by()
        .values("program_id", department=F("mentee__user__department"))
        .annotate(
            pairs=Count("pk"),
            active=Count("pk", filter=Q(status=Pair.Status.ACTIVE)),
            at_risk=Count("pk", filter=at_risk),
            **{f"expected_{index}": Sum(expected_in(q)) for index, q in enumerate(quarters)},
        )
    )
    pairs, active = Cube(), Cube()
    for row in rows:
        key = (row["program_id"], row["department"], ALL, ALL)
        pairs.add(key, pairs=row["pairs"])
        pairs.count(key, row["pairs"])
        active.add(key, active=row["active"], at_risk=row["at_risk"])
        active.count(key, row["active"])
        # Adherence is over all the pairs, in every period.
        adherence.count(key, row["pairs"])
        for index, quarter in enumerate(quarters):
            quarter_cell = (row["program_id"], row["department"], quarter, ALL)
            adherence.add(quarter_cell, expected=row[f"expected_{index}"] or 0)
            adherence.count(quarter_cell, row["pairs"])
    return pairs, active


def _sessions(programs: Programs, adherence: Cube) -> Cube:
    """Held sessions and hours by month, with the pairs behind them counted per month, per
    quarter and over all time (a pair meets in many months)."""
    held = Session.objects.filter(
        _within(programs, "starts_at"),
        pair__program_id__in=programs.thresholds,
        status=Session.Status.HELD,
    ).order_by()
    cube = Cube()
    by = {"program": F("pair__program_id"), "department": F("pair__mentee__user__department")}
    for row in held.values(**by, month=TruncMonth("starts_at")).annotate(
        held=Count("pk"), minutes=Sum(MINUTES), pair_count=Count("pair", distinct=True)
    ):
        month = month_key(_day(row["month"]))
        cube.period_parent[month] = quarter_key(_day(row["month"]))
        key = (row["program"], row["department"], month, ALL)
        cube.add(key, held=row["held"], minutes=row["minutes"])
        cube.count(key, row["pair_count"])
        adherence.add(
            (row["program"], row["department"], cube.period_parent[month], ALL), held=row["held"]
        )
    for row in held.values(**by, quarter=TruncQuarter("starts_at")).annotate(
        pair_count=Count("pair", distinct=True)
    ):
        key = (row["program"], row["department"], quarter_key(_day(row["quarter"])), ALL)
        cube.count(key, row["pair_count"])
    for row in held.values(**by).annotate(pair_count=Count("pair", distinct=True)):
        cube.count((row["program"], row["department"], ALL, ALL), row["pair_count"])
    return cube


def _coverage(programs: Programs) -> dict[int, Cube]:
    """Per topic id: the held sessions whose log covers it, with the pairs behind them."""
    through = SessionLog.topics_covered.through
    covered = through.objects.filter(
        _within(programs, "sessionlog__session__starts_at"),
        sessionlog__session__pair__program_id__in=programs.thresholds,
        sessionlog__session__status=Session.Status.HELD,
    ).order_by()
    by = {
        "program": F("sessionlog__session__pair__program_id"),
        "department": F("sessionlog__session__pair__mentee__user__department"),
    }
    cubes: dict[int, Cube] = {}
    for row in covered.values(
        "topic_id", **by, quarter=TruncQuarter("sessionlog__session__starts_at")
    ).annotate(
        # A (log, topic) row is unique and a log is one session's: no DISTINCT needed.
        sessions=Count("pk"),
        pair_count=Count("sessionlog__session__pair", distinct=True),
    ):
        cube = cubes.setdefault(row["topic_id"], Cube())
        key = (row["program"], row["department"], quarter_key(_day(row["quarter"])), ALL)
        cube.add(key, sessions=row["sessions"])
        cube.count(key, row["pair_count"])
    for row in covered.values("topic_id", **by).annotate(
        pair_count=Count("sessionlog__session__pair", distinct=True)
    ):
        key = (row["program"], row["department"], ALL, ALL)
        cubes[row["topic_id"]].count(key, row["pair_count"])
    return cubes


def _invitations(programs: Programs) -> tuple[dict[str, Cube], dict[tuple, int]]:
    """Response rates per side, and per (program, side, period, measure) the people who
    answered an anonymous survey asking that measure, as their invitations record it: the most
    people that anonymous answers to it can come from (a survey sent again is answered again
    by the same people)."""
    invitations = SurveyInvitation.objects.filter(
        schedule__program_id__in=programs.thresholds
    ).order_by()
    # The anonymous schedules asking each measure: a few rows, read first so that the big
    # query filters on ids instead of joining templates and questions.
    schedules: dict[str, list[int]] = {}
    for schedule_id, measure in SurveySchedule.objects.filter(
        program_id__in=programs.thresholds,
        template__is_anonymous=True,
        template__questions__key__in=ANONYMOUS_MEASURES,
    ).values_list("pk", "template__questions__key"):
        schedules.setdefault(measure, []).append(schedule_id)
    by = {
        "program": F("schedule__program_id"),
        "department": F("enrolment__user__department"),
        "role": F("enrolment__role"),
    }
    people = {
        "people": Count("enrolment", distinct=True),
        **{
            f"anonymous_{measure}": _distinct_where(
                "enrolment", Q(schedule_id__in=schedules.get(measure, []), answered=True)
            )
            for measure in ANONYMOUS_MEASURES
        },
    }
    cubes = {role: Cube() for role in (Role.MENTOR, Role.MENTEE)}
    invited_anonymously: dict[tuple, int] = {}

    def note(row, period) -> None:
        cubes[row["role"]].count((row["program"], row["department"], period, ALL), row["people"])
        for side in (row["role"], ALL):
            for measure in ANONYMOUS_MEASURES:
                key = (row["program"], side, period, measure)
                invited_anonymously[key] = (
                    invited_anonymously.get(key, 0) + row[f"anonymous_{measure}"]
                )

    for row in invitations.values(**by, quarter=TruncQuarter("created_at")).annotate(
        # Named apart from the `answered` field, which `people` filters on.
        sent_count=Count("pk"),
        answered_count=Count("pk", filter=Q(answered=True)),
        **people,
    ):
        period = quarter_key(_day(row["quarter"]))
        cube = cubes[row["role"]]
        cube.add(
            (row["program"], row["department"], period, ALL),
            sent=row["sent_count"],
            answered=row["answered_count"],
        )
        note(row, period)
    for row in invitations.values(**by).annotate(**people):
        note(row, ALL)
    return cubes, invited_anonymously


def _answers(programs: Programs, invited_anonymously: dict[tuple, int]) -> tuple[Cube, dict]:
    """The average session rating and each side's NPS. Named answers count their people;
    anonymous responses count at most the people who answered anonymous surveys (one person
    may answer several)."""
    rating = Q(question__key="session_rating")
    sides = {
        Role.MENTOR: Q(question__key="program_nps", response__role=Role.MENTOR),
        Role.MENTEE: Q(question__key="program_nps", response__role=Role.MENTEE),
    }
    answers = Answer.objects.filter(
        response__schedule__program_id__in=programs.thresholds,
        question__key__in=["session_rating", "program_nps"],
        number__isnull=False,
    ).order_by()
    by = {
        "program": F("response__schedule__program_id"),
        "department": F("response__invitation__enrolment__user__department"),
    }

    def people(condition: Q) -> dict:
        return {
            "people": _distinct_where("response__invitation__enrolment", condition),
            "responses": _distinct_where("response", condition),
        }

    counts = {"rating": rating, **{f"nps_{side}": q for side, q in sides.items()}}
    cubes = {name: Cube() for name in counts}
    sums = {
        "rating_sum": Sum("number", filter=rating),
        "rating_answers": Count("pk", filter=rating),
    }
    for side, condition in sides.items():
        sums |= {
            f"nps_{side}_answers": Count("pk", filter=condition),
            f"nps_{side}_promoters": Count("pk", filter=condition & Q(number__gte=PROMOTER_MIN)),
            f"nps_{side}_detractors": Count("pk", filter=condition & Q(number__lte=DETRACTOR_MAX)),
        }
    grouped_people = {
        f"{name}_{what}": aggregate
        for name, condition in counts.items()
        for what, aggregate in people(condition).items()
    }

    def note(row, period) -> None:
        group = _group(row["department"])
        for name, cube in cubes.items():
            n = row[f"{name}_people"]
            if group is ANONYMOUS:
                side, measure = (ALL, "session_rating")
                if name != "rating":
                    side, measure = name.removeprefix("nps_"), "program_nps"
                cap = invited_anonymously.get((row["program"], side, period, measure), 0)
                n = _anonymous_people(row[f"{name}_responses"], cap)
            cube.count((row["program"], group, period, ALL), n)

    for row in answers.values(**by, quarter=TruncQuarter("response__submitted_on")).annotate(
        **sums, **grouped_people
    ):
        period = quarter_key(_day(row["quarter"]))
        key = (row["program"], _group(row["department"]), period, ALL)
        cubes["rating"].add(key, total=row["rating_sum"] or 0, answers=row["rating_answers"])
        for side in sides:
            cubes[f"nps_{side}"].add(
                key,
                answers=row[f"nps_{side}_answers"],
                promoters=row[f"nps_{side}_promoters"],
                detractors=row[f"nps_{side}_detractors"],
            )
        note(row, period)
    for row in answers.values(**by).annotate(**grouped_people):
        note(row, ALL)
    return cubes.pop("rating"), {side: cubes[f"nps_{side}"] for side in sides}


def _learning(
    programs: Programs, invited_anonymously: dict[tuple, int]
) -> tuple[dict[int, Cube], dict[int, Cube]]:
    """Per topic id: the mentees' confidence at enrolment, and at the end: the named ratings
    (LearnTopic.confidence_end) and the anonymous tallies, whose people are at most the
    mentees who answered the program's anonymous surveys."""
    starts: dict[int, Cube] = {}
    ends: dict[int, Cube] = {}
    rows = (
        LearnTopic.objects.filter(
            enrolment__program_id__in=programs.thresholds,
            enrolment__role=Role.MENTEE,
            enrolment__status=EnrolmentStatus.APPROVED,
        )
        .order_by()
        .values(
            "topic_id",
            program=F("enrolment__program_id"),
            department=F("enrolment__user__department"),
        )
        .annotate(
            # A topic imported without a self-rating has no start: it counts on neither side.
            start_sum=Coalesce(Sum("confidence_start"), 0),
            start_n=Count("confidence_start"),
            end_sum=Coalesce(Sum("confidence_end"), 0),
            end_n=Count("confidence_end"),
            learners=Count("pk"),
        )
    )
    # The mentees learning each topic: no more of them can have rated it anonymously.
    learners: dict[tuple[int, int], int] = {}
    for row in rows:
        learning = (row["topic_id"], row["program"])
        learners[learning] = learners.get(learning, 0) + row["learners"]
        key = (row["program"], row["department"], ALL, ALL)
        for cubes, when in ((starts, "start"), (ends, "end")):
            cube = cubes.setdefault(row["topic_id"], Cube())
            cube.add(key, total=row[f"{when}_sum"], ratings=row[f"{when}_n"])
            cube.count(key, row[f"{when}_n"])
    tallies = (
        TopicRatingTally.objects.filter(
            schedule__program_id__in=programs.thresholds,
            role=Role.MENTEE,
            question__key="confidence",
        )
        .order_by()
        .values("topic_id", program=F("schedule__program_id"))
        .annotate(total=Sum(F("value") * F("count")), n=Sum("count"))
    )
    for row in tallies:
        key = (row["program"], ANONYMOUS, ALL, ALL)
        cube = ends.setdefault(row["topic_id"], Cube())
        cube.add(key, total=row["total"], ratings=row["n"])
        cap = min(
            invited_anonymously.get((row["program"], Role.MENTEE, ALL, "confidence"), 0),
            learners.get((row["topic_id"], row["program"]), 0),
        )
        cube.count(key, _anonymous_people(row["n"], cap))
    return starts, ends


def dashboard_data(programs: Programs) -> DashboardData:
    """Every figure for every program, department and period, anonymity settled."""
    quarters = programs.quarters()
    adherence = Cube()
    pairs, active = _pairs(programs, quarters, adherence)
    sessions = _sessions(programs, adherence)
    response_rate, invited_anonymously = _invitations(programs)
    rating, nps = _answers(programs, invited_anonymously)
    learning_start, learning_end = _learning(programs, invited_anonymously)
    data = DashboardData(
        participants=_participants(programs),
        pairs=pairs,
        active=active,
        adherence=adherence,
        sessions=sessions,
        rating=rating,
        nps=nps,
        response_rate=response_rate,
        coverage=_coverage(programs),
        learning_start=learning_start,
        learning_end=learning_end,
    )

    def threshold(key: Key) -> int:
        return programs.threshold_of(key[0])

    for cube in data.cubes():
        if cube is not adherence:
            cube.suppress(threshold)
    # Adherence is held / expected: wherever the sessions held are hidden, so is adherence
    # (else held = adherence x expected would give them back).
    adherence.suppress(threshold, seed=sessions.hidden)
    return data


def _cache_base(programs: Programs) -> str:
    """The cache key prefix of a table: the programs it covers, as of their day."""
    signature = repr((programs.today, *(sorted(values.items()) for values in programs.columns())))
    return "dashboard:" + hashlib.sha256(signature.encode()).hexdigest()[:32]


def refresh_table(programs: Programs) -> DashboardData:
    """Computes the table and makes it the one pages read, for DASHBOARD_CACHE_SECONDS."""
    data = dashboard_data(programs)
    base, stamp = _cache_base(programs), data.computed_at.isoformat()
    cache.set_many(
        {f"{base}:stamp": stamp, f"{base}:{stamp}:data": data}, settings.DASHBOARD_CACHE_SECONDS
    )
    return data


def cached_report(scope: Scope) -> "Report":
    """The page's report, from a table at most DASHBOARD_CACHE_SECONDS old.

    The table is large (every figure of every program), so each page's small report is kept
    too, under the table's stamp: a page seen before costs one cache read, and a new table
    (a new stamp) leaves the old reports unread until they expire. Beat refreshes the table
    before it expires (mentorship.tasks.refresh_dashboard), so pages seldom compute it.
    """
    if settings.DASHBOARD_CACHE_SECONDS <= 0 or not scope.programs.thresholds:
        return program_report(scope)
    base = _cache_base(scope.programs)
    selection = f"{scope.program}:{scope.department}:{scope.period}:{get_language()}"
    stamp = cache.get(f"{base}:stamp")
    data = None
    if stamp is not None:
        report = cache.get(f"{base}:{stamp}:report:{selection}")
        if report is not None:
            return report
        data = cache.get(f"{base}:{stamp}:data")
    if data is None:
        data = refresh_table(scope.programs)
        stamp = data.computed_at.isoformat()
    report = program_report(scope, data)
    cache.set(f"{base}:{stamp}:report:{selection}", report, settings.DASHBOARD_CACHE_SECONDS)
    return report


# --- One page -----------------------------------------------------------------------------------


def _figure(cube: Cube, key: Key, value, threshold: int) -> Figure:
    return Figure.over(value, cube.size(key), threshold, hide=cube.is_hidden(key, threshold))


def _ratio(cube: Cube, key: Key, top: str, bottom: str, scale: int = 1, digits=None):
    below = cube.sum(key, bottom)
    return round(scale * cube.sum(key, top) / below, digits) if below else None


def filter_allowed(scope: Scope, data: DashboardData) -> bool:
    """A department filter needs enough approved participants in it and outside it (within
    the programs chosen). Figures are settled cell by cell anyway; this refuses outright a
    view that could only be hidden figures."""
    if not scope.department:
        return True
    program = ALL if scope.program is None else scope.program
    everyone = data.participants.size((program, ALL, ALL, ALL))
    selected = data.participants.size((program, scope.department, ALL, ALL))
    return selection_allowed(
        selected=selected, complement=everyone - selected, threshold=scope.threshold
    )


def _months(scope: Scope, data: DashboardData) -> list[Month]:
    cube, threshold = data.sessions, scope.threshold
    months = sorted(
        month
        for month, quarter in cube.period_parent.items()
        if not scope.period or quarter == scope.period
    )
    result = []
    for month in months:
        key = scope.key(period=month)
        if cube.size(key) == 0:
            continue
        result.append(
            Month(
                month=month_start(month),
                sessions=_figure(cube, key, cube.sum(key, "held"), threshold),
                hours=_figure(cube, key, round(cube.sum(key, "minutes") / 60, 1), threshold),
            )
        )
    return result


def _topics(scope: Scope, data: DashboardData) -> tuple[list[TopicGain], list[TopicCoverage]]:
    threshold = scope.threshold
    ever = scope.key(period=ALL)
    labels = {
        topic.pk: topic.label
        for topic in Topic.objects.filter(
            pk__in={*data.learning_start, *data.learning_end, *data.coverage}
        )
    }
    gains = []
    for topic_id in sorted({*data.learning_start, *data.learning_end}, key=labels.get):
        start_cube, end_cube = data.learning_start.get(topic_id), data.learning_end.get(topic_id)
        if not (start_cube and start_cube.size(ever)) and not (end_cube and end_cube.size(ever)):
            continue
        start_cube, end_cube = start_cube or Cube(), end_cube or Cube()
        start_mean = _ratio(start_cube, ever, "total", "ratings", digits=2)
        end_mean = _ratio(end_cube, ever, "total", "ratings", digits=2)
        start = _figure(start_cube, ever, start_mean, threshold)
        end = _figure(end_cube, ever, end_mean, threshold)
        gain = None
        if start_mean is not None and end_mean is not None:
            gain = round(end_mean - start_mean, 2)
        gains.append(
            TopicGain(
                topic=labels[topic_id],
                start=start,
                end=end,
                gain=Figure.over(
                    gain, min(start.n, end.n), threshold, hide=start.hidden or end.hidden
                ),
            )
        )
    key = scope.key()
    covered = [
        TopicCoverage(
            topic=labels[topic_id],
            sessions=_figure(cube, key, cube.sum(key, "sessions"), threshold),
        )
        for topic_id, cube in data.coverage.items()
        if cube.size(key)
    ]
    covered.sort(key=lambda row: (-(row.sessions.value or 0), row.sessions.hidden, row.topic))
    return gains, covered


def program_report(scope: Scope, data: DashboardData | None = None) -> Report:
    """Every figure of the page for `scope`, read from the (cached) table."""
    if not scope.programs.thresholds:
        return Report(threshold=scope.threshold, allowed=True)
    data = data or dashboard_data(scope.programs)
    if not filter_allowed(scope, data):
        return Report(threshold=scope.threshold, allowed=False)
    threshold = scope.threshold
    ever, now = scope.key(period=ALL), scope.key()
    figures = {
        "participants": _figure(
            data.participants, ever, data.participants.sum(ever, "people"), threshold
        )
    }
    for side in (Role.MENTOR, Role.MENTEE):
        key = scope.key(period=ALL, side=side)
        figures[f"{side}s"] = _figure(
            data.participants, key, data.participants.sum(key, "people"), threshold
        )
    figures |= {
        "pairs": _figure(data.pairs, ever, data.pairs.sum(ever, "pairs"), threshold),
        "active_pairs": _figure(data.active, ever, data.active.sum(ever, "active"), threshold),
        "pairs_at_risk": _figure(data.active, ever, data.active.sum(ever, "at_risk"), threshold),
        "sessions_expected": _figure(
            data.adherence, now, data.adherence.sum(now, "expected"), threshold
        ),
        "adherence": _figure(
            data.adherence, now, _ratio(data.adherence, now, "held", "expected", 100), threshold
        ),
        "sessions_held": _figure(data.sessions, now, data.sessions.sum(now, "held"), threshold),
        "hours": _figure(
            data.sessions, now, round(data.sessions.sum(now, "minutes") / 60, 1), threshold
        ),
        "session_rating": _figure(
            data.rating, now, _ratio(data.rating, now, "total", "answers", digits=2), threshold
        ),
    }
    for side in (Role.MENTOR, Role.MENTEE):
        nps, rate = data.nps[side], data.response_rate[side]
        answers = nps.sum(now, "answers")
        score = None
        if answers:
            score = round(100 * (nps.sum(now, "promoters") - nps.sum(now, "detractors")) / answers)
        figures[f"nps_{side}s"] = _figure(nps, now, score, threshold)
        figures[f"response_rate_{side}s"] = _figure(
            rate, now, _ratio(rate, now, "answered", "sent", 100), threshold
        )
    learning, coverage = _topics(scope, data)
    return Report(
        threshold=threshold,
        allowed=True,
        **figures,
        learning=learning,
        coverage=coverage,
        months=_months(scope, data),
        computed_at=data.computed_at,
    )


def programs_covered(today: datetime.date) -> Programs:
    """Every program but drafts, with what the table needs of each (one query)."""
    rows = Program.objects.exclude(status=ProgramStatus.DRAFT).values_list(
        "pk", "anonymity_threshold", "start_date", "end_date"
    )
    thresholds, starts, ends = {}, {}, {}
    for pk, threshold, start, end in rows:
        thresholds[pk], starts[pk], ends[pk] = threshold, start, end
    return Programs(thresholds=thresholds, starts=starts, ends=ends, today=today)
