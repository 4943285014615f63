"""Single sign-on through the company's identity provider (IdP): django-allauth's OpenID Connect
and SAML providers, configured from `SSO_*` environment variables (the README lists them).

Nothing set, no provider: the sign-in page shows no button and the SSO URLs answer 404. Who may
sign in this way is decided in `adapter.SocialAccountAdapter`, not here.
"""

from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

# The parts of the URLs registered at the IdP: /accounts/oidc/company/login/callback/ and
# /accounts/saml/company/acs/. Fixed, so that the README can name them.
OIDC_PROVIDER_ID = "company"
SAML_ORGANIZATION = "company"

# Where IdPs usually put the address when NameID is not one (Azure AD, ADFS, Okta, Google).
SAML_EMAIL_ATTRIBUTES = [
    "urn:oid:0.9.2342.19200300.100.1.3",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    "email",
    "mail",
]

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


def providers_from_env(env: environ.Env) -> dict:
    """The value of SOCIALACCOUNT_PROVIDERS: one OpenID Connect and/or one SAML IdP, or none."""
    # Addresses in these domains count as confirmed by the IdP even when it does not say so
    # (SAML has no standard way to; many OIDC IdPs leave out `email_verified`).
    email_domains = [domain.lower() for domain in env.list("SSO_EMAIL_DOMAINS", default=[])]
    providers = {}
    if env.str("SSO_OIDC_SERVER_URL", default=""):
        providers["openid_connect"] = {"APPS": [_oidc_app(env, email_domains)]}
    if env.str("SSO_SAML_IDP_ENTITY_ID", default=""):
        providers["saml"] = {"APPS": [_saml_app(env, email_domains)]}
    return providers


def _oidc_app(env: environ.Env, email_domains: list[str]) -> dict:
    server_url = env.str("SSO_OIDC_SERVER_URL")
    client_id = env.str("SSO_OIDC_CLIENT_ID", default="")
    if not client_id:
        raise ImproperlyConfigured("SSO_OIDC_SERVER_URL is set: SSO_OIDC_CLIENT_ID must be too.")
    # allauth trusts the ID token it fetches from the token endpoint because TLS vouches for the
    # server (OpenID Connect Core 3.1.3.7), so plain HTTP is only for an IdP on this machine.
    _require_https(server_url, "SSO_OIDC_SERVER_URL")
    settings = {
        "server_url": server_url,
        "oauth_pkce_enabled": env.bool("SSO_OIDC_PKCE", default=True),
    }
    if email_domains:
        settings["verified_email"] = email_domains
    return {
        "provider_id": OIDC_PROVIDER_ID,
        "name": env.str("SSO_OIDC_NAME", default=""),
        "client_id": client_id,
        "secret": env.str("SSO_OIDC_CLIENT_SECRET", default=""),
        "settings": settings,
    }


def _saml_app(env: environ.Env, email_domains: list[str]) -> dict:
    idp = {"entity_id": env.str("SSO_SAML_IDP_ENTITY_ID")}
    if metadata_url := env.str("SSO_SAML_IDP_METADATA_URL", default=""):
        # The metadata carries the certificate that signs every assertion: whoever could change
        # it in transit could sign in as anyone.
        _require_https(metadata_url, "SSO_SAML_IDP_METADATA_URL")
        idp["metadata_url"] = metadata_url
    else:
        idp["sso_url"] = env.str("SSO_SAML_IDP_SSO_URL", default="")
        idp["x509cert"] = env.str("SSO_SAML_IDP_X509CERT", default="")
        if not (idp["sso_url"] and idp["x509cert"]):
            raise ImproperlyConfigured(
                "SSO_SAML_IDP_ENTITY_ID is set: set SSO_SAML_IDP_METADATA_URL, or both "
                "SSO_SAML_IDP_SSO_URL and SSO_SAML_IDP_X509CERT."
            )
    settings = {
        "idp": idp,
        "attribute_mapping": {
            "uid": ["urn:oasis:names:tc:SAML:attribute:subject-id"],
            "email": env.list("SSO_SAML_EMAIL_ATTRIBUTES", default=SAML_EMAIL_ATTRIBUTES),
        },
        "advanced": {
            "strict": True,
            # The assertion must carry the IdP's signature (checked against its certificate);
            # whether the outer response is signed too is up to the IdP.
            "want_assertion_signed": True,
            # Only logins this site started: an IdP-initiated response has no request to
            # answer, so it cannot be told apart from a replayed or planted one.
            "reject_idp_initiated_sso": True,
            # The address may come as the NameID alone.
            "want_attribute_statement": False,
        },
        # The SAML IdP is the company's directory: the addresses it asserts are its own, unless
        # the company's domains are listed.
        "verified_email": email_domains or True,
    }
    if sp_entity_id := env.str("SSO_SAML_SP_ENTITY_ID", default=""):
        settings["sp"] = {"entity_id": sp_entity_id}
    return {
        "name": env.str("SSO_SAML_NAME", default=""),
        "client_id": SAML_ORGANIZATION,
        "settings": settings,
    }


def _require_https(url: str, variable: str) -> None:
    """Plain HTTP only for an IdP on this machine (the tests' fake ones)."""
    if urlsplit(url).scheme != "https" and urlsplit(url).hostname not in LOOPBACK_HOSTS:
        raise ImproperlyConfigured(f"{variable} must be an https:// address.")
