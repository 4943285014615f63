"""Loads a pair (and its sessions) for a request, applying the permission check and the query
shape at once. A pair belongs to its two people: anyone else, HR included, gets a 404, so that
guessing an id reveals nothing. URLs name a pair by its public_id (a UUID); a session is looked
up only inside the pair the URL names."""

import uuid

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from matching.models import Pair, Session


def pairs_of(user):
    """The pairs a person is part of, as mentor or mentee (active or ended)."""
    return Pair.objects.filter(Q(mentor__user=user) | Q(mentee__user=user))


def get_pair_for_member(user, public_id: uuid.UUID) -> Pair:
    if not (user.is_authenticated and user.is_active):
        raise Http404  # login_required runs first; this is the belt to its braces
    return get_object_or_404(
        pairs_of(user).select_related("program", "mentor__user", "mentee__user"),
        public_id=public_id,
    )


def get_session_for_member(user, pair_public_id: uuid.UUID, session_pk: int) -> Session:
    """A session of one of the person's pairs; a session of another pair is 404."""
    pair = get_pair_for_member(user, pair_public_id)
    return get_object_or_404(Session.objects.select_related("pair"), pair=pair, pk=session_pk)
