"""Benchmark of the executive dashboard on a large installation: 10,000 participants, 5,000
pairs, 60,000 sessions and 100,000 survey answers in PostgreSQL. Not a test: it prints the
dashboard's server time (median and p95 over --requests GETs through Django's test client) and
its query count, next to the same figures for the site's simplest page as the floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mentorship REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/dashboard.py [--requests 50] [--reload]

It needs PostgreSQL: it takes the server of DATABASE_URL and works in a database of its own on
it, `mentorship_bench_dashboard` (--database), which it creates if missing and migrates. The data
stays there between runs: a run that finds it complete measures at once; --reload drops the
database and loads it again. Loading is seeded (the same rows on every machine), uses bulk_create
and ends with VACUUM ANALYZE, so that the planner has statistics as a settled database would.

The data: 10 active programs that started 90 to 180 days ago (a session every 2 weeks, anonymity
threshold 5), each with 300 to 600 pairs; one person per enrolment, in 12 departments; mentors
teach and mentees learn 1 to 3 topics, mentees rated their confidence at the start and half of
them again at the end. Each pair has 12 sessions spread from its program's start to two weeks
ahead: the past ones mostly held and logged (with the topics covered), some cancelled, missed or
never logged. Each program has the three built-in surveys: a pulse after every held session (both
sides invited), the mid-program survey (everyone) and, for the five programs that end within two
weeks, the end-of-program survey; answers total exactly 100,000 rows, the end-of-program topic
confidence of anonymous surveys goes to the tallies, as the answering code does it.

What is timed: `client.get(url)` with time.perf_counter(), in this process, after 3 warm-up
requests: the dashboard (all programs), the dashboard of the largest program (`?program=` with
its slug or its id, whichever the page's program filter offers) and that program narrowed to
one department and one quarter, for an executive signed in with force_login; and the anonymous
home page (the landing page: no query, the floor of a request through the middleware and a
template). p95 is the inclusive quantile of the 50 times. Queries are counted on one more request
with CaptureQueriesContext.

The dashboard computes one table of every figure for all programs and keeps it in the cache for
DASHBOARD_CACHE_SECONDS (as deployed, which is what the target is about); the "cache off" rows
(--cold-requests GETs with DASHBOARD_CACHE_SECONDS=0) time the computation itself, which the first
request after the table expires pays. Static files are collected first (production mode serves
the manifest's names), into this run's VAR_DIR. The test client keeps one database connection
for the whole run (it never closes it between requests), so the times leave out connecting,
whatever CONN_MAX_AGE says.
"""

# Seeded pseudo-random data is the point here (the same rows on every run), not secrets.
# ruff: noqa: S311

from __future__ import annotations

import argparse
import datetime
import os
import random
import secrets
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH = 2000
SEED = 2027
TARGET_P95_MS = 250
PREFIX = "bench-dashboard-"
EXECUTIVE_EMAIL = "bench-dashboard-executive@bench.example"
# (pairs, started so many days ago, ends so many days from today) per program.
PROGRAMS = [
    (300, 180, 3),
    (400, 172, 6),
    (450, 165, 9),
    (500, 158, 11),
    (500, 150, 13),
    (500, 140, 30),
    (550, 125, 45),
    (600, 115, 60),
    (600, 100, 75),
    (600, 90, 90),
]
SESSIONS_PER_PAIR = 12
ANSWERS = 100_000
DEPARTMENTS = [
    "Sales",
    "IT",
    "Finance",
    "Operations",
    "Marketing",
    "Legal",
    "HR",
    "Supply",
    "Engineering",
    "Customer Care",
    "Procurement",
    "Strategy",
]
# (time zone, the language people there read first)
PLACES = [
    ("Asia/Ho_Chi_Minh", "vi"),
    ("Asia/Ho_Chi_Minh", "vi"),
    ("Europe/Istanbul", "tr"),
    ("Europe/London", "en"),
    ("America/New_York", "en"),
]


