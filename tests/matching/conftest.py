"""Fixtures of the matching tests."""

import pytest

from programs.models import Topic
from tests.factories import EnrolmentFactory, ProgramFactory, UserFactory


@pytest.fixture
def cohort(hr_admin):
    """A program in matching: three mentors, three mentees; one mentee manages one mentor."""
    program = ProgramFactory(status="matching", slug="cohort", topics=Topic.objects.all()[:3])
    ai, social, data = program.topics.order_by("pk")
    boss = UserFactory(email="boss@example.com", full_name="Boss Mentee", department="Sales")
    people = {
        "m_ai": EnrolmentFactory(
            program=program,
            role="mentor",
            topics=[ai],
            user=UserFactory(email="m-ai@example.com", full_name="Ana AI", department="IT"),
        ),
        "m_social": EnrolmentFactory(
            program=program,
            role="mentor",
            topics=[social],
            user=UserFactory(
                email="m-social@example.com",
                full_name="Sam Social",
                department="Marketing",
                manager=boss,
            ),
        ),
        "m_data": EnrolmentFactory(
            program=program,
            role="mentor",
            topics=[data],
            user=UserFactory(email="m-data@example.com", full_name="Dan Data", department="Data"),
        ),
        "e_social": EnrolmentFactory(program=program, role="mentee", topics=[social], user=boss),
        "e_ai": EnrolmentFactory(
            program=program,
            role="mentee",
            topics=[ai],
            user=UserFactory(email="e-ai@example.com", full_name="Eda Board", department="Board"),
        ),
        "e_data": EnrolmentFactory(
            program=program,
            role="mentee",
            topics=[data],
            user=UserFactory(
                email="e-data@example.com", full_name="Emil Finance", department="Finance"
            ),
        ),
    }
    return program, people
