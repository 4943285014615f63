"""Benchmark of survey delivery end to end: 10,000 due survey mails through Redis and one Celery
worker to a local SMTP server. Not a test: it prints deliveries per second, duplicates and lost
mails (both must be 0), and the same worker's rate for a no-op task as the ceiling.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mentorship REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/deliveries.py [--deliveries 10000] [--concurrency N]

It needs Redis (REDIS_URL) and PostgreSQL: it takes the server of DATABASE_URL and works in a
database of its own on it, `mentorship_bench` (--database), which it creates if missing and
migrates; what it builds there is deleted at the end. The worker is `celery worker
--pool=prefork` with the default concurrency (one process per CPU), on a queue and control
exchange of this run only, with the project's settings otherwise (CONN_MAX_AGE, time limits);
the SMTP server (aiosmtpd) runs in this process and only counts what it receives.

What is timed: the worker draining a full queue. While it takes nothing from the queue, this
process runs `feedback.tasks.dispatch` (it plans 10,000 invitations and their delivery rows and
enqueues one `deliver` task each; timed apart); then the worker consumes again until the last row
is sent. The same again with 10,000 `mentorship.tasks.echo` tasks, a no-op (it even stores a
result, which `deliver` does not), until the worker reports them done: the ceiling of this worker
and broker.
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from email.parser import BytesHeaderParser
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = secrets.token_hex(4)


def _bench_database_url(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _environment(args: argparse.Namespace) -> None:
    """What settings read at import, for this process and the worker it starts."""
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("REDIS_URL is required: the benchmark measures delivery through Redis.")
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        raise SystemExit(
            "DATABASE_URL must name a PostgreSQL server (its database name is replaced by "
            f"--database, {args.database!r}): SQLite cannot take the writes of several worker "
            "processes at this rate."
        )
    os.environ["DATABASE_URL"] = _bench_database_url(database_url, args.database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")
    # A key and salt for this run only, production mode, runtime files of its own.
    os.environ.setdefault("SECRET_KEY", "bench-only-" + secrets.token_urlsafe(48))
    os.environ.setdefault("FIELD_ENCRYPTION_SALT", "bench-only-" + secrets.token_urlsafe(16))
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("VAR_DIR", str(ROOT / "var" / "bench"))
    # Nobody else's worker takes these tasks or answers these pings.
    os.environ["CELERY_QUEUE"] = f"bench-{TOKEN}"
    os.environ["CELERY_CONTROL_EXCHANGE"] = f"bench-control-{TOKEN}"
    os.environ["MAIL_DAYTIME"] = "0-0"  # no quiet hours: everything is due now, everywhere
    os.environ["SITE_URL"] = "http://bench.example"


def _create_database_if_missing() -> None:
    import psycopg

    parts = urlsplit(os.environ["DATABASE_URL"])
    name = parts.path.lstrip("/")
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')  # noqa: S608 - our own option, quoted


# --- The SMTP server ----------------------------------------------------------------------------


class Counting:
    """An aiosmtpd handler that only counts: messages per Message-ID and per recipient."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_message_id: Counter = Counter()
        self.by_recipient: Counter = Counter()
        self._headers = BytesHeaderParser()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        message_id = str(self._headers.parsebytes(envelope.content)["Message-ID"]).strip()
        with self.lock:
            self.by_message_id[message_id] += 1
            self.by_recipient.update(envelope.rcpt_tos)
        return "250 2.0.0 Message accepted for delivery"

    def received(self) -> int:
        with self.lock:
            return sum(self.by_message_id.values())


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- Building and removing the data -------------------------------------------------------------

BATCH = 1000
LANGUAGES = ["en", "vi", "tr"]
ZONES = ["Asia/Ho_Chi_Minh", "Europe/Istanbul", "Europe/London", "America/New_York"]


