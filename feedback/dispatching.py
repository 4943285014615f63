"""The dispatcher's second half: hand every delivery that is ready to the workers, one task
per delivery.

Ready means pending and due, or `sending` with a lease that ran out (its worker died). A row
handed over recently is not handed over again, unless its claim expired since: a message lost
by the broker is made good after REENQUEUE_AFTER, and a duplicate message is harmless, because
only one task can claim the row.
"""

import datetime

from django.db import transaction
from django.db.models import F, Q

from feedback.models import Delivery

REENQUEUE_AFTER = datetime.timedelta(minutes=10)
ENQUEUE_CHUNK = 500


def ready_deliveries(now: datetime.datetime):
    not_handed_recently = Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - REENQUEUE_AFTER)
    pending = Q(status=Delivery.Status.PENDING, due_at__lte=now) & not_handed_recently
    abandoned = Q(status=Delivery.Status.SENDING, lease_until__lt=now) & (
        not_handed_recently | Q(enqueued_at__lt=F("lease_until"))
    )
    return Delivery.objects.filter(pending | abandoned).order_by("due_at", "pk")


def deliveries_enqueue(now: datetime.datetime, *, limit: int = 20_000) -> int:
    """Mark the ready deliveries as handed over and send one task for each, after commit.
    Rows locked by a dispatcher running at the same moment are left to it (PostgreSQL)."""
    from feedback.tasks import deliver

    with transaction.atomic():
        ids = list(
            ready_deliveries(now)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        for start in range(0, len(ids), ENQUEUE_CHUNK):
            Delivery.objects.filter(pk__in=ids[start : start + ENQUEUE_CHUNK]).update(
                enqueued_at=now
            )
        transaction.on_commit(lambda: [deliver.delay(pk) for pk in ids])
    return len(ids)
