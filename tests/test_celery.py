"""A task goes through the real broker to a real worker process and its result comes back."""

import os

import pytest
from django.conf import settings

from mentorship.celery import app
from mentorship.tasks import echo


@pytest.mark.worker
def test_task_round_trip_through_broker_and_worker(celery_worker_process):
    assert not app.conf.task_always_eager
    worker = celery_worker_process()

    result = echo.delay("hello from the test").get(timeout=30)

    assert result["value"] == "hello from the test"
    assert result["hostname"] == worker.hostname
    assert result["pid"] != os.getpid()
    assert result["pid"] == worker.process.pid


def test_celery_reads_its_settings_from_django():
    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_time_limit == settings.CELERY_TASK_TIME_LIMIT