def build(deliveries: int):
    """A program in its 30th day with `deliveries` people in pairs and the mid-program survey
    due today: the dispatcher turns it into one invitation and one delivery per person."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.utils import timezone

    from feedback.models import SurveySchedule, SurveyTemplate
    from matching.models import Pair
    from mentorship.accounts.models import User
    from programs.models import Enrolment, Program

    today = timezone.now().date()
    program = Program.objects.create(
        name=f"Delivery benchmark ({TOKEN})",
        slug=f"bench-deliveries-{TOKEN}",
        objectives="Benchmark cohort.",
        start_date=today - datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=150),
        status="active",
    )
    users = User.objects.bulk_create(
        [
            User(
                email=f"bench-deliveries-{TOKEN}-{n}@bench.example",
                full_name=f"Bench Person {n}",
                password=UNUSABLE_PASSWORD_PREFIX,
                preferred_language=LANGUAGES[n % len(LANGUAGES)],
                time_zone=ZONES[n % len(ZONES)],
            )
            for n in range(deliveries)
        ],
        batch_size=BATCH,
    )
    now = timezone.now()
    enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(
                program=program,
                user=user,
                role="mentor" if n % 2 == 0 else "mentee",
                status="approved",
                languages=["en"],
                time_zone=user.time_zone,
                goals="Learn from each other.",
                guidelines_acknowledged_at=now,
                decided_at=now,
            )
            for n, user in enumerate(users)
        ],
        batch_size=BATCH,
    )
    Pair.objects.bulk_create(
        [
            Pair(program=program, mentor=enrolments[n], mentee=enrolments[n + 1])
            for n in range(0, len(enrolments) - 1, 2)
        ],
        batch_size=BATCH,
    )
    SurveySchedule.objects.create(
        program=program,
        template=SurveyTemplate.objects.get(key="mid-program"),
        trigger=SurveySchedule.Trigger.FROM_START,
        offset_days=30,
        max_reminders=0,
    )
    return program


def remove_all() -> None:
    """Everything any run of this script made, even half-made by one that crashed."""
    from django.db import transaction

    from feedback.models import Delivery
    from matching.models import Pair
    from mentorship.accounts.models import User
    from programs.models import Program

    people = User.objects.filter(email__startswith="bench-deliveries-")
    programs = Program.objects.filter(slug__startswith="bench-deliveries-")
    with transaction.atomic():
        Delivery.objects.filter(recipient__in=people).delete()
        Pair.objects.filter(program__in=programs).delete()
        programs.delete()
        people.delete()


# --- Measuring ---------------------------------------------------------------------------------


def start_worker(concurrency: int | None, log_path: Path) -> tuple[subprocess.Popen, str]:
    from mentorship.celery import app

    hostname = f"bench-{TOKEN}@localhost"
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "mentorship",
        "worker",
        "--pool=prefork",
        "--loglevel=INFO",
        f"--hostname={hostname}",
        "--without-gossip",
        "--without-mingle",
    ]
    if concurrency:
        command.append(f"--concurrency={concurrency}")
    log = open(log_path, "wb")  # noqa: SIM115 - the worker writes it until the end
    worker = subprocess.Popen(  # noqa: S603 - our own command line
        command, cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while not app.control.ping(destination=[hostname], timeout=0.5):
        if worker.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the worker did not start; see {log_path}")
    return worker, hostname


def stop_worker(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def worker_processes(hostname: str) -> int:
    from mentorship.celery import app

    stats = app.control.inspect(destination=[hostname], timeout=5).stats() or {}
    return stats.get(hostname, {}).get("pool", {}).get("max-concurrency", 0)


def tasks_done(hostname: str, task: str) -> int:
    from mentorship.celery import app

    stats = app.control.inspect(destination=[hostname], timeout=5).stats() or {}
    return stats.get(hostname, {}).get("total", {}).get(task, 0)


@contextmanager
def consumer_paused(hostname: str):
    """The worker stops taking tasks from the queue while the block fills it, so that what is
    timed afterwards is the worker draining a full queue, for deliveries and no-ops alike."""
    from django.conf import settings

    from mentorship.celery import app

    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    app.control.cancel_consumer(queue, destination=[hostname], reply=True, timeout=10)
    try:
        yield
    finally:
        app.control.add_consumer(queue, destination=[hostname], reply=True, timeout=10)


def deliver_everything(program, hostname: str, smtp: Counting, timeout: float) -> dict:
    from django.db.models import Max, Min

    from feedback.messages import message_id
    from feedback.models import Delivery
    from feedback.tasks import dispatch

    rows = Delivery.objects.filter(recipient__enrolments__program=program)
    with consumer_paused(hostname):
        started = time.perf_counter()
        summary = dispatch()  # what beat would start: plan everything due, enqueue it
        dispatch_seconds = time.perf_counter() - started
    count = rows.count()
    started = time.perf_counter()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        unfinished = rows.filter(status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING])
        if not unfinished.exists():
            break
        time.sleep(0.2)  # polling the database for progress, with the deadline above
    seconds = time.perf_counter() - started
    window = rows.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    expected = {
        message_id(Delivery(key=key)) for key in rows.values_list("key", flat=True).iterator()
    }
    with smtp.lock:
        by_message_id = dict(smtp.by_message_id)
    return {
        "rows": count,
        "enqueued": summary["enqueued"],
        "statuses": dict(Counter(rows.values_list("status", flat=True))),
        "sent": rows.filter(status=Delivery.Status.SENT).count(),
        "dispatch_seconds": dispatch_seconds,
        "seconds": seconds,
        "first_to_last_sent": (window["last"] - window["first"]).total_seconds(),
        "received": sum(by_message_id.values()),
        "duplicates": sum(n - 1 for n in by_message_id.values() if n > 1),
        "lost": len(expected - set(by_message_id)),
        "unexpected": len(set(by_message_id) - expected),
    }


def no_op_ceiling(hostname: str, count: int, timeout: float) -> dict:
    from mentorship.tasks import echo

    task = echo.name
    before = tasks_done(hostname, task)
    with consumer_paused(hostname):
        started = time.perf_counter()
        for n in range(count):
            echo.delay(str(n))
        publish_seconds = time.perf_counter() - started
    started = time.perf_counter()
    deadline = time.monotonic() + timeout
    done = 0
    while time.monotonic() < deadline:
        done = tasks_done(hostname, task) - before
        if done >= count:
            break
        time.sleep(0.2)  # polling the worker's counters, with the deadline above
    return {
        "done": done,
        "seconds": time.perf_counter() - started,
        "publish_seconds": publish_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, help="worker processes (default: CPUs)")
    parser.add_argument("--database", default="mentorship_bench")
    parser.add_argument("--timeout", type=float, default=900, help="seconds for each phase")
    args = parser.parse_args()

    _environment(args)
    _create_database_if_missing()
    smtp = Counting()
    port = _free_port()
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"

    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    remove_all()
    # The SMTP server's own log says a line per command: noise here, and time taken from it.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = Controller(smtp, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    log_path = Path(settings.VAR_DIR) / f"bench-worker-{TOKEN}.log"
    worker = None
    try:
        started = time.perf_counter()
        program = build(args.deliveries)
        build_seconds = time.perf_counter() - started
        worker, hostname = start_worker(args.concurrency, log_path)
        processes = worker_processes(hostname)
        print(
            f"database: PostgreSQL {connection.pg_version // 10000} "
            f"({connection.settings_dict['NAME']}); broker: Redis; one worker: prefork, "
            f"{processes} process(es), on {os.cpu_count()} CPU(s) shared with PostgreSQL, Redis "
            f"and the SMTP server; {args.deliveries} people built in {build_seconds:.1f} s",
            flush=True,
        )

        d = deliver_everything(program, hostname, smtp, args.timeout)
        rate = d["sent"] / d["seconds"]
        print(
            f"dispatch (plan {d['rows']} invitations and deliveries, enqueue {d['enqueued']}): "
            f"{d['dispatch_seconds']:.1f} s",
            flush=True,
        )
        print(
            f"deliveries: {d['sent']} sent ({d['statuses']}) in {d['seconds']:.1f} s = "
            f"{rate:.0f} deliveries/s (first to last sent_at {d['first_to_last_sent']:.1f} s)",
            flush=True,
        )
        print(
            f"SMTP received {d['received']}: duplicates {d['duplicates']}, lost {d['lost']}, "
            f"unexpected {d['unexpected']}",
            flush=True,
        )
        n = no_op_ceiling(hostname, args.deliveries, args.timeout)
        ceiling = n["done"] / n["seconds"]
        print(
            f"no-op ceiling: {n['done']} mentorship.tasks.echo in {n['seconds']:.1f} s = "
            f"{ceiling:.0f} tasks/s (publishing them took {n['publish_seconds']:.1f} s, untimed)",
            flush=True,
        )
        verdict = "OK" if d["duplicates"] == 0 and d["lost"] == 0 else "FAILED"
        print(
            f"{verdict}: duplicates and lost must both be 0; a delivery costs "
            f"{ceiling / rate:.1f} no-op tasks of this worker's time"
        )
    finally:
        if worker is not None:
            stop_worker(worker)
        controller.stop()
        remove_all()
    print(f"worker log: {log_path}")


if __name__ == "__main__":
    main()
