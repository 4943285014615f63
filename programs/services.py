"""Work on programs and enrolments that crosses models or has side effects.

Invitations and CSV imports have modules of their own (invitations.py, importing.py).
"""

from collections.abc import Callable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorship.audit.services import audit_record
from programs import lifecycle
from programs.models import (
    Enrolment,
    EnrolmentStatus,
    LearnTopic,
    Program,
    ProgramStatus,
    Role,
    TeachTopic,
    Topic,
    profile_complete_condition,
)

# Matching depends on programs, not the other way round: it registers how to count the approved
# mentees who have no pair yet. Until it does, every approved mentee counts as unmatched.
_unmatched_mentees_counter: Callable[[Program], int] | None = None


def register_unmatched_mentees_counter(counter: Callable[[Program], int]) -> None:
    global _unmatched_mentees_counter
    _unmatched_mentees_counter = counter


# Others react to a withdrawal inside the same transaction (matching ends the person's pairs).
_withdrawal_listeners: list[Callable[[Enrolment], object]] = []


def register_withdrawal_listener(listener: Callable[[Enrolment], object]) -> None:
    if listener not in _withdrawal_listeners:
        _withdrawal_listeners.append(listener)


class TransitionRefused(Exception):
    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def program_facts(program: Program) -> lifecycle.ProgramFacts:
    """What the lifecycle rules need to know, counted in the database (two queries)."""
    approved = Q(status=EnrolmentStatus.APPROVED)
    counts = Enrolment.objects.filter(program=program).aggregate(
        enrolments=Count("pk", filter=Q(status__in=WITHDRAWABLE)),
        approved_mentors=Count("pk", filter=approved & Q(role=Role.MENTOR)),
        approved_mentees=Count("pk", filter=approved & Q(role=Role.MENTEE)),
        incomplete_profiles=Count("pk", filter=approved & ~profile_complete_condition()),
    )
    return lifecycle.ProgramFacts(
        status=program.status,
        start_date=program.start_date,
        end_date=program.end_date,
        enrolment_deadline=program.enrolment_deadline,
        topics_offered=program.topics.count(),
        unmatched_mentees=(
            _unmatched_mentees_counter(program)
            if _unmatched_mentees_counter
            else counts["approved_mentees"]
        ),
        **counts,
    )


@transaction.atomic
def program_transition(*, program: Program, target: str, by=None) -> Program:
    """Move a program to another status, or raise TransitionRefused with the reasons. `by`
    is who asked (None when the system moves it on)."""
    program = Program.objects.select_for_update().get(pk=program.pk)
    reasons = lifecycle.refusal_reasons(program_facts(program), target)
    if reasons:
        raise TransitionRefused(reasons)
    before = program.status
    program.status = target
    program.save(update_fields=["status", "updated_at"])
    audit_record(actor=by, action="changed", target=program, status=f"{before} → {target}")
    return program


@transaction.atomic
def program_create(*, created_by, topics=(), **fields) -> Program:
    program = Program(created_by=created_by, status=ProgramStatus.DRAFT, **fields)
    program.full_clean()
    program.save()
    program.topics.set(topics)
    audit_record(actor=created_by, action="created", target=program)
    return program


@transaction.atomic
def program_duplicate(
    *,
    program: Program,
    created_by,
    name: str,
    slug: str,
    start_date: date,
    end_date: date,
    enrolment_deadline: date | None = None,
) -> Program:
    """Start the next cohort: the same settings and topics, new dates, nobody enrolled yet."""
    copy = Program(
        name=name,
        slug=slug,
        objectives=program.objectives,
        start_date=start_date,
        end_date=end_date,
        enrolment_deadline=enrolment_deadline,
        cadence_weeks=program.cadence_weeks,
        session_minutes=program.session_minutes,
        mentor_capacity=program.mentor_capacity,
        anonymity_threshold=program.anonymity_threshold,
        allow_applications=program.allow_applications,
        notes_retention_months=program.notes_retention_months,
        created_by=created_by,
    )
    copy.full_clean()
    copy.save()
    copy.topics.set(program.topics.all())
    audit_record(actor=created_by, action="created", target=copy, copied_from=program.slug)
    return copy