def _environment(args: argparse.Namespace) -> None:
    """What settings read at import: this run's database, production mode, the test client's
    host."""
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        raise SystemExit(
            "DATABASE_URL must name a PostgreSQL server (its database name is replaced by "
            f"--database, {args.database!r}): the dashboard's target is for PostgreSQL."
        )
    parts = urlsplit(database_url)
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{args.database}"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")
    # A key and salt for this run only (nothing encrypted is stored), production mode (DEBUG
    # would keep every query in memory and render differently), runtime files of its own.
    os.environ.setdefault("SECRET_KEY", "bench-only-" + secrets.token_urlsafe(48))
    os.environ.setdefault("FIELD_ENCRYPTION_SALT", "bench-only-" + secrets.token_urlsafe(16))
    os.environ["DEBUG"] = "false"
    os.environ["SECURE_SSL_REDIRECT"] = "false"  # the test client speaks plain HTTP
    hosts = [h for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    os.environ["ALLOWED_HOSTS"] = ",".join([*hosts, "testserver"])
    os.environ.setdefault("VAR_DIR", str(ROOT / "var" / "bench"))


def _maintenance(sql: str, *params) -> object:
    """One statement on the server's `postgres` database, outside any transaction."""
    import psycopg

    parts = urlsplit(os.environ["DATABASE_URL"])
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        cursor = conn.execute(sql, params or None)
        return cursor.fetchone() if sql.startswith("SELECT") else None


def _database_prepare(reload: bool) -> None:
    name = urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/")
    if reload:
        _maintenance(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if not _maintenance("SELECT 1 FROM pg_database WHERE datname = %s", name):
        _maintenance(f'CREATE DATABASE "{name}"')


# --- Loading ------------------------------------------------------------------------------------


def _bulk(model, rows: list) -> list:
    return model.objects.bulk_create(rows, batch_size=BATCH)


def load(rng: random.Random) -> dict[str, int]:
    """Every row of the benchmark, in one transaction: a run that finds the programs finds all
    of it. Returns the row counts."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.db import transaction
    from django.utils import timezone

    from feedback.models import (
        Answer,
        SurveyInvitation,
        SurveyResponse,
        SurveySchedule,
        SurveyTemplate,
        TopicRatingTally,
    )
    from matching.models import Pair, Session, SessionLog
    from mentorship.accounts.models import User
    from programs.models import Enrolment, LearnTopic, Program, TeachTopic, Topic

    now = timezone.now()
    today = now.date()
    topics = list(Topic.objects.order_by("pk"))
    templates = {
        t.key: t
        for t in SurveyTemplate.objects.filter(
            key__in=["session-pulse", "mid-program", "end-of-program"]
        )
    }
    questions = {
        key: {q.key or "comment": q for q in template.questions.all()}
        for key, template in templates.items()
    }
    counts: Counter = Counter()

    with transaction.atomic():
        User.objects.create(
            email=EXECUTIVE_EMAIL,
            full_name="Bench Executive",
            password=UNUSABLE_PASSWORD_PREFIX,
            is_executive=True,
        )

        programs = []
        for n, (_pairs, started, ends) in enumerate(PROGRAMS, start=1):
            programs.append(
                Program(
                    name=f"Dashboard benchmark {n:02d}",
                    slug=f"{PREFIX}{n:02d}",
                    objectives="Benchmark cohort.",
                    start_date=today - datetime.timedelta(days=started),
                    end_date=today + datetime.timedelta(days=ends),
                    status="active",
                    cadence_weeks=2,
                    anonymity_threshold=5,
                )
            )
        _bulk(Program, programs)
        Program.topics.through.objects.bulk_create(
            [
                Program.topics.through(program_id=p.pk, topic_id=t.pk)
                for p in programs
                for t in topics
            ]
        )

        # People: one per enrolment, mentor and mentee alternating.
        people = sum(pairs for pairs, _, _ in PROGRAMS) * 2
        users = []
        for n in range(people):
            zone, language = rng.choice(PLACES)
            users.append(
                User(
                    email=f"{PREFIX}{n}@bench.example",
                    full_name=f"Bench Person {n}",
                    # Nobody signs in as them; hashing a password per person would be slow.
                    password=UNUSABLE_PASSWORD_PREFIX,
                    preferred_language=language,
                    time_zone=zone,
                    department=rng.choice(DEPARTMENTS),
                )
            )
        _bulk(User, users)
        counts["users"] = len(users) + 1

        enrolments = []
        program_of_pair = []
        users_iter = iter(users)
        for program, (pairs, _, _) in zip(programs, PROGRAMS, strict=True):
            decided = timezone.make_aware(
                datetime.datetime.combine(program.start_date, datetime.time(9))
            ) - datetime.timedelta(days=14)
            for _ in range(pairs):
                for role in ("mentor", "mentee"):
                    user = next(users_iter)
                    enrolments.append(
                        Enrolment(
                            program=program,
                            user=user,
                            role=role,
                            status="approved",
                            languages=["en"],
                            time_zone=user.time_zone,
                            goals="Learn from each other.",
                            guidelines_acknowledged_at=decided,
                            decided_at=decided,
                        )
                    )
                program_of_pair.append(program)
        _bulk(Enrolment, enrolments)
        counts["enrolments"] = len(enrolments)

        topic_ids = [t.pk for t in topics]
        teach, learn = [], []
        topics_of: dict[int, list[int]] = {}
        for enrolment in enrolments:
            chosen = rng.sample(topic_ids, rng.randint(1, 3))
            topics_of[enrolment.pk] = chosen
            if enrolment.role == "mentor":
                teach += [
                    TeachTopic(enrolment_id=enrolment.pk, topic_id=t, level=rng.randint(1, 3))
                    for t in chosen
                ]
            else:
                rated_again = rng.random() < 0.5
                for t in chosen:
                    start = rng.choices([1, 2, 3, 4], weights=[2, 4, 3, 1])[0]
                    learn.append(
                        LearnTopic(
                            enrolment_id=enrolment.pk,
                            topic_id=t,
                            priority=rng.randint(1, 3),
                            confidence_start=start,
                            confidence_end=(
                                min(5, start + rng.choices([0, 1, 2], weights=[2, 5, 3])[0])
                                if rated_again
                                else None
                            ),
                        )
                    )
        _bulk(TeachTopic, teach)
        _bulk(LearnTopic, learn)
        counts["teach topics"], counts["learn topics"] = len(teach), len(learn)

        pairs = _bulk(
            Pair,
            [
                Pair(
                    program=program,
                    mentor=enrolments[2 * n],
                    mentee=enrolments[2 * n + 1],
                    score=round(rng.uniform(0.4, 0.95), 3),
                )
                for n, program in enumerate(program_of_pair)
            ],
        )
        for program in programs:  # started_at is auto_now_add: the day matching was approved
            Pair.objects.filter(program=program).update(
                started_at=timezone.make_aware(
                    datetime.datetime.combine(program.start_date, datetime.time(9))
                )
            )
        counts["pairs"] = len(pairs)

        # Sessions: 12 per pair from the program's start to two weeks ahead.
        sessions = []
        for pair in pairs:
            program = pair.program
            first = timezone.make_aware(
                datetime.datetime.combine(program.start_date, datetime.time(8))
            )
            spacing = (now + datetime.timedelta(days=14) - first) / SESSIONS_PER_PAIR
            for n in range(SESSIONS_PER_PAIR):
                starts_at = first + spacing * n + datetime.timedelta(hours=rng.randint(0, 9))
                if starts_at > now:
                    status = "scheduled"
                else:
                    status = rng.choices(
                        ["held", "cancelled", "no_show", "scheduled"], weights=[84, 8, 4, 4]
                    )[0]
                sessions.append(
                    Session(
                        pair=pair,
                        proposed_by_id=pair.mentor.user_id,
                        starts_at=starts_at,
                        duration_minutes=rng.choice([30, 45, 60, 60, 60, 90]),
                        location="Video call",
                        status=status,
                        sequence=1 if status == "cancelled" else 0,
                    )
                )
        _bulk(Session, sessions)
        counts["sessions"] = len(sessions)

        logs = []
        for session in sessions:
            if session.status not in ("held", "no_show"):
                continue
            held = session.status == "held"
            pair = session.pair
            confirmed = rng.random() < 0.7
            logs.append(
                SessionLog(
                    session=session,
                    outcome=session.status,
                    held_on=session.starts_at if held else None,
                    actual_minutes=(
                        max(15, session.duration_minutes + rng.choice([-15, 0, 0, 0, 15]))
                        if held
                        else 0
                    ),
                    logged_by_id=pair.mentee.user_id if rng.random() < 0.6 else pair.mentor.user_id,
                    confirmed_by_id=pair.mentor.user_id if confirmed else None,
                    confirmed_at=session.starts_at + datetime.timedelta(days=1)
                    if confirmed
                    else None,
                )
            )
        _bulk(SessionLog, logs)
        covered = SessionLog.topics_covered.through
        covered_rows = []
        for log in logs:
            if log.outcome != "held":
                continue
            mine = topics_of[log.session.pair.mentee_id]
            covered_rows += [
                covered(sessionlog_id=log.pk, topic_id=t)
                for t in rng.sample(mine, min(len(mine), rng.randint(1, 2)))
            ]
        _bulk(covered, covered_rows)
        counts["session logs"], counts["topics covered"] = len(logs), len(covered_rows)

        # Surveys: the three built-ins on every program, as HR would set them up.
        schedules = {}
        for program in programs:
            schedules[program.pk, "session-pulse"] = SurveySchedule(
                program=program,
                template=templates["session-pulse"],
                trigger=SurveySchedule.Trigger.AFTER_SESSION,
                delay_hours=2,
            )
            schedules[program.pk, "mid-program"] = SurveySchedule(
                program=program,
                template=templates["mid-program"],
                trigger=SurveySchedule.Trigger.FROM_START,
                offset_days=30,
            )
            schedules[program.pk, "end-of-program"] = SurveySchedule(
                program=program,
                template=templates["end-of-program"],
                trigger=SurveySchedule.Trigger.FROM_END,
                offset_days=-14,
            )
        _bulk(SurveySchedule, list(schedules.values()))

        # Invitations: (invitation, the day it was sent).
        invited: list[tuple] = []
        for log in logs:
            if log.outcome != "held":
                continue
            session = log.session
            sent = session.starts_at + datetime.timedelta(hours=3)
            for enrolment in (session.pair.mentor, session.pair.mentee):
                invited.append(
                    (
                        SurveyInvitation(
                            schedule=schedules[session.pair.program_id, "session-pulse"],
                            enrolment=enrolment,
                            occurrence=f"session:{session.pk}",
                            session=session,
                            closes_at=sent + datetime.timedelta(days=14),
                        ),
                        sent,
                    )
                )
        for enrolment in enrolments:
            program = enrolment.program
            dated = [("mid-program", program.start_date + datetime.timedelta(days=30))]
            if program.end_date - datetime.timedelta(days=14) <= today:
                dated.append(("end-of-program", program.end_date - datetime.timedelta(days=14)))
            for key, day in dated:
                sent = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
                invited.append(
                    (
                        SurveyInvitation(
                            schedule=schedules[program.pk, key],
                            enrolment=enrolment,
                            occurrence="once",
                            closes_at=sent + datetime.timedelta(days=14),
                        ),
                        sent,
                    )
                )

        # Who answered, and what: the dated surveys first, then session pulses until the
        # answers reach ANSWERS exactly (spread evenly over the sessions: seeded order).
        def answers_for(key: str, enrolment) -> list[tuple]:
            q = questions[key]
            if key == "session-pulse":
                rows = [
                    (q["session_rating"], rng.choices(range(1, 6), weights=[1, 2, 5, 9, 7])[0]),
                    (q["fit"], rng.choices(range(3), weights=[8, 3, 1])[0]),
                ]
                if rng.random() < 0.15:
                    rows.append((q["comment"], "A useful hour, thank you."))
            elif key == "mid-program":
                rows = [
                    (q["learning"], rng.choices(range(1, 6), weights=[1, 2, 4, 8, 5])[0]),
                    (q["rhythm"], rng.choices(range(1, 6), weights=[2, 3, 4, 7, 4])[0]),
                ]
                if rng.random() < 0.25:
                    rows.append((q["comment"], "More time for the sessions."))
            else:
                rows = [
                    (q["program_nps"], rng.choices(range(11), weights=[1] * 6 + [2, 3, 6, 8, 7])[0])
                ]
                if rng.random() < 0.4:
                    rows.append((q["learned"], "To ask better questions."))
                rows.append((q["continue"], rng.choices(range(3), weights=[6, 3, 1])[0]))
            return rows

        dated = [item for item in invited if item[0].occurrence == "once"]
        pulses = [item for item in invited if item[0].occurrence != "once"]
        rng.shuffle(pulses)
        responses, answers, tallies = [], [], Counter()
        budget = ANSWERS

        def respond(invitation, sent, rows) -> None:
            schedule = invitation.schedule
            anonymous = schedule.template.is_anonymous
            enrolment = invitation.enrolment
            answered_at = sent + datetime.timedelta(hours=rng.randint(1, 96))
            invitation.answered = True
            invitation.answered_at = None if anonymous else answered_at
            response = SurveyResponse(
                schedule=schedule,
                role=enrolment.role,
                submitted_on=answered_at.date(),
                invitation=None if anonymous else invitation,
            )
            responses.append(response)
            answers.extend(
                Answer(
                    response=response,
                    question=question,
                    number=value if isinstance(value, int) else None,
                    text=value if isinstance(value, str) else "",
                )
                for question, value in rows
            )
            if schedule.template.key == "end-of-program":
                confidence = questions["end-of-program"]["confidence"]
                for topic_id in topics_of[enrolment.pk]:
                    value = rng.choices(range(1, 6), weights=[1, 2, 4, 6, 3])[0]
                    tallies[schedule.pk, confidence.pk, topic_id, enrolment.role, value] += 1

        for invitation, sent in dated:
            rate = 0.7 if invitation.schedule.template.key == "mid-program" else 0.65
            if rng.random() < rate:
                rows = answers_for(invitation.schedule.template.key, invitation.enrolment)
                budget -= len(rows)
                respond(invitation, sent, rows)
        per_pulse = 2.15  # answers of one pulse response, on average
        rate = budget / (per_pulse * len(pulses))
        for invitation, sent in pulses:
            if budget <= 0:
                break
            if rng.random() < rate:
                rows = answers_for("session-pulse", invitation.enrolment)[:budget]
                budget -= len(rows)
                respond(invitation, sent, rows)
        if budget > 0:
            raise RuntimeError(f"{budget} answers short of {ANSWERS}: raise the pulse rate")

        _bulk(SurveyInvitation, [invitation for invitation, _ in invited])
        _bulk(SurveyResponse, responses)
        _bulk(Answer, answers)
        _bulk(
            TopicRatingTally,
            [
                TopicRatingTally(
                    schedule_id=schedule,
                    question_id=question,
                    topic_id=topic,
                    role=role,
                    value=value,
                    count=count,
                )
                for (schedule, question, topic, role, value), count in sorted(tallies.items())
            ],
        )
        counts["survey invitations"] = len(invited)
        counts["survey responses"] = len(responses)
        counts["answers"] = len(answers)
        counts["topic rating tallies"] = len(tallies)
    return counts


def is_loaded() -> bool:
    from programs.models import Program

    return Program.objects.filter(slug__startswith=PREFIX).count() == len(PROGRAMS)


def data_counts() -> dict[str, int]:
    from feedback.models import Answer, SurveyResponse
    from matching.models import Pair, Session
    from programs.models import Enrolment

    return {
        "participants": Enrolment.objects.filter(program__slug__startswith=PREFIX).count(),
        "pairs": Pair.objects.count(),
        "sessions": Session.objects.count(),
        "survey responses": SurveyResponse.objects.count(),
        "answers": Answer.objects.count(),
    }


# --- Measuring ----------------------------------------------------------------------------------


def measure(client, url: str, requests: int, *, cold: bool = False) -> dict:
    """Times `requests` GETs; `cold` turns the dashboard's cache off, so that every request
    computes the whole table of figures, as the first one after it expires does."""
    from django.test import override_settings

    if cold:
        with override_settings(DASHBOARD_CACHE_SECONDS=0):
            return measure(client, url, requests)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}, not 200")
        return response

    for _ in range(3):
        get()
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}, not 200")
    with CaptureQueriesContext(connection) as queries:
        response = get()
    return {
        "median": statistics.median(times),
        "p95": statistics.quantiles(times, n=20, method="inclusive")[-1],
        "max": max(times),
        "queries": len(queries.captured_queries),
        "content": response.content,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50, help="timed GETs per page")
    parser.add_argument(
        "--cold-requests", type=int, default=10, help="timed GETs per page with the cache off"
    )
    parser.add_argument("--database", default="mentorship_bench_dashboard")
    parser.add_argument("--reload", action="store_true", help="drop the database and load again")
    args = parser.parse_args()

    _environment(args)
    _database_prepare(args.reload)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from mentorship.accounts.models import User
    from programs.models import Program

    call_command("migrate", verbosity=0)
    # As a deployment does: production mode serves the hashed names of the manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    if is_loaded():
        print("data: already loaded (--reload to load it again)", flush=True)
    else:
        if Program.objects.filter(slug__startswith=PREFIX).exists():
            raise SystemExit("the bench database holds part of the data: run with --reload")
        started = time.perf_counter()
        counts = load(random.Random(SEED))
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        analysed = time.perf_counter() - started
        print(
            f"data: loaded in {loaded:.1f} s (+ VACUUM ANALYZE {analysed:.1f} s): "
            + ", ".join(f"{n} {what}" for what, n in counts.items()),
            flush=True,
        )
    counts = data_counts()
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        (jit,) = cursor.fetchone()
    print(
        f"database: PostgreSQL {connection.pg_version // 10000} "
        f"({connection.settings_dict['NAME']}, jit {jit}), on {os.cpu_count()} CPU(s) shared "
        f"with this process; cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}; "
        + ", ".join(f"{n} {what}" for what, n in counts.items()),
        flush=True,
    )

    executive = User.objects.get(email=EXECUTIVE_EMAIL)
    signed_in = Client()
    signed_in.force_login(executive)
    program = max(
        Program.objects.filter(slug__startswith=PREFIX), key=lambda p: (p.pairs.count(), p.slug)
    )
    dashboard = reverse("dashboard")
    # The filter's value for one program: its slug or its id, whichever the page's program
    # choice offers (the slug when it offers neither: a page that ignores it shows everything).
    try:
        page = signed_in.get(dashboard).content.decode()
    except Exception:  # the table below says what failed
        page = ""
    choice = program.slug
    if f'value="{program.slug}"' not in page and f'value="{program.pk}"' in page:
        choice = str(program.pk)
    one_program = f"{dashboard}?program={choice}"
    quarter = program.start_date.year, (program.start_date.month - 1) // 3 + 1
    filtered = f"{one_program}&department={DEPARTMENTS[0]}&period={quarter[0]}-Q{quarter[1]}"
    pages = [
        ("dashboard, all programs", signed_in, dashboard, False),
        (f"dashboard, one program ({program.pairs.count()} pairs)", signed_in, one_program, False),
        ("dashboard, one program, department and quarter", signed_in, filtered, False),
        ("dashboard, all programs, cache off", signed_in, dashboard, True),
        ("dashboard, one program, cache off", signed_in, one_program, True),
        ("home page, anonymous (floor)", Client(), reverse("home"), False),
    ]
    results = []
    for label, client, url, cold in pages:
        try:
            result = measure(client, url, args.cold_requests if cold else args.requests, cold=cold)
        except Exception as error:  # a page that fails is reported, the others still measured
            result = {"error": f"{type(error).__name__}: {str(error).splitlines()[0]}"}
        results.append((label, url, result))
        print(f"measured {url}{' (cache off)' if cold else ''}", flush=True)

    width = max(len(label) for label, _, _ in results)
    print()
    print(f"{'page':<{width}}  median ms  p95 ms  max ms  queries  bytes")
    for label, _, r in results:
        if "error" in r:
            print(f"{label:<{width}}  failed: {r['error']}")
            continue
        print(
            f"{label:<{width}}  {r['median']:9.1f}  {r['p95']:6.1f}  {r['max']:6.1f}  "
            f"{r['queries']:7d}  {len(r['content']):5d}"
        )
    # The target is for the pages as deployed, with the cache; the cache-off rows say what
    # the first request after the table expires costs.
    dashboards = [
        r for label, _, r in results if label.startswith("dashboard") and "cache off" not in label
    ]
    if any("error" in r for r in dashboards):
        print(f"target p95 < {TARGET_P95_MS} ms: missed (the dashboard failed)")
        raise SystemExit(1)
    worst = max(r["p95"] for r in dashboards)
    verdict = "met" if worst < TARGET_P95_MS else "missed"
    print(
        f"target p95 < {TARGET_P95_MS} ms: {verdict} (worst dashboard p95 {worst:.1f} ms, "
        f"{args.requests} requests each)"
    )


if __name__ == "__main__":
    main()
