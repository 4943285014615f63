"""Celery tasks of the feedback app: the dispatcher that beat runs every minute, and the task
that sends one delivery. Both take ids or nothing, and keep their state in the database."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from feedback import delivery, dispatching, planning

# The hard limit stays inside the delivery's lease: a worker still sending never sees its
# claim taken over by another; only a dead one does.
_LEASE = settings.DELIVERY_LEASE_SECONDS


@shared_task
def dispatch() -> dict:
    """Enqueue what is ready, plan what has become due, and enqueue that too: a slow or
    failing planner never holds back mail that was ready already."""
    enqueued = dispatching.deliveries_enqueue(timezone.now())
    now = timezone.now()
    planned = planning.plan_everything(now)
    return {"planned": planned, "enqueued": enqueued + dispatching.deliveries_enqueue(now)}


@shared_task(
    # Nothing reads a delivery's outcome (the row holds it): no result to store.
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=max(1, _LEASE // 2),
    time_limit=max(2, _LEASE * 3 // 4),
)
def deliver(delivery_id: int) -> str:
    """Send one delivery; safe to run any number of times for the same id."""
    return delivery.delivery_send(delivery_id)
