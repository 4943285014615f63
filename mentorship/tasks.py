"""Tasks of the project itself: a round trip that proves a worker is consuming the broker, and
the dashboard's table kept fresh."""

import os

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from mentorship.dashboard.metrics import programs_covered, refresh_table


@shared_task(bind=True)
def echo(self, value: str) -> dict:
    """Return the value with the worker's identity, so a caller can tell who ran it."""
    return {"value": value, "hostname": self.request.hostname, "pid": os.getpid()}


@shared_task(ignore_result=True)
def refresh_dashboard() -> None:
    """Computes the dashboard's table before the cached one expires, so that no executive waits
    for it (the table takes a second or more on a large installation)."""
    programs = programs_covered(timezone.localdate())
    if settings.DASHBOARD_CACHE_SECONDS > 0 and programs.thresholds:
        refresh_table(programs)
