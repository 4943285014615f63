"""Per-request handling of a signed-in person: their own language and time zone, private pages
kept out of caches, signing out after a spell without activity, and two-factor authentication
for HR admins and executives."""

import time
import zoneinfo

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext

LAST_SEEN = "last_seen"
STAMP_EVERY_SECONDS = 60


def is_privileged(user) -> bool:
    """Sees everyone's data: HR admins, executives, and the back office (staff, superusers)."""
    return user.is_hr_admin or user.is_executive or user.is_staff or user.is_superuser


def mark_signed_in(request) -> None:
    """Starts the idle clock of a new session."""
    request.session[LAST_SEEN] = time.time()


class UserPreferencesMiddleware:
    """Runs after authentication: the account's language wins over the browser's and the
    cookie's, so that a person reads the same language on every device."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class PrivatePagesMiddleware:
    """Nothing shown to a signed-in person is kept by a browser or a proxy: a page of private
    notes or figures must not come back from a shared computer's cache or history."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class IdleTimeoutMiddleware:
    """Signs a person out after a spell without any request: IDLE_TIMEOUT_PRIVILEGED_SECONDS
    for HR admins and executives (who see everyone's data), IDLE_TIMEOUT_SECONDS for others.
    The last activity is stamped at sign-in (mark_signed_in) and then at most once a minute,
    not on every request: a session write per page would cost a query each time."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN)
            privileged = is_privileged(user)
            limit = (
                settings.IDLE_TIMEOUT_PRIVILEGED_SECONDS
                if privileged
                else settings.IDLE_TIMEOUT_SECONDS
            )
            if last_seen is not None and now - last_seen > limit:
                logout(request)
                messages.info(
                    request,
                    gettext("You were signed out after %(minutes)d minutes without activity.")
                    % {"minutes": limit // 60},
                )
                return redirect_to_login(request.get_full_path())
            if last_seen is None or now - last_seen > STAMP_EVERY_SECONDS:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


class MFARequiredMiddleware:
    """HR admins and executives see everyone's data: until they have set up two-factor
    authentication (TOTP), every page sends them to set it up (MFA_REQUIRED_FOR_PRIVILEGED;
    off by default only in DEBUG, so that the demo's accounts sign in with a password)."""

    # What someone without a second factor still needs: setting one up (with the password
    # asked again), signing out, the language switch, and health and static files.
    OPEN_PREFIXES = ("/accounts/2fa/", "/accounts/reauthenticate/", "/accounts/logout/")
    OPEN_NAMES = {"set_language", "healthz"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.MFA_REQUIRED_FOR_PRIVILEGED
            and user is not None
            and user.is_authenticated
            and is_privileged(user)
            and not self._open(request.path_info)
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            messages.warning(
                request,
                gettext(
                    "Your role needs two-factor authentication: set up an authenticator app "
                    "to continue."
                ),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    def _open(self, path: str) -> bool:
        if path.startswith(self.OPEN_PREFIXES) or path.startswith(settings.STATIC_URL):
            return True
        try:
            return resolve(path).url_name in self.OPEN_NAMES
        except Resolver404:
            return False
