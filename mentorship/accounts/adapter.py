"""How allauth behaves here: accounts are created by HR (and, later, by invitations), not by
public sign-up; its messages speak the signed-in person's language; single sign-on only signs
in an account that HR made."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext

from mentorship.security_log import client_address, login_digest, security_log


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # An HR tool holds private conversations: strangers may not create accounts.
        return False

    def add_message(self, request: HttpRequest, *args, **kwargs) -> None:
        # "Signed in as ..." is written while the request still runs in the language of the
        # anonymous visitor; the person who reads it has a language of their own.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            with translation.override(user.preferred_language):
                return super().add_message(request, *args, **kwargs)
        return super().add_message(request, *args, **kwargs)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # Password resets and verification mails go out in the recipient's language, not in
        # the language of whoever (or whatever page) triggered them.
        user = context.get("user") or get_user_model().objects.filter(email__iexact=email).first()
        language = getattr(user, "preferred_language", None) or translation.get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, context)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on (see sso.py) signs in an existing, active account whose address the
    identity provider confirms, and links the two on first use; it never creates an account.

    allauth has already looked the person up when `pre_social_login` runs: by an identity
    linked before, else by a confirmed address (SOCIALACCOUNT_EMAIL_AUTHENTICATION).
    """

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        if sociallogin.state.get("process") == AuthProcess.CONNECT:
            # Linking happens by address at sign-in; a signed-in person may not attach an
            # identity of another address to their account.
            self._refuse(
                request,
                sociallogin,
                "connect",
                gettext(
                    "Your company account is linked the first time you sign in with it; "
                    "there is nothing to connect by hand."
                ),
            )
        if not sociallogin.account.pk and _denies_its_address(sociallogin):
            # A first link goes by address: one the IdP itself says it has not confirmed may
            # have been typed in by its user (self-service profiles), whatever its domain.
            self._refuse(
                request,
                sociallogin,
                "unconfirmed",
                gettext(
                    "Your company account did not confirm its email address (%(email)s), so it "
                    "cannot sign you in here. Ask your HR team."
                )
                % {"email": sociallogin.email_addresses[0].email},
            )
        user = sociallogin.user if sociallogin.is_existing else None
        if user is None or not user.is_active:
            # An inactive account must be refused here, before allauth links the identity.
            self._refuse_unknown(request, sociallogin, "inactive" if user else "unknown")
        if not sociallogin.account.pk:
            # First use: the IdP vouches for the address, as a password-reset link would (see
            # receivers.py); an HR-made account that never chose a password passes allauth's
            # mandatory verification this way.
            confirmed = {a.email.lower() for a in sociallogin.email_addresses if a.verified}
            EmailAddress.objects.filter(user=user, email__in=confirmed, verified=False).update(
                verified=True
            )

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        # A refused token, a wrong signature, a cancelled or replayed login: logged, and the
        # person goes back to the sign-in page instead of allauth's bare error page.
        security_log.warning(
            "failed single sign-on: %s %s (%s) from %s",
            provider.id,
            error,
            type(exception).__name__ if exception else "-",
            client_address(request),
        )
        messages.error(
            request, gettext("Signing in with your company account did not work. Try again.")
        )
        raise ImmediateHttpResponse(redirect("account_login"))

    def _refuse_unknown(self, request, sociallogin: SocialLogin, reason: str) -> None:
        addresses = sociallogin.email_addresses
        confirmed = [a.email for a in addresses if a.verified]
        if confirmed:
            message = gettext(
                "No active account here belongs to %(email)s, the address of your company "
                "account. Accounts are created by your HR team: ask them for one."
            ) % {"email": confirmed[0]}
        elif addresses:
            message = gettext(
                "Your company account did not confirm its email address (%(email)s), so it "
                "cannot sign you in here. Ask your HR team."
            ) % {"email": addresses[0].email}
        else:
            message = gettext(
                "Your company account did not give an email address, so it cannot sign you "
                "in here. Ask your HR team."
            )
        self._refuse(request, sociallogin, reason, message)

    def _refuse(self, request, sociallogin: SocialLogin, reason: str, message: str) -> None:
        emails = [a.email for a in sociallogin.email_addresses]
        security_log.warning(
            "refused single sign-on (%s): %s login %s from %s",
            reason,
            sociallogin.account.provider,
            login_digest(emails[0] if emails else None),
            client_address(request),
        )
        messages.error(request, message)
        raise ImmediateHttpResponse(redirect("account_login"))


def _denies_its_address(sociallogin: SocialLogin) -> bool:
    """Whether an OpenID Connect IdP said `email_verified: false` (some send it as a string).
    SSO_EMAIL_DOMAINS vouches for addresses the IdP says nothing about, never for these."""
    provider = sociallogin.account.get_provider()
    if not isinstance(provider, OpenIDConnectProvider) or not sociallogin.email_addresses:
        return False
    extra = sociallogin.account.extra_data or {}
    claims = extra.get("userinfo") or extra.get("id_token") or extra
    return str(claims.get("email_verified", "")).lower() == "false"
