"""Tasks of the project itself: a round trip that proves a worker is consuming the broker."""

import os

from celery import shared_task


@shared_task(bind=True)
def echo(self, value: str) -> dict:
    """Return the value with the worker's identity, so a caller can tell who ran it."""
    return {"value": value, "hostname": self.request.hostname, "pid": os.getpid()}
