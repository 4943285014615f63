"""Ending a pair: either of its two people or an HR admin ends it with a reason; its planned
sessions are closed and the mentee is free to be matched again."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matching.models import Pair
from matching.scheduling import sessions_cancel_for_pair
from matching.services import _supersede_proposed_runs
from programs.models import Program

REASON_MAX_LENGTH = 1000


def _may_end(pair: Pair, by) -> bool:
    if by is None or not (by.is_authenticated and by.is_active):
        return False
    return by.is_hr_admin or by.pk in (pair.mentor.user_id, pair.mentee.user_id)


@transaction.atomic
def pair_end(*, pair: Pair, by, reason: str) -> Pair:
    """End an active pair, close its planned sessions (future ones with calendar cancellations)
    and make any proposed match run stale, since the cohort changed. HR then re-matches the mentee
    from the matching review, where they show among the mentees without a mentor."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the pair ends."))
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            _("Keep the reason under %(limit)s characters.") % {"limit": REASON_MAX_LENGTH}
        )
    # The program's row is the lock every matching change takes (see matching.services).
    program = Program.objects.select_for_update().get(pk=pair.program_id)
    pair = Pair.objects.select_related("mentor__user", "mentee__user", "program").get(pk=pair.pk)
    if not _may_end(pair, by):
        raise ValidationError(_("Only the two people of the pair or an HR admin can end it."))
    now = timezone.now()
    ended = Pair.objects.filter(pk=pair.pk, status=Pair.Status.ACTIVE).update(
        status=Pair.Status.ENDED, ended_at=now, ended_reason=reason
    )
    if ended != 1:
        raise ValidationError(_("This pair has ended already."))
    pair.status, pair.ended_at, pair.ended_reason = Pair.Status.ENDED, now, reason
    sessions_cancel_for_pair(pair)
    _supersede_proposed_runs(program)
    return pair
