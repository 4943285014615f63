"""Rate limits beyond allauth's sign-in ones (django-ratelimit): the links mailed to people
(invitations, surveys, unsubscribe), which anyone holding a link can call signed out, and the
pages that send mail on HR's behalf.

The counters live in the default cache: Redis in production, so every web process counts
together. The laptop's file cache counts without an atomic increment, close enough for one
person's `make run`. Rates are read from settings on every request (`RATE_LIMITS`), so an
operator can change them from the environment.
"""

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.decorators import ratelimit

# Signed links: a person opens theirs a few times; a script guessing or replaying many is stopped.
SIGNED_LINK = "signed_link"
# Mail sent by an HR admin's click (bulk invitations, a new invitation for one person).
SENDING_MAIL = "sending_mail"


def client_ip(request) -> str:
    """The client's address. Behind TRUSTED_PROXY_COUNT proxies, each appends the address it
    saw to X-Forwarded-For: the client is that many entries from the end, and what it wrote
    itself before them is ignored (it could forge anything there). The same count as allauth's
    sign-in limits, so both limit the same client."""
    proxies = settings.ALLAUTH_TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META["REMOTE_ADDR"]


def _rate(name: str):
    def rate(group, request) -> str:
        return settings.RATE_LIMITS[name]

    return rate


def signed_link_limited(view):
    """Every request (GET too: opening a link checks its token) counts per client address."""
    return ratelimit(group=SIGNED_LINK, key="ip", rate=_rate(SIGNED_LINK), block=True)(view)


def sending_mail_limited(view):
    """Each POST counts per signed-in user: a slip (or a stolen session) cannot flood inboxes."""
    return ratelimit(
        group=SENDING_MAIL, key="user", rate=_rate(SENDING_MAIL), method="POST", block=True
    )(view)


def too_many_requests(request, exception):
    """RATELIMIT_VIEW: a page in the reader's language saying to wait, with status 429."""
    return render(request, "429.html", status=429)
