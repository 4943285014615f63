"""Benchmark of matching against the database: builds cohorts in the database and times
`matching.services.match_run_create` end to end (load, score, solve, save). Not a test: it
prints figures.

    .venv/bin/python bench/matching.py [--sizes 200 1000 4000] [--runs 3] [--seed 1]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench4 .venv/bin/python bench/matching.py

It runs against DATABASE_URL (created beforehand, e.g. `createdb -h 127.0.0.1 -U postgres
bench4`; the script migrates it), or by default against SQLite in var/bench/db.sqlite3, away
from `make run`'s database. Each size gets a program of its own under a fresh slug, filled with
bulk_create, and is deleted afterwards with the people it created. The runs of each size happen
in a fresh process, so that its peak memory is the matching's own and not the data builder's.
"""

# Seeded pseudo-random cohorts are the point here (the same figures on every run), not secrets.
# ruff: noqa: S311

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import random
import resource
import secrets
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Settings read these at import: a key for this run only, production mode (DEBUG would keep
# every query in memory), and runtime files (and the default SQLite database) of its own.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-" + secrets.token_urlsafe(48))
os.environ["DEBUG"] = "false"
os.environ.setdefault("VAR_DIR", str(ROOT / "var" / "bench"))

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from mentorship.accounts.models import User  # noqa: E402
from programs.models import (  # noqa: E402
    Enrolment,
    LearnTopic,
    Program,
    TeachTopic,
    Topic,
)

TOPIC_COUNT = 11
# (time zone, share of people, the language people there speak first).
PLACES = [
    ("Asia/Ho_Chi_Minh", 0.40, "vi"),
    ("Europe/Istanbul", 0.30, "tr"),
    ("Europe/London", 0.20, "en"),
    ("America/New_York", 0.10, "en"),
]
LANGUAGES = ["en", "vi", "tr", "ja"]
DEPARTMENTS = ["Sales", "IT", "Finance", "Operations", "Marketing", "Legal", "HR", "Supply"]
BATCH = 1000


# --- Building a cohort in the database -----------------------------------------------------------


def languages_for(rng: random.Random, first: str) -> list[str]:
    """2-3 languages: the place's own, English for most (or another language for English
    speakers), sometimes a third. A few people have no English, and a few speak Japanese."""
    spoken = [first]
    if first != "en":
        spoken.append("en" if rng.random() < 0.85 else rng.choice(["ja", "vi", "tr"]))
    else:
        spoken.append(rng.choice(["vi", "tr", "ja"]))
    if rng.random() < 0.25:
        spoken.append(rng.choice(LANGUAGES))
    spoken = list(dict.fromkeys(spoken))
    while len(spoken) < 2:
        spoken.append(rng.choice([code for code in LANGUAGES if code not in spoken]))
    return spoken


def build_cohort(size: int, seed: int, token: str) -> Program:
    """A program in matching with `size` approved people, half mentors (capacity 1) and half
    mentees, in a four-level org chart (chief, directors, managers, staff) with a quarter more
    people who take no part. Mentees are the senior people first, then staff, so some mentees
    manage some mentors, directly or not; mentors come from the remaining staff."""
    rng = random.Random(seed * 100_003 + size)
    topics = list(Topic.objects.order_by("pk")[:TOPIC_COUNT])
    if len(topics) < TOPIC_COUNT:
        raise SystemExit(f"the seeded catalogue has {len(topics)} topics, not {TOPIC_COUNT}")
    today = timezone.localdate()
    program = Program.objects.create(
        name=f"Benchmark {size} ({token})",
        slug=f"bench-{size}-{token}",
        objectives="Benchmark cohort.",
        start_date=today + datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=210),
        status="matching",
        mentor_capacity=1,
    )
    program.topics.set(topics)

    org_size = size + size // 4
    directors = max(3, org_size // 60)
    managers = max(10, org_size // 8)
    staff = org_size - 1 - directors - managers
    serial = iter(range(1, org_size + 1))

    def new_users(count: int, bosses: list[int]) -> list[int]:
        users = []
        for _ in range(count):
            n = next(serial)
            place = rng.choices(PLACES, weights=[p[1] for p in PLACES])[0][0]
            users.append(
                User(
                    email=f"bench-{token}-{n}@bench.example",
                    full_name=f"Bench Person {n}",
                    # Nobody signs in as them; hashing a password per person would be slow.
                    password=UNUSABLE_PASSWORD_PREFIX,
                    time_zone=place,
                    department="" if rng.random() < 0.03 else rng.choice(DEPARTMENTS),
                    manager_id=rng.choice(bosses) if bosses else None,
                )
            )
        User.objects.bulk_create(users, batch_size=BATCH)
        zones.update((user.pk, user.time_zone) for user in users)
        return [user.pk for user in users]

    zones: dict[int, str] = {}

    chief = new_users(1, [])
    director_ids = new_users(directors, chief)
    manager_ids = new_users(managers, director_ids)
    staff_ids = new_users(staff, manager_ids)

    n_mentees = size // 2
    rng.shuffle(staff_ids)
    mentee_users = (chief + director_ids + manager_ids + staff_ids)[:n_mentees]
    taken = set(mentee_users)
    mentor_users = [user for user in staff_ids if user not in taken][: size - n_mentees]
    first_language = {zone: language for zone, _share, language in PLACES}
    now = timezone.now()

    def enrolment(user_id: int, role: str) -> Enrolment:
        zone = zones[user_id]
        return Enrolment(
            program=program,
            user_id=user_id,
            role=role,
            status="approved",
            languages=languages_for(rng, first_language[zone]),
            # Most take the time zone of their account; blank falls back to it.
            time_zone=zone if rng.random() < 0.8 else "",
            goals="Learn from each other.",
            guidelines_acknowledged_at=now,
            decided_at=now,
        )

    enrolments = Enrolment.objects.bulk_create(
        [enrolment(user, "mentor") for user in mentor_users]
        + [enrolment(user, "mentee") for user in mentee_users],
        batch_size=BATCH,
    )

    def chosen_topics() -> list[Topic]:
        return rng.sample(topics, rng.randint(1, 3))

    TeachTopic.objects.bulk_create(
        [
            TeachTopic(enrolment_id=e.pk, topic=topic, level=rng.randint(1, 3))
            for e in enrolments
            if e.role == "mentor"
            for topic in chosen_topics()
        ],
        batch_size=BATCH,
    )
    LearnTopic.objects.bulk_create(
        [
            LearnTopic(
                enrolment_id=e.pk,
                topic=topic,
                priority=rng.randint(1, 3),
                confidence_start=rng.randint(1, 5),
            )
            for e in enrolments
            if e.role == "mentee"
            for topic in chosen_topics()
        ],
        batch_size=BATCH,
    )
    return program


def delete_cohort(token: str) -> None:
    """What build_cohort made under `token`, even half-made: the program (with its enrolments,
    topic rows, runs and suggestions) and its people."""
    with transaction.atomic():
        Program.objects.filter(slug__startswith="bench-", slug__endswith=f"-{token}").delete()
        people = User.objects.filter(email__startswith=f"bench-{token}-")
        people.update(manager=None)
        people.delete()


# --- Measuring, in a process of its own ----------------------------------------------------------


class Phases:
    """Seconds spent in each step of match_run_create, by wrapping the functions it calls."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def _timed(self, name: str, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started

        return wrapper

    @contextmanager
    def watching(self):
        from matching import services
        from matching.optimiser import Cohort

        load, build, solve = services.load_cohort, Cohort.__dict__["build"], Cohort.solve
        services.load_cohort = self._timed("load", load)
        Cohort.build = classmethod(self._timed("score", build.__func__))
        Cohort.solve = self._timed("solve", solve)
        try:
            yield self
        finally:
            services.load_cohort, Cohort.build, Cohort.solve = load, build, solve


def measure(program_id: int, runs: int) -> dict:
    from matching.models import MatchRun
    from matching.services import match_run_create

    program = Program.objects.get(pk=program_id)
    gc.collect()
    baseline_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    totals, solver, phases = [], [], []
    for _ in range(runs):
        gc.collect()
        phase = Phases()
        with phase.watching():
            started = time.perf_counter()
            outcome = match_run_create(program=program, by=None)
            totals.append(time.perf_counter() - started)
        phases.append(phase.seconds)
        solver.append(MatchRun.objects.get(pk=outcome.run.pk).solver_seconds)
        if len(totals) < runs:
            del outcome
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    optimum = outcome.solution
    greedy = outcome.cohort.greedy()
    result = {
        "mentors": len(outcome.loaded.mentors),
        "mentees": len(outcome.loaded.mentees),
        "eligible_pairs": int(outcome.cohort.rules.eligible.sum()),
        "runs": runs,
        "total_seconds": statistics.median(totals),
        "all_totals": totals,
        "solver_seconds": statistics.median(solver),
        **{
            f"{name}_seconds": statistics.median(p.get(name, 0.0) for p in phases)
            for name in ("load", "score", "solve")
        },
        "baseline_mib": baseline_kib / 1024,
        "peak_rss_mib": peak_kib / 1024,
        "optimum_score": optimum.total_score,
        "greedy_score": greedy.total_score,
        "optimum_matched": optimum.matched_count,
        "greedy_matched": greedy.matched_count,
        "optimum_unmatched": dict(Counter(reason.code for _, reason in optimum.unmatched)),
    }
    del outcome, optimum, greedy
    gc.collect()

    # One more run under tracemalloc, not timed: tracing makes Python allocations slow.
    tracemalloc.start()
    match_run_create(program=program, by=None)
    _current, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    result["traced_peak_mib"] = traced_peak / 2**20
    return result


# --- Driver -------------------------------------------------------------------------------


def database_label() -> str:
    vendor = connection.vendor
    if vendor == "postgresql":
        return f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}"
    if vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} ({connection.settings_dict['NAME']})"
    return vendor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 1000, 4000])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per size (median)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure:
        print(json.dumps(measure(args.measure, args.runs)))
        return

    call_command("migrate", verbosity=0)
    print(f"database: {database_label()}; {args.runs} timed run(s) per size, median shown")
    header = (
        f"{'people':>6} {'mentors':>7} {'mentees':>7} {'data s':>7} {'total s':>8} "
        f"{'load s':>7} {'score s':>7} {'solve s':>7} {'solver s':>8} {'save s':>7} "
        f"{'RSS MiB':>8} {'traced MiB':>10} {'matched opt/greedy':>18} {'greedy/opt':>10}"
    )
    print(header)
    results = []
    for size in args.sizes:
        token = secrets.token_hex(4)
        try:
            started = time.perf_counter()
            program = build_cohort(size, args.seed, token)
            data_seconds = time.perf_counter() - started
            connection.close()
            # A fresh interpreter per size: ru_maxrss is a high-water mark for the process.
            output = subprocess.run(  # noqa: S603 - our own script, fixed arguments
                [sys.executable, __file__, "--measure", str(program.pk), "--runs", str(args.runs)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        except subprocess.CalledProcessError as error:
            sys.stderr.write(error.stderr)
            raise
        finally:
            delete_cohort(token)
        r = json.loads(output.strip().splitlines()[-1])
        r["people"] = size
        results.append(r)
        save = r["total_seconds"] - r["load_seconds"] - r["score_seconds"] - r["solve_seconds"]
        ratio = r["greedy_score"] / r["optimum_score"] if r["optimum_score"] else 1.0
        print(
            f"{size:>6} {r['mentors']:>7} {r['mentees']:>7} {data_seconds:>7.2f} "
            f"{r['total_seconds']:>8.3f} {r['load_seconds']:>7.3f} {r['score_seconds']:>7.3f} "
            f"{r['solve_seconds']:>7.3f} {r['solver_seconds']:>8.3f} {save:>7.3f} "
            f"{r['peak_rss_mib']:>8.0f} {r['traced_peak_mib']:>10.0f} "
            f"{r['optimum_matched']:>8}/{r['greedy_matched']:<9} {ratio:>10.4f}",
            flush=True,
        )

    print()
    print(
        "total = match_run_create end to end; load = load_cohort; score = scores and rules "
        "(Cohort.build);\nsolve = Cohort.solve, of which solver = linear_sum_assignment alone "
        "(run.solver_seconds);\nsave = the rest (locking the program, storing the run, its "
        "suggestions and unmatched mentees).\nRSS = peak resident memory of the measuring "
        "process (ru_maxrss); traced = tracemalloc peak of one call."
    )
    for r in results:
        print(
            f"{r['people']} people: {r['eligible_pairs']} eligible pairs; runs "
            f"{', '.join(f'{t:.3f}' for t in r['all_totals'])} s; memory before matching "
            f"{r['baseline_mib']:.0f} MiB; optimum score {r['optimum_score']:.2f}, greedy "
            f"{r['greedy_score']:.2f}; unmatched by the optimum: "
            f"{r['optimum_unmatched'] or 'none'}"
        )
    target = next((r for r in results if r["mentors"] == 2000 and r["mentees"] == 2000), None)
    if target:
        checks = [
            ("end to end < 5 s", target["total_seconds"] < 5.0),
            ("solver < 1.5 s", target["solver_seconds"] < 1.5),
            ("peak memory < 1 GiB", target["peak_rss_mib"] < 1024),
        ]
        print(
            "2,000 x 2,000 targets: "
            + "; ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in checks)
        )


if __name__ == "__main__":
    main()
