"""Rate limits beyond allauth's sign-in ones (django-ratelimit): the links mailed to people
(invitations, surveys, unsubscribe), which anyone holding a link can call signed out, and the
pages that send mail on HR's behalf.

A whole company often reaches the site from one address (its NAT, or a mail provider's link
checker), and a survey mailed to a cohort is opened by many at once: so the links count two
things per client address. Links that were never valid have a low limit, which stops guessing;
every request has a high one, which stops a flood. An expired, used or closed link (410) or
somebody else's (403) was issued by us and is not a guess: people click old mails.

The counters live in the default cache: Redis in production, so every web process counts
together. The laptop's file cache counts without an atomic increment, close enough for one
person's `make run`. Rates are read from settings on every request (`RATE_LIMITS`), so an
operator can change them from the environment.
"""

from functools import wraps

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from mentorship.security_log import client_ip

# Every request to a mailed link, per client address.
SIGNED_LINK = "signed_link"
# Mailed links that were never valid: the link views answer them 400 or 404, and nothing else.
REFUSED_LINK = "refused_link"
NEVER_VALID = {400, 404}
# Mail sent by an HR admin's click (bulk invitations, a new invitation for one person).
SENDING_MAIL = "sending_mail"


def ratelimit_ip(request) -> str:
    """RATELIMIT_IP_META_KEY: the address the security log names (an unknown one counts as
    one client)."""
    return client_ip(request) or "0.0.0.0"  # noqa: S104 - a counter's key, not a bind address


def _rate(name: str):
    def rate(group, request) -> str:
        return settings.RATE_LIMITS[name]

    return rate


def _refused_too_often(request, *, count: bool) -> bool:
    return is_ratelimited(
        request, group=REFUSED_LINK, key="ip", rate=_rate(REFUSED_LINK), increment=count
    )


def signed_link_limited(view):
    """Every request (GET too: opening a link checks its token) counts per client address,
    and a client whose links were refused too often is refused every link for a while."""

    @wraps(view)
    def counted(request, *args, **kwargs):
        if _refused_too_often(request, count=False):
            raise Ratelimited
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            _refused_too_often(request, count=True)
            raise
        if response.status_code in NEVER_VALID:
            _refused_too_often(request, count=True)
        return response

    return ratelimit(group=SIGNED_LINK, key="ip", rate=_rate(SIGNED_LINK), block=True)(counted)


def sending_mail_limited(view):
    """Each POST counts per signed-in user: a slip (or a stolen session) cannot flood inboxes."""
    return ratelimit(
        group=SENDING_MAIL, key="user", rate=_rate(SENDING_MAIL), method="POST", block=True
    )(view)


def too_many_requests(request, exception):
    """RATELIMIT_VIEW: a page in the reader's language saying to wait, with status 429."""
    response = render(request, "429.html", status=429)
    response["Retry-After"] = "60"  # a hint: the shortest period any limit here counts over
    add_never_cache_headers(response)
    return response
