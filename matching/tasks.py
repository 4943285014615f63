"""Mail about pairs, sent by a Celery worker after the approval that made them, and the daily
purge of session notes past their program's retention."""

from celery import shared_task

from mentorship.mail import MAIL_RETRY, send_templated_mail


@shared_task(**MAIL_RETRY)
def send_introduction_mails(pair_id: int) -> None:
    """Introduce the mentor and the mentee to each other, each in their own language."""
    from matching.models import Pair

    pair = (
        Pair.objects.select_related("program", "mentor__user", "mentee__user")
        .filter(pk=pair_id, status=Pair.Status.ACTIVE)
        .first()
    )
    if pair is None:
        return  # ended before the mail went out
    shared = _shared_topics(pair)
    for me, partner in ((pair.mentor, pair.mentee), (pair.mentee, pair.mentor)):
        send_templated_mail(
            "matching/email/introduction",
            to=me.user,
            context={
                "pair": pair,
                "me": me,
                "partner": partner,
                "program": pair.program,
                "shared_topics": shared,
            },
        )


def _shared_topics(pair) -> list:
    from programs.models import Topic

    return list(
        Topic.objects.filter(pk__in=pair.mentor.teach_topics.values("topic_id"))
        .filter(pk__in=pair.mentee.learn_topics.values("topic_id"))
        .order_by("name")
    )


@shared_task
def purge_expired_notes() -> int:
    """Daily: erase the session notes of programs past their retention."""
    from django.utils import timezone

    from matching.session_logs import session_notes_purge_expired

    return session_notes_purge_expired(today=timezone.localdate())


# Celery discovers only `tasks` modules: the session mails live in a module of their own.
from matching import tasks_sessions  # noqa: E402, F401
