"""Reads a program's cohort from the database into the plain structures the optimiser takes.

Few queries whatever the cohort's size: enrolments with their people, all topic rows, the org
chart as (user, manager) pairs, HR's pins and exclusions, and the active pairs.
"""

import datetime
import zoneinfo
from dataclasses import dataclass
from functools import cache

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from matching.models import Pair, PairRule
from matching.scoring import MenteeProfile, MentorProfile, Person
from programs.models import Enrolment, EnrolmentStatus, LearnTopic, Program, Role, TeachTopic


@dataclass(frozen=True)
class LoadedCohort:
    mentors: list[MentorProfile]
    mentees: list[MenteeProfile]
    managers: dict[int, int | None]
    excluded: set[tuple[int, int]]
    pinned: set[tuple[int, int]]
    enrolments: dict[int, Enrolment]


@cache
def utc_offset_hours(zone: str, on: datetime.date) -> float:
    """The zone's offset on the program's first day at noon (summer time included). A name
    that is no zone (profiles validate it; the back office might not) counts as UTC rather
    than stopping the whole cohort's run."""
    try:
        moment = datetime.datetime.combine(on, datetime.time(12), zoneinfo.ZoneInfo(zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return 0.0
    return moment.utcoffset().total_seconds() / 3600


def person_from_enrolment(enrolment: Enrolment, program: Program) -> Person:
    """A participant as matching sees them (the enrolment's user must be loaded)."""
    return Person(
        id=enrolment.pk,
        email=enrolment.user.email,
        languages=tuple(enrolment.languages),
        utc_offset_hours=utc_offset_hours(
            enrolment.time_zone or enrolment.user.time_zone, program.start_date
        ),
        department=enrolment.user.department,
        manager_id=enrolment.user.manager_id,
        user_id=enrolment.user_id,
    )


def load_cohort(program: Program) -> LoadedCohort:
    """Approved mentors with room left and approved mentees without an active pair.

    A mentor's room is the program's capacity less their active pairs, so the same loading
    serves the first matching and re-matching later on.
    """
    active = Q(pairs_as_mentor__status=Pair.Status.ACTIVE)
    enrolments = list(
        Enrolment.objects.filter(program=program, status=EnrolmentStatus.APPROVED)
        .select_related("user")
        # distinct: the two counts join two relations, which would multiply each other.
        .annotate(active_as_mentor=Count("pairs_as_mentor", filter=active, distinct=True))
        .annotate(
            paired_as_mentee=Count(
                "pairs_as_mentee",
                filter=Q(pairs_as_mentee__status=Pair.Status.ACTIVE),
                distinct=True,
            )
        )
        .order_by("pk")
    )
    teach: dict[int, dict[int, int]] = {}
    for enrolment_id, topic_id, level in TeachTopic.objects.filter(
        enrolment__program=program
    ).values_list("enrolment_id", "topic_id", "level"):
        teach.setdefault(enrolment_id, {})[topic_id] = level
    learn: dict[int, dict[int, int]] = {}
    for enrolment_id, topic_id, priority in LearnTopic.objects.filter(
        enrolment__program=program
    ).values_list("enrolment_id", "topic_id", "priority"):
        learn.setdefault(enrolment_id, {})[topic_id] = priority

    def person(enrolment: Enrolment) -> Person:
        return person_from_enrolment(enrolment, program)

    mentors = [
        MentorProfile(
            person=person(enrolment),
            capacity=max(0, program.mentor_capacity - enrolment.active_as_mentor),
            topics=teach.get(enrolment.pk, {}),
        )
        for enrolment in enrolments
        if enrolment.role == Role.MENTOR
    ]
    mentees = [
        MenteeProfile(person=person(enrolment), topics=learn.get(enrolment.pk, {}))
        for enrolment in enrolments
        if enrolment.role == Role.MENTEE and not enrolment.paired_as_mentee
    ]
    rules = PairRule.objects.filter(program=program).values_list("kind", "mentor_id", "mentee_id")
    managers = dict(get_user_model().objects.values_list("pk", "manager_id"))
    return LoadedCohort(
        mentors=mentors,
        mentees=mentees,
        managers=managers,
        excluded={(mentor, mentee) for kind, mentor, mentee in rules if kind == "exclude"},
        pinned={(mentor, mentee) for kind, mentor, mentee in rules if kind == "pin"},
        enrolments={enrolment.pk: enrolment for enrolment in enrolments},
    )
