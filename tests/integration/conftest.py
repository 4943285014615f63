"""Fixtures of the integration tests: a local SMTP server that keeps what it receives, and real
Celery workers that read pytest's test database and send their mail to that server.

A worker is another process: it sees only committed rows, so these tests use `transactional_db`
(with the migrations' data restored, see `integration_db`), and it is told where the test
database is through DATABASE_URL, built from the test process's own connection settings.
"""

import contextlib
import email
import email.policy
import logging
import socket
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import WorkerProcess
from tests.feedback.conftest import pair  # noqa: F401 - the feedback tests' pair, used here too

# Short enough that a test can wait for a lease to run out; the SMTP timeout stays below it, as
# in production, so a live worker never loses a claim it is still using.
LEASE_SECONDS = 6
WORKER_ENV = {
    "DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
    "EMAIL_TIMEOUT": "3",
    # No quiet hours: a test must not depend on the time of day it runs at.
    "MAIL_DAYTIME": "0-0",
    "SITE_URL": "http://testserver",
}


def poll_until(
    condition: Callable[[], object],
    *,
    timeout: float,
    message: str = "",
    state: Callable[[], object] | None = None,
) -> object:
    """Call `condition` until it returns something true and return that; fail after `timeout`
    seconds, saying `message` and what `state()` returns then. The way these tests wait for
    another process: never a fixed sleep."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            found = f"; found {state()}" if state else ""
            raise AssertionError(f"not true after {timeout} s: {message or condition}{found}")
        time.sleep(0.05)


# --- The SMTP server ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedMail:
    """One message as the SMTP server got it: the envelope and the parsed message."""

    mail_from: str
    recipients: tuple[str, ...]
    message: EmailMessage
    raw: bytes

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(preferencelist=("html",)).get_content()

    def __getitem__(self, header: str) -> str | None:
        """The header's value, unfolded; None when the message has no such header."""
        value = self.message[header]
        return None if value is None else str(value).strip()


# What a test may do when a message arrives: given its number (1 for the first DATA the server
# saw, refused ones included) and the message, return None to accept it or an SMTP reply such as
# "451 4.3.0 Try again later" to refuse it.
MessageHook = Callable[[int, ReceivedMail], str | None]


