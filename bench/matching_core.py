"""Benchmark of the pure matching core (scores, rules, exact solver, greedy pass) on random
in-memory cohorts; the database round trip is measured elsewhere. Not a test: it prints figures.

    .venv/bin/python bench/matching_core.py [--sizes 200 1000 4000] [--seed 1]

Each size runs in a fresh process so that its peak memory is its own.
"""

# Seeded pseudo-random cohorts are the point here (the same figures on every run), not secrets.
# ruff: noqa: S311

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matching.optimiser import Cohort  # noqa: E402
from matching.scoring import MenteeProfile, MentorProfile, Person, Weights  # noqa: E402

TOPICS = list(range(1, 12))  # 11 topics
DEPARTMENTS = ["Sales", "IT", "Finance", "Operations", "Marketing", "Legal", "HR", "Supply"]
# (language, probability a person speaks it); Japanese-only speakers exist and stay unmatched.
LANGUAGES = [("en", 0.85), ("vi", 0.35), ("tr", 0.25), ("ja", 0.04)]
OFFSETS = [7, 7, 3, 3, 0, 1, 9, -5, 5.5]


def build_people(size: int, seed: int) -> tuple[list, list, dict[int, int | None]]:
    """Half mentors (capacity 1) and half mentees, placed in a four-level org chart (chief,
    directors, managers, staff) with a quarter more people who take no part. Mentees are the
    senior people first, as in reverse mentoring; mentors come from the staff."""
    rng = random.Random(seed)
    org_size = size + size // 4
    directors = max(3, org_size // 60)
    managers_count = max(10, org_size // 8)
    chief = 1
    director_ids = list(range(2, 2 + directors))
    manager_ids = list(range(2 + directors, 2 + directors + managers_count))
    staff_ids = list(range(2 + directors + managers_count, org_size + 1))
    managers: dict[int, int | None] = {chief: None}
    managers.update({d: chief for d in director_ids})
    managers.update({m: rng.choice(director_ids) for m in manager_ids})
    managers.update({s: rng.choice(manager_ids) for s in staff_ids})

    n_mentees = size // 2
    n_mentors = size - n_mentees
    seniors = [chief, *director_ids, *manager_ids]
    rng.shuffle(staff_ids)
    mentee_users = (seniors + staff_ids)[:n_mentees]
    remaining_staff = [s for s in staff_ids if s not in set(mentee_users)]
    mentor_users = remaining_staff[:n_mentors]

    def person(pid: int, user_id: int) -> Person:
        languages = [code for code, p in LANGUAGES if rng.random() < p]
        if not languages:
            languages = [rng.choice(["vi", "tr", "ja"])]
        return Person(
            id=pid,
            email=f"person{pid}@example.com",
            languages=tuple(languages),
            utc_offset_hours=rng.choice(OFFSETS),
            department="" if rng.random() < 0.03 else rng.choice(DEPARTMENTS),
            manager_id=managers[user_id],
            user_id=user_id,
        )

    def topics(low: int, high: int) -> dict[int, int]:
        return {t: rng.randint(1, 3) for t in rng.sample(TOPICS, rng.randint(low, high))}

    mentors = [
        MentorProfile(person(pid, user), capacity=1, topics=topics(1, 4))
        for pid, user in enumerate(mentor_users, start=1)
    ]
    mentees = [
        MenteeProfile(person(pid, user), topics=topics(1, 3))
        for pid, user in enumerate(mentee_users, start=n_mentors + 1)
    ]
    return mentors, mentees, managers


def measure(size: int, seed: int) -> dict:
    from django.conf import settings

    # Only gettext is used, and it needs settings; no database, no apps.
    settings.configure(USE_I18N=False)

    mentors, mentees, managers = build_people(size, seed)
    rng = random.Random(seed + 1)
    excluded = {(rng.choice(mentors).id, rng.choice(mentees).id) for _ in range(size // 100)}
    baseline_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    started = time.perf_counter()
    cohort = Cohort.build(mentors, mentees, Weights(), managers, excluded)
    build_seconds = time.perf_counter() - started

    started = time.perf_counter()
    optimum = cohort.solve()
    solve_call_seconds = time.perf_counter() - started

    quick = cohort.greedy()

    started = time.perf_counter()
    cohort.all_alternatives(5)
    alternatives_seconds = time.perf_counter() - started

    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "people": size,
        "mentors": len(mentors),
        "mentees": len(mentees),
        "eligible_pairs": int(cohort.rules.eligible.sum()),
        "build_seconds": build_seconds,
        "solver_seconds": optimum.solver_seconds,
        "solve_call_seconds": solve_call_seconds,
        "greedy_seconds": quick.solver_seconds,
        "alternatives_seconds": alternatives_seconds,
        "baseline_mib": baseline_kib / 1024,
        "peak_mib": peak_kib / 1024,
        "optimum_score": optimum.total_score,
        "greedy_score": quick.total_score,
        "optimum_matched": optimum.matched_count,
        "greedy_matched": quick.matched_count,
        "optimum_unmatched": dict(Counter(reason.code for _, reason in optimum.unmatched)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 1000, 4000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.one:
        print(json.dumps(measure(args.one, args.seed)))
        return

    header = (
        f"{'people':>7} {'mentors':>7} {'mentees':>7} {'build s':>8} {'solver s':>8} "
        f"{'solve s':>8} {'greedy s':>8} {'alts s':>7} {'peak MiB':>9} "
        f"{'matched opt/greedy':>19} {'greedy/opt score':>17}"
    )
    print(header)
    results = []
    for size in args.sizes:
        # A fresh interpreter per size: ru_maxrss is a high-water mark for the whole process.
        output = subprocess.run(  # noqa: S603 - our own script, fixed arguments
            [sys.executable, __file__, "--one", str(size), "--seed", str(args.seed)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        r = json.loads(output)
        results.append(r)
        ratio = r["greedy_score"] / r["optimum_score"] if r["optimum_score"] else 1.0
        print(
            f"{r['people']:>7} {r['mentors']:>7} {r['mentees']:>7} {r['build_seconds']:>8.3f} "
            f"{r['solver_seconds']:>8.3f} {r['solve_call_seconds']:>8.3f} "
            f"{r['greedy_seconds']:>8.3f} {r['alternatives_seconds']:>7.3f} "
            f"{r['peak_mib']:>9.0f} "
            f"{r['optimum_matched']:>9}/{r['greedy_matched']:<9} {ratio:>17.4f}"
        )
    print()
    for r in results:
        print(
            f"{r['people']} people: {r['eligible_pairs']} eligible pairs; memory before matching "
            f"{r['baseline_mib']:.0f} MiB; optimum score {r['optimum_score']:.2f}, greedy "
            f"{r['greedy_score']:.2f}; unmatched by the optimum: {r['optimum_unmatched'] or 'none'}"
        )


if __name__ == "__main__":
    main()
