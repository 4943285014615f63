"""A person's own data, as one JSON-ready dict for the "Download my data" page: their account,
enrolments, pairs (the partner by name only), sessions, the pair's notes, action items, named
survey answers, mail preferences and the company sign-in linked to the account (with what its
identity provider said of them). Nothing of anyone else beyond the partner's name."""

import datetime

from allauth.socialaccount.models import SocialAccount
from django.db.models import Q
from django.utils.translation import gettext, gettext_noop

from feedback.models import Answer, MailPreferences
from matching.models import ActionItem, Pair, Session
from mentorship.accounts.models import User
from programs.models import Enrolment

ANONYMOUS_ANSWERS_NOTE = gettext_noop(
    "Answers to anonymous surveys are stored without any link to the person who gave them, "
    "so they cannot be found for you and are not included."
)


def _utc(moment: datetime.datetime | None) -> str | None:
    return moment.astimezone(datetime.UTC).isoformat() if moment is not None else None


def _day(day: datetime.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def personal_data_export(*, user: User) -> dict:
    """Everything the site holds about `user` that is theirs to read."""
    enrolments = (
        Enrolment.objects.filter(user=user)
        .select_related("program")
        .prefetch_related("teach_topics__topic", "learn_topics__topic")
        .order_by("program__start_date", "pk")
    )
    pairs = (
        Pair.objects.filter(Q(mentor__user=user) | Q(mentee__user=user))
        .select_related("program", "mentor__user", "mentee__user")
        .order_by("started_at", "pk")
    )
    sessions = (
        Session.objects.filter(Q(pair__mentor__user=user) | Q(pair__mentee__user=user))
        .select_related("log")
        .prefetch_related("log__topics_covered")
        .order_by("starts_at", "pk")
    )
    items = (
        ActionItem.objects.filter(Q(pair__mentor__user=user) | Q(pair__mentee__user=user))
        .select_related("owner")
        .order_by("created_at", "pk")
    )
    # Only answers tied to an invitation of theirs: anonymous responses have no invitation.
    answers = (
        Answer.objects.filter(response__invitation__enrolment__user=user)
        .select_related(
            "question", "topic", "response__schedule__template", "response__schedule__program"
        )
        .order_by("response__submitted_on", "question__position", "topic__name")
    )
    preferences = MailPreferences.objects.filter(user=user).first() or MailPreferences(user=user)
    sign_in_links = SocialAccount.objects.filter(user=user).order_by("date_joined", "pk")

    sessions_by_pair: dict[int, list[dict]] = {}
    for session in sessions:
        sessions_by_pair.setdefault(session.pair_id, []).append(_session(session))
    items_by_pair: dict[int, list[dict]] = {}
    for item in items:
        items_by_pair.setdefault(item.pair_id, []).append(
            {
                "text": item.text,
                "owner": "me" if item.owner.user_id == user.pk else "partner",
                "due_on": _day(item.due_on),
                "done_at": _utc(item.done_at),
            }
        )

    return {
        "exported_at": _utc(datetime.datetime.now(datetime.UTC)),
        "account": {
            "full_name": user.full_name,
            "email": user.email,
            "preferred_language": user.preferred_language,
            "time_zone": user.time_zone,
            "department": user.department,
            "job_title": user.job_title,
            "date_joined": _utc(user.date_joined),
        },
        "enrolments": [_enrolment(enrolment) for enrolment in enrolments],
        "pairs": [
            {
                "program": pair.program.name,
                "my_role": "mentor" if pair.mentor.user_id == user.pk else "mentee",
                "partner": (
                    pair.mentee.user if pair.mentor.user_id == user.pk else pair.mentor.user
                ).full_name,
                "status": pair.status,
                "started_at": _utc(pair.started_at),
                "ended_at": _utc(pair.ended_at),
                "sessions": sessions_by_pair.get(pair.pk, []),
                "action_items": items_by_pair.get(pair.pk, []),
            }
            for pair in pairs
        ],
        "survey_answers": [
            {
                "survey": answer.response.schedule.template.name,
                "program": answer.response.schedule.program.name,
                "submitted_on": _day(answer.response.submitted_on),
                "question": answer.question.text,
                "topic": answer.topic.name if answer.topic else None,
                "number": answer.number,
                "text": answer.text,
            }
            for answer in answers
        ],
        "survey_answers_note": gettext(ANONYMOUS_ANSWERS_NOTE),
        "company_sign_in": [
            {
                "provider": link.provider,
                "identifier": link.uid,
                "linked_at": _utc(link.date_joined),
                "last_sign_in": _utc(link.last_login),
                "what_it_said": link.extra_data,
            }
            for link in sign_in_links
        ],
        "mail_preferences": {
            field: getattr(preferences, field)
            for field in (
                "survey_invitations",
                "survey_reminders",
                "session_reminders",
                "log_reminders",
                "cadence_reminders",
                "hr_digest",
            )
        },
    }


def _enrolment(enrolment: Enrolment) -> dict:
    return {
        "program": enrolment.program.name,
        "role": enrolment.role,
        "status": enrolment.status,
        "languages": enrolment.languages,
        "time_zone": enrolment.time_zone,
        "goals": enrolment.goals,
        "guidelines_acknowledged_at": _utc(enrolment.guidelines_acknowledged_at),
        "teach_topics": [
            {"topic": topic.topic.name, "level": topic.level}
            for topic in enrolment.teach_topics.all()
        ],
        "learn_topics": [
            {
                "topic": topic.topic.name,
                "priority": topic.priority,
                "confidence_start": topic.confidence_start,
                "confidence_end": topic.confidence_end,
            }
            for topic in enrolment.learn_topics.all()
        ],
    }


def _session(session: Session) -> dict:
    data = {
        "starts_at": _utc(session.starts_at),
        "duration_minutes": session.duration_minutes,
        "status": session.status,
        "location": session.location,
        "log": None,
    }
    log = getattr(session, "log", None)
    if log is not None:
        data["log"] = {
            "outcome": log.outcome,
            "held_on": _utc(log.held_on),
            "actual_minutes": log.actual_minutes,
            "topics_covered": [topic.name for topic in log.topics_covered.all()],
            "takeaways": log.takeaways or "",
            "private_notes": log.private_notes or "",
        }
    return data
