"""Fixtures shared by the whole suite: the cast of roles, a real Celery worker, and the rules
that make CI honest (the report header names the services; under CI=true nothing skips)."""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from tests.factories import PASSWORD, EnrolmentFactory, ProgramFactory, UserFactory

BASE_DIR = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


# --- Report header and the no-skip rule ---------------------------------------------------------


def _database_description() -> str:
    from django.db import connection

    params = connection.settings_dict
    try:
        if connection.vendor == "postgresql":
            import psycopg

            # pytest-django blocks the ORM here, and the named database may not exist yet:
            # ask the server itself through its maintenance database.
            with psycopg.connect(
                host=params["HOST"] or None,
                port=params["PORT"] or None,
                user=params["USER"] or None,
                password=params["PASSWORD"] or None,
                dbname="postgres",
                connect_timeout=5,
            ) as conn:
                version = conn.execute("SHOW server_version").fetchone()[0]
            where = f"{params['HOST'] or 'socket'}:{params['PORT'] or 5432}/{params['NAME']}"
        else:
            version = connection.Database.sqlite_version
            where = str(params["NAME"])
    except Exception as error:  # noqa: BLE001 - the header must never crash the run
        version, where = f"unreachable ({type(error).__name__})", ""
    return f"{connection.vendor} {version} {where}".strip()


def _broker_description() -> str:
    from kombu.utils.url import maybe_sanitize_url

    return maybe_sanitize_url(django_settings.CELERY_BROKER_URL)


def pytest_report_header(config):
    return [
        f"database: {_database_description()}",
        f"broker: {_broker_description()}",
        f"CI: {'yes, skips are failures' if IN_CI else 'no'}",
    ]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which is not allowed: {report.longrepr}"


# --- Isolation ----------------------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def _fresh_embedded_broker():
    """Start each run with an empty file broker: messages left for workers of earlier runs
    (which will never read them) would otherwise pile up in var/test/broker."""
    if django_settings.CELERY_BROKER_URL.startswith("filesystem://"):
        for folder in django_settings.CELERY_BROKER_TRANSPORT_OPTIONS.values():
            if isinstance(folder, str):
                for path in Path(folder).glob("*"):
                    path.unlink(missing_ok=True)
    yield


@pytest.fixture
def celery_eager(monkeypatch):
    """Run tasks in the test's own process (for unit tests of what a task does; tests of
    delivery use `celery_worker_process`)."""
    from mentorship.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    monkeypatch.setitem(app.conf, "task_eager_propagates", True)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts and ends in the default language: a request through the test client
    activates its user's language in this thread and would otherwise leave it for the next."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """Each test gets an empty in-process cache, so rate-limit counters never leak between
    tests, and clearing it can never touch the broker's Redis database."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4()}",
        }
    }
    # Real hashing costs ~0.3 s a user; these tests are about access, not password strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The compressed-manifest storage of production needs `collectstatic` first; tests serve the
    # source files as they are.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    yield


# --- The cast -----------------------------------------------------------------------------------


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def hr_admin(db):
    return UserFactory(email="hr@example.com", full_name="Hana HR", is_hr_admin=True)


@pytest.fixture
def executive(db):
    return UserFactory(email="exec@example.com", full_name="Emre Executive", is_executive=True)


@pytest.fixture
def participant(db):
    """A person with no site-wide role: what mentors and mentees are until enrolments exist."""
    return UserFactory(email="mentor@example.com", full_name="Mai Mentor")


@pytest.fixture
def inactive_user(db):
    return UserFactory(email="gone@example.com", full_name="Gone Person", is_active=False)


@pytest.fixture
def program(db):
    return ProgramFactory(name="Digital leaders 2027", slug="digital-leaders-2027")


@pytest.fixture
def mentor(program):
    """A junior who teaches in `program` (approved, complete profile)."""
    return EnrolmentFactory(
        program=program,
        role="mentor",
        user=UserFactory(email="minh@example.com", full_name="Minh Trần"),
    ).user


@pytest.fixture
def mentee(program):
    """A senior leader who learns in `program` (approved, complete profile)."""
    return EnrolmentFactory(
        program=program,
        role="mentee",
        user=UserFactory(email="mehmet@example.com", full_name="Mehmet Kaya"),
    ).user


@pytest.fixture
def other_participant(db):
    """A mentee of another program: must see nothing of `program`."""
    other = ProgramFactory(name="Other cohort", slug="other-cohort")
    return EnrolmentFactory(
        program=other,
        role="mentee",
        user=UserFactory(email="outsider@example.com", full_name="Olga Other"),
    ).user


@pytest.fixture
def client_for(client):
    """`client_for(user)` signs a user in on the test client (None stays anonymous)."""

    def sign_in(user):
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


# --- A real Celery worker -----------------------------------------------------------------------


class WorkerProcess:
    """A `celery worker` subprocess on the configured broker, as `make run` starts it."""

    def __init__(
        self,
        log_path: Path,
        *,
        env: dict[str, str] | None = None,
        pool: str = "solo",
        extra_args: Sequence[str] = (),
        own_process_group: bool = False,
    ):
        """`env` is added to this process's environment; `own_process_group` puts the worker
        and its pool's children in a process group of their own, which `kill()` ends at once."""
        self.hostname = f"test-{uuid.uuid4().hex[:8]}@localhost"
        self.log_path = log_path
        self.own_process_group = own_process_group
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "mentorship",
                "worker",
                f"--pool={pool}",
                "--loglevel=INFO",
                f"--hostname={self.hostname}",
                "--without-gossip",
                "--without-mingle",
                *extra_args,
            ],
            cwd=BASE_DIR,
            env={**os.environ, **(env or {})},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=own_process_group,
        )

    def wait_until_ready(self, timeout: float = 60) -> None:
        from mentorship.celery import app

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if app.control.ping(destination=[self.hostname], timeout=0.5):
                return
        self.stop()
        raise AssertionError(
            f"worker {self.hostname} did not answer a ping:\n{self.log_path.read_text()[-3000:]}"
        )

    def kill(self) -> None:
        """SIGKILL the worker and every process of its pool, as a crash or an OOM kill would."""
        assert self.own_process_group, "start the worker with own_process_group=True"
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.own_process_group:
            # Pool children that outlived their parent (killed, or stuck in a task).
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self._log.close()


@pytest.fixture
def celery_worker_process(tmp_path):
    """Start a real worker and wait until it answers; stopped at the end of the test."""
    workers: list[WorkerProcess] = []

    def start() -> WorkerProcess:
        worker = WorkerProcess(tmp_path / f"worker-{len(workers)}.log")
        workers.append(worker)
        worker.wait_until_ready()
        return worker

    yield start
    for worker in workers:
        worker.stop()
