"""The program lifecycle as plain rules: which moves exist and why one is refused.

draft -> enrolment -> matching -> active -> completed -> archived, with a few ways back
(enrolment -> draft while nobody is enrolled, matching -> enrolment to reopen) and a draft that
can be archived unused. No ORM here: the caller gathers the facts.
"""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

DRAFT, ENROLMENT, MATCHING, ACTIVE, COMPLETED, ARCHIVED = (
    "draft",
    "enrolment",
    "matching",
    "active",
    "completed",
    "archived",
)

NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    DRAFT: (ENROLMENT, ARCHIVED),
    ENROLMENT: (MATCHING, DRAFT),
    MATCHING: (ACTIVE, ENROLMENT),
    ACTIVE: (COMPLETED,),
    COMPLETED: (ARCHIVED,),
    ARCHIVED: (),
}


# Status names as people read them (the same words as ProgramStatus's labels).
STATUS_LABELS = {
    DRAFT: gettext_lazy("Draft"),
    ENROLMENT: gettext_lazy("Enrolment"),
    MATCHING: gettext_lazy("Matching"),
    ACTIVE: gettext_lazy("Active"),
    COMPLETED: gettext_lazy("Completed"),
    ARCHIVED: gettext_lazy("Archived"),
}

# The usual way forward; the other moves are corrections and are shown less prominently.
FORWARD: dict[str, str] = {
    DRAFT: ENROLMENT,
    ENROLMENT: MATCHING,
    MATCHING: ACTIVE,
    ACTIVE: COMPLETED,
    COMPLETED: ARCHIVED,
}


@dataclass(frozen=True)
class ProgramFacts:
    status: str
    start_date: date
    end_date: date
    enrolment_deadline: date | None
    topics_offered: int
    enrolments: int
    approved_mentors: int
    approved_mentees: int
    incomplete_profiles: int
    unmatched_mentees: int


def refusal_reasons(facts: ProgramFacts, target: str) -> list[str]:
    """Why the program cannot move to `target` now; an empty list means it can."""
    if target not in NEXT_STATUSES.get(facts.status, ()):
        return [
            _("cannot go from %(current)s to %(target)s")
            % {
                "current": STATUS_LABELS.get(facts.status, facts.status),
                "target": STATUS_LABELS.get(target, target),
            }
        ]
    reasons: list[str] = []
    if target == ENROLMENT and facts.status == DRAFT:
        if facts.topics_offered == 0:
            reasons.append(_("cannot open enrolment: the program offers no topic"))
        if facts.end_date <= facts.start_date:
            reasons.append(_("cannot open enrolment: the end date is not after the start date"))
        if facts.enrolment_deadline and facts.enrolment_deadline > facts.start_date:
            reasons.append(_("cannot open enrolment: the enrolment deadline is after the start"))
    elif target == DRAFT:
        if facts.enrolments:
            reasons.append(
                ngettext(
                    "cannot go back to draft: %(count)d person is already enrolled",
                    "cannot go back to draft: %(count)d people are already enrolled",
                    facts.enrolments,
                )
                % {"count": facts.enrolments}
            )
    elif target == MATCHING:
        if facts.approved_mentors == 0:
            reasons.append(_("cannot start matching: no approved mentor"))
        if facts.approved_mentees == 0:
            reasons.append(_("cannot start matching: no approved mentee"))
        if facts.incomplete_profiles:
            reasons.append(
                ngettext(
                    "cannot start matching: %(count)d approved profile is incomplete",
                    "cannot start matching: %(count)d approved profiles are incomplete",
                    facts.incomplete_profiles,
                )
                % {"count": facts.incomplete_profiles}
            )
    elif target == ACTIVE:
        if facts.unmatched_mentees:
            reasons.append(
                ngettext(
                    "cannot start: %(count)d mentee unmatched",
                    "cannot start: %(count)d mentees unmatched",
                    facts.unmatched_mentees,
                )
                % {"count": facts.unmatched_mentees}
            )
        if facts.approved_mentees == 0:
            reasons.append(_("cannot start: no approved mentee"))
    return reasons
