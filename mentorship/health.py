"""Health checks of the parts the product needs: the database, the broker and a live worker.

Each check answers "ok" or a short error that names no host, user or password.
"""

from django.db import connection

from mentorship.celery import app as celery_app

OK = "ok"


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "not healthy"
        return f"error: {type(error).__name__}"
    return OK


def check_broker() -> str:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:  # noqa: BLE001
        return f"error: {type(error).__name__}"
    return OK


def check_worker(timeout: float = 1.5) -> str:
    """A worker is live when it answers a ping through the broker within the timeout."""
    try:
        # limit=1: return as soon as one worker answers instead of waiting out the timeout.
        replies = celery_app.control.ping(timeout=timeout, limit=1)
    except Exception as error:  # noqa: BLE001
        return f"error: {type(error).__name__}"
    if not replies:
        return "error: no worker answered"
    return OK


def check_all() -> dict[str, str]:
    status = {"database": check_database(), "broker": check_broker()}
    status["worker"] = check_worker() if status["broker"] == OK else "error: broker unreachable"
    return status
