"""Fixtures of the feedback tests: an active program with one pair, and a pair of another
program, on top of the suite's cast (tests/conftest.py)."""

import pytest

from matching.models import Pair
from programs.models import Enrolment
from tests.factories import EnrolmentFactory, UserFactory


@pytest.fixture
def pair(program, mentor, mentee):
    """The pair of `mentor` and `mentee` in `program`, which is made active."""
    program.status = "active"
    program.save()
    return Pair.objects.create(
        program=program,
        mentor=Enrolment.objects.get(user=mentor, program=program),
        mentee=Enrolment.objects.get(user=mentee, program=program),
    )


@pytest.fixture
def other_pair(other_participant):
    """`other_participant` (a mentee of another program) and their mentor."""
    mentee = Enrolment.objects.get(user=other_participant)
    mentee.program.status = "active"
    mentee.program.save()
    mentor = EnrolmentFactory(
        program=mentee.program, role="mentor", user=UserFactory(email="om@example.com")
    )
    return Pair.objects.create(program=mentee.program, mentor=mentor, mentee=mentee)


@pytest.fixture
def people(hr_admin, executive, mentor, mentee, other_participant, other_pair):
    """Every role of the privacy tests, by name (None is the anonymous visitor)."""
    return {
        "anonymous": None,
        "mentor": mentor,
        "mentee": mentee,
        "other_mentee": other_participant,
        "other_mentor": other_pair.mentor.user,
        "executive": executive,
        "hr_admin": hr_admin,
    }
