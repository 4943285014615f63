"""Loads programs and enrolments for a request, applying the permission check and the query
shape at once. Views use these and nothing else to fetch what a URL names."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from mentorship.permissions import can_run_programs
from programs.models import Enrolment, Program


def get_program_for_hr(user, slug: str) -> Program:
    """A program an HR admin runs (HR admins run every program)."""
    if not can_run_programs(user):
        raise PermissionDenied
    return get_object_or_404(Program, slug=slug)


def get_enrolment_for_hr(user, slug: str, public_id) -> Enrolment:
    """A participant of the named program: an id from another program is 404."""
    program = get_program_for_hr(user, slug)
    return get_object_or_404(
        Enrolment.objects.select_related("user", "user__manager", "program"),
        program=program,
        public_id=public_id,
    )


def get_own_enrolment(user, slug: str) -> Enrolment:
    """The signed-in person's own enrolment in a program (404 for anyone not enrolled)."""
    return get_object_or_404(
        Enrolment.objects.select_related("program", "user"), program__slug=slug, user=user
    )