class SmtpRecorder:
    """The aiosmtpd handler: keeps accepted and refused messages apart; safe to read from the
    test's thread while the server's thread writes."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._accepted: list[ReceivedMail] = []
        self._refused: list[ReceivedMail] = []
        self._seen = 0
        self.on_message: MessageHook | None = None

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        mail = ReceivedMail(
            mail_from=envelope.mail_from,
            recipients=tuple(envelope.rcpt_tos),
            message=email.message_from_bytes(envelope.content, policy=email.policy.default),
            raw=envelope.content,
        )
        with self._changed:
            self._seen += 1
            number = self._seen
        reply = self.on_message(number, mail) if self.on_message else None
        with self._changed:
            (self._accepted if reply is None else self._refused).append(mail)
            self._changed.notify_all()
        return reply or "250 2.0.0 Message accepted for delivery"

    @property
    def received(self) -> list[ReceivedMail]:
        """The accepted messages, in the order they arrived."""
        with self._changed:
            return list(self._accepted)

    @property
    def refused(self) -> list[ReceivedMail]:
        with self._changed:
            return list(self._refused)

    def to(self, address: str) -> list[ReceivedMail]:
        return [mail for mail in self.received if address in mail.recipients]

    def count_by_recipient(self) -> Counter:
        return Counter(address for mail in self.received for address in mail.recipients)

    def wait_for(self, count: int, *, timeout: float = 30) -> list[ReceivedMail]:
        """Block until at least `count` messages were accepted; fail after `timeout` seconds."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._accepted) >= count, timeout):
                raise AssertionError(
                    f"{len(self._accepted)} of {count} messages after {timeout} s "
                    f"({len(self._refused)} refused)"
                )
            return list(self._accepted)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class SmtpServer:
    recorder: SmtpRecorder
    port: int

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server on a free local port, in a thread of the test process."""
    # aiosmtpd logs every SMTP command at INFO: noise in a failed test's report.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    recorder = SmtpRecorder()
    port = _free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield SmtpServer(recorder=recorder, port=port)
    finally:
        controller.stop()


@pytest.fixture
def smtp(smtp_server) -> SmtpRecorder:
    """What the SMTP server received (`received`, `to(address)`, `wait_for(n)`), and the hook
    `on_message` that lets a test refuse a message or act when one arrives."""
    return smtp_server.recorder


# --- Workers on the test database ---------------------------------------------------------------


def worker_database_url() -> str:
    """DATABASE_URL of the database this test runs on (pytest-django's `test_` copy, or the
    SQLite file of settings.DATABASES TEST NAME), for a process started by the test."""
    from django.db import connection

    params = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(params["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            raise RuntimeError("a worker process cannot share an in-memory SQLite database")
        return f"sqlite:///{Path(name).resolve()}"
    if connection.vendor == "postgresql":
        credentials = ""
        if params["USER"]:
            credentials = quote(params["USER"], safe="")
            if params["PASSWORD"]:
                credentials += ":" + quote(params["PASSWORD"], safe="")
            credentials += "@"
        # A socket directory as host is written %2F-quoted, as django-environ reads it.
        host = quote(params["HOST"] or "", safe="")
        port = f":{params['PORT']}" if params["PORT"] else ""
        return f"postgres://{credentials}{host}{port}/{quote(params['NAME'], safe='')}"
    raise RuntimeError(f"no DATABASE_URL for a {connection.vendor} test database")


# Settings of the test process that mirror a worker variable, so that what the test computes
# (a link, a lease) agrees with what the worker does.
_SETTING_OF_VARIABLE: dict[str, tuple[str, Callable[[str], object]]] = {
    "DELIVERY_LEASE_SECONDS": ("DELIVERY_LEASE_SECONDS", int),
    "DELIVERY_MAX_ATTEMPTS": ("DELIVERY_MAX_ATTEMPTS", int),
    "DELIVERY_RETRY_SECONDS": ("DELIVERY_RETRY_SECONDS", int),
    "MAIL_DAYTIME": ("MAIL_DAYTIME_HOURS", lambda value: tuple(map(int, value.split("-")))),
    "SITE_URL": ("SITE_URL", str),
}


@pytest.fixture
def integration_db(transactional_db, django_db_serialized_rollback) -> None:
    """Rows the test writes are committed at once, so a worker sees them; the database is
    emptied after the test and the migrations' data (topics, built-in surveys) put back before
    the next one."""


class Worker(WorkerProcess):
    """A worker on the test database. Besides the shared queue it consumes `direct_queue`, its
    own, so that a test can hand a task to this worker and no other."""

    def __init__(self, log_path: Path, *, env: dict[str, str], pool: str, concurrency: int):
        from django.conf import settings

        self.direct_queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}.{uuid.uuid4().hex[:8]}"
        self.env = env
        super().__init__(
            log_path,
            env=env,
            pool=pool,
            extra_args=[
                f"--concurrency={concurrency}",
                f"--queues={settings.CELERY_TASK_DEFAULT_QUEUE},{self.direct_queue}",
            ],
            own_process_group=True,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        """A warm shutdown when it is quick; otherwise the test is over and waiting for one
        (the file broker takes seconds) would only slow the suite down."""
        if self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=2)
        if self.process.poll() is None:
            self.kill()
        super().stop()


@pytest.fixture
def start_worker(
    integration_db, smtp_server, settings, tmp_path
) -> Iterator[Callable[..., Worker]]:
    """`start_worker(pool="solo", concurrency=1, **variables)` starts a worker on the test
    database that mails through `smtp_server`, waits until it answers a ping (unless
    `wait=False`: then call its `wait_until_ready()`) and returns it.

    Variables (DELIVERY_MAX_ATTEMPTS="2", ...) override WORKER_ENV; the delivery ones are set in
    this process's settings too. `pool="prefork"` for tests that need time limits or kill a
    worker mid-task. Every worker is stopped before the database is emptied (this fixture's
    teardown runs before `transactional_db`'s).
    """
    workers: list[Worker] = []

    def start(
        *, pool: str = "solo", concurrency: int = 1, wait: bool = True, **variables: str
    ) -> Worker:
        env = {
            **WORKER_ENV,
            "DATABASE_URL": worker_database_url(),
            "EMAIL_URL": smtp_server.url,
            **variables,
        }
        for variable, (setting, parse) in _SETTING_OF_VARIABLE.items():
            if variable in env:
                setattr(settings, setting, parse(env[variable]))
        worker = Worker(
            tmp_path / f"worker-{len(workers)}.log", env=env, pool=pool, concurrency=concurrency
        )
        workers.append(worker)
        if wait:
            worker.wait_until_ready()
        return worker

    try:
        yield start
    finally:
        for worker in workers:  # all at once: each may take its two seconds
            if worker.process.poll() is None:
                worker.process.terminate()
        for worker in workers:
            worker.stop()
            # Shown by pytest only when the test failed.
            print(f"--- log of worker {worker.hostname}\n{worker.log()[-5000:]}")


# --- Knowing that the workers have finished ---------------------------------------------------


def _messages_waiting(queue: str) -> int:
    from mentorship.celery import app

    # Not passive: Redis forgets an empty queue, and declaring one that exists changes nothing.
    with app.connection_for_read() as connection:
        return connection.default_channel.queue_declare(queue=queue).message_count


def _busy(workers: list[Worker]) -> bool:
    """True unless every worker answers that it runs and holds no task (a worker of the solo
    pool does not answer while it runs one)."""
    from mentorship.celery import app

    names = [worker.hostname for worker in workers]
    inspect = app.control.inspect(destination=names, timeout=1, limit=len(names))
    active, reserved = inspect.active() or {}, inspect.reserved() or {}
    return any(active.get(name, [None]) or reserved.get(name, [None]) for name in names)


def wait_until_idle(workers: list[Worker], *, timeout: float = 30) -> None:
    """Wait until no task is queued or running: after this, nothing more will be sent. The
    queues are read before and after asking the workers, so that a message on its way from a
    queue into a worker's hands is seen in one place or the other."""
    from django.conf import settings

    queues = [settings.CELERY_TASK_DEFAULT_QUEUE] + [worker.direct_queue for worker in workers]

    def queues_empty() -> bool:
        return not any(_messages_waiting(queue) for queue in queues)

    poll_until(
        lambda: queues_empty() and not _busy(workers) and queues_empty(),
        timeout=timeout,
        message="no task queued or running",
    )