@transaction.atomic
def enrolment_apply(*, program: Program, user, role: str, goals: str = "") -> Enrolment:
    """A person asks to join an open program; HR approves or declines. Someone who withdrew
    may apply again, in either role."""
    if not program.is_open_for_applications:
        raise ValidationError(_("This program does not take applications now."))
    goals = goals.strip()
    enrolment, created = Enrolment.objects.select_for_update().get_or_create(
        program=program,
        user=user,
        defaults={
            "role": role,
            "status": EnrolmentStatus.APPLIED,
            "applied_at": timezone.now(),
            "time_zone": user.time_zone,
            "goals": goals,
        },
    )
    if not created:
        if enrolment.status != EnrolmentStatus.WITHDRAWN:
            raise ValidationError(_("You are already part of this program."))
        if enrolment.role != role:
            # Topics to teach mean nothing to a mentee, and the other way round.
            enrolment.teach_topics.all().delete()
            enrolment.learn_topics.all().delete()
        enrolment.role = role
        enrolment.status = EnrolmentStatus.APPLIED
        enrolment.applied_at = timezone.now()
        enrolment.decided_at = None
        enrolment.goals = goals or enrolment.goals
        enrolment.save(
            update_fields=["role", "status", "applied_at", "decided_at", "goals", "updated_at"]
        )
    return enrolment


@transaction.atomic
def enrolment_decide(*, enrolment: Enrolment, approve: bool, by=None) -> Enrolment:
    """HR approves or declines an application. Only a pending application can be decided, and
    two HR admins clicking at once decide it once."""
    new_status = EnrolmentStatus.APPROVED if approve else EnrolmentStatus.DECLINED
    updated = Enrolment.objects.filter(pk=enrolment.pk, status=EnrolmentStatus.APPLIED).update(
        status=new_status, decided_at=timezone.now(), updated_at=timezone.now()
    )
    if updated != 1:
        raise ValidationError(_("This application has already been decided."))
    enrolment.refresh_from_db()
    audit_record(
        actor=by,
        action="approved" if approve else "declined",
        target=enrolment,
        label=f"{enrolment.program.slug}: {enrolment.role}",
    )
    return enrolment


# Who can withdraw: a declined person never joined, so "withdrawn" would let them apply again.
WITHDRAWABLE = (EnrolmentStatus.INVITED, EnrolmentStatus.APPLIED, EnrolmentStatus.APPROVED)


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment) -> Enrolment:
    updated = Enrolment.objects.filter(pk=enrolment.pk, status__in=WITHDRAWABLE).update(
        status=EnrolmentStatus.WITHDRAWN, decided_at=timezone.now(), updated_at=timezone.now()
    )
    if updated != 1:
        raise ValidationError(_("Only someone invited, applying or taking part can withdraw."))
    enrolment.refresh_from_db()
    for listener in _withdrawal_listeners:
        listener(enrolment)
    return enrolment


@transaction.atomic
def enrolment_acknowledge_guidelines(*, enrolment: Enrolment) -> Enrolment:
    if enrolment.guidelines_acknowledged_at is None:
        enrolment.guidelines_acknowledged_at = timezone.now()
        enrolment.save(update_fields=["guidelines_acknowledged_at", "updated_at"])
    return enrolment


@transaction.atomic
def enrolment_update_profile(
    *,
    enrolment: Enrolment,
    languages: list[str],
    time_zone: str,
    goals: str,
    topics: dict[Topic, dict[str, int | None]],
) -> Enrolment:
    """Save the profile and replace the topic list in one go.

    `topics` maps each chosen topic to its numbers: {"level": 1-3} for a mentor,
    {"priority": 1-3, "confidence_start": 1-5} for a mentee.
    """
    offered = set(enrolment.program.topics.values_list("pk", flat=True))
    foreign = [topic.label for topic in topics if topic.pk not in offered]
    if foreign:
        raise ValidationError(
            _("This program does not offer: %(topics)s") % {"topics": ", ".join(foreign)}
        )
    enrolment.languages = languages
    enrolment.time_zone = time_zone
    enrolment.goals = goals.strip()
    enrolment.full_clean(exclude=["user", "program"])
    enrolment.save(update_fields=["languages", "time_zone", "goals", "updated_at"])
    if enrolment.role == Role.MENTOR:
        enrolment.teach_topics.all().delete()
        TeachTopic.objects.bulk_create(
            TeachTopic(enrolment=enrolment, topic=topic, level=numbers.get("level") or 2)
            for topic, numbers in topics.items()
        )
    else:
        previous_end = dict(enrolment.learn_topics.values_list("topic_id", "confidence_end"))
        enrolment.learn_topics.all().delete()
        LearnTopic.objects.bulk_create(
            LearnTopic(
                enrolment=enrolment,
                topic=topic,
                priority=numbers.get("priority") or 2,
                confidence_start=numbers.get("confidence_start"),
                confidence_end=previous_end.get(topic.pk),
            )
            for topic, numbers in topics.items()
        )
    return enrolment
