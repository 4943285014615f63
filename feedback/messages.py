"""What each kind of delivery says, built at sending time from the rows as they are then.

A builder returns None when the mail has become pointless since it was planned (the survey was
answered or closed, the session moved or was logged, the pair caught up or ended): the
delivery is then skipped, not sent.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Avg, Count, Exists, OuterRef
from django.urls import reverse

from feedback import links, planning
from feedback.models import Answer, Delivery, Question, SurveyInvitation, SurveyResponse
from matching import cadence
from matching.models import Pair, Session
from matching.pair_health import cadence_of, with_held_sessions
from mentorship.accounts.models import User
from mentorship.mail import send_templated_mail
from programs.models import EnrolmentStatus, Program, ProgramStatus

Kind = Delivery.Kind
# The HR digest lists likert questions whose recent average is under this.
LOW_SCORE = 3.0
LOW_SCORE_WINDOW = datetime.timedelta(days=14)


@dataclass
class Mail:
    template_dir: str
    to: User
    context: dict
    headers: dict[str, str] = field(default_factory=dict)

    def send(self) -> None:
        send_templated_mail(
            self.template_dir, to=self.to, context=self.context, headers=self.headers
        )


def build(delivery: Delivery, *, now: datetime.datetime) -> Mail | None:
    context = BUILDERS[delivery.kind](delivery, now)
    if context is None:
        return None
    unsubscribe = links.unsubscribe_url(delivery.recipient_id, delivery.kind)
    context |= {
        "recipient": delivery.recipient,
        "unsubscribe_url": unsubscribe,
        "preferences_url": links.absolute(reverse("feedback:preferences")),
    }
    return Mail(
        template_dir=f"feedback/email/{delivery.kind}",
        to=delivery.recipient,
        context=context,
        headers={
            "Message-ID": message_id(delivery),
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def message_id(delivery: Delivery) -> str:
    """The same on every attempt, so that a repeat after a crash is recognisably one mail."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<{delivery.key.replace(':', '.')}@{domain}>"


def _open_invitation(delivery: Delivery, now) -> dict | None:
    invitation = (
        SurveyInvitation.objects.select_related(
            "schedule__template", "schedule__program", "enrolment"
        )
        .filter(pk=delivery.object_id)
        .first()
    )
    if (
        invitation is None
        or invitation.answered
        or invitation.closes_at <= now
        or not invitation.schedule.is_active
        or invitation.enrolment.status != EnrolmentStatus.APPROVED
    ):
        return None
    return {
        "invitation": invitation,
        "template": invitation.schedule.template,
        "program": invitation.schedule.program,
        "survey_url": links.survey_url(invitation.public_id),
        "closes_at": invitation.closes_at,
        "question_count": invitation.schedule.template.questions.count(),
    }


def _session_context(session: Session, user: User) -> dict:
    pair = session.pair
    partner = pair.mentee.user if pair.mentor.user_id == user.pk else pair.mentor.user
    return {
        "session": session,
        "pair": pair,
        "partner": partner,
        "program": pair.program,
        "pair_url": links.absolute(pair.get_absolute_url()),
    }


def _load_session(delivery: Delivery) -> Session | None:
    return (
        Session.objects.select_related("pair__program", "pair__mentor__user", "pair__mentee__user")
        .filter(pk=delivery.object_id, status=Session.Status.SCHEDULED, pair__status="active")
        .first()
    )


def _session_soon(delivery: Delivery, now) -> dict | None:
    session = _load_session(delivery)
    # The key names the start it was planned for: a session moved since has a reminder of its own.
    if session is None or f":{session.starts_at:%Y%m%dT%H%M}:" not in delivery.key:
        return None
    if session.starts_at - planning.SESSION_REMINDER_MIN_NOTICE <= now:
        return None  # too late to be of use
    return _session_context(session, delivery.recipient)


def _log_nudge(delivery: Delivery, now) -> dict | None:
    session = _load_session(delivery)
    if session is None:
        return None  # logged (or cancelled) in the meantime
    context = _session_context(session, delivery.recipient)
    context["log_url"] = links.absolute(
        reverse("matching:session_log", args=[session.pair.public_id, session.pk])
    )
    return context


def _cadence_nudge(delivery: Delivery, now) -> dict | None:
    pair = (
        with_held_sessions(Pair.objects.filter(pk=delivery.object_id, status=Pair.Status.ACTIVE))
        .select_related("program", "mentor__user", "mentee__user")
        .first()
    )
    if pair is None:
        return None
    status = cadence_of(pair, pair.program, now.date())
    if status.status == cadence.ON_TRACK:
        return None  # caught up since
    partner = pair.mentee.user if pair.mentor.user_id == delivery.recipient_id else pair.mentor.user
    return {
        "pair": pair,
        "partner": partner,
        "program": pair.program,
        "cadence": status,
        "pair_url": links.absolute(pair.get_absolute_url()),
        "propose_url": links.absolute(reverse("matching:session_propose", args=[pair.public_id])),
    }


def _hr_digest(delivery: Delivery, now) -> dict | None:
    if not delivery.recipient.is_hr_admin:
        return None
    at_risk = [
        (pair, status)
        for pair, status in planning.pairs_off_cadence(now.date())
        if status.status == cadence.AT_RISK
    ]
    at_risk.sort(key=lambda item: (item[0].program.name, item[0].mentee.user.full_name))
    return {
        "at_risk": at_risk,
        "low_scores": low_scores(now),
        "active_programs": Program.objects.filter(status=ProgramStatus.ACTIVE).order_by("name"),
        "deliveries_url": links.absolute(reverse("feedback:delivery_list")),
        "failed_count": Delivery.objects.failed().count(),
    }


def low_scores(now: datetime.datetime) -> list[dict]:
    """Agreement questions whose average is under LOW_SCORE, in surveys answered in the last two
    weeks. Each figure is the one its results page shows (one schedule, every answer so far,
    over at least the program's anonymity threshold of people): a digest over other groups
    could be subtracted from the page to reveal a few people's answers."""
    since = (now - LOW_SCORE_WINDOW).date()
    answered_lately = SurveyResponse.objects.filter(
        schedule=OuterRef("response__schedule"), submitted_on__gte=since
    )
    rows = (
        Answer.objects.filter(
            question__kind=Question.Kind.LIKERT,
            number__isnull=False,
            response__schedule__program__status=ProgramStatus.ACTIVE,
        )
        .filter(Exists(answered_lately))
        .values(
            "response__schedule",
            "response__schedule__program__name",
            "response__schedule__program__anonymity_threshold",
            "question_id",
        )
        .annotate(answers=Count("response", distinct=True), average=Avg("number"))
        .filter(average__lt=LOW_SCORE)
        .order_by("response__schedule__program__name", "response__schedule", "question_id")
    )
    questions = Question.objects.in_bulk([row["question_id"] for row in rows])
    return [
        {
            "program": row["response__schedule__program__name"],
            "question": questions[row["question_id"]],
            "average": row["average"],
            "answers": row["answers"],
        }
        for row in rows
        if row["answers"] >= row["response__schedule__program__anonymity_threshold"]
    ]


BUILDERS: dict[str, Callable[[Delivery, datetime.datetime], dict | None]] = {
    Kind.SURVEY: _open_invitation,
    Kind.SURVEY_REMINDER: _open_invitation,
    Kind.SESSION_SOON: _session_soon,
    Kind.LOG_NUDGE: _log_nudge,
    Kind.CADENCE_NUDGE: _cadence_nudge,
    Kind.HR_DIGEST: _hr_digest,
}
