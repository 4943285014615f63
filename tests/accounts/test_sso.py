"""Single sign-on against fake identity providers on this machine (tests/sso_idp.py): it signs in
only an existing, active account whose address the IdP confirms, links the two on first use,
creates nothing, and leaves two-factor authentication and idle timeouts as they are."""

import base64
import logging
import time
import urllib.parse

import environ
import pytest
import requests
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from mentorship.accounts.models import User
from mentorship.accounts.services import account_anonymise
from mentorship.accounts.sso import OIDC_PROVIDER_ID, SAML_ORGANIZATION, providers_from_env
from mentorship.middleware import LAST_SEEN
from tests.factories import TOTP_SECRET, UserFactory
from tests.sso_idp import FakeOIDCProvider, FakeSAMLProvider, new_rsa_key

OIDC_LOGIN = reverse("openid_connect_login", kwargs={"provider_id": OIDC_PROVIDER_ID})
SAML_LOGIN = reverse("saml_login", kwargs={"organization_slug": SAML_ORGANIZATION})
SIGN_IN = reverse("account_login")

pytestmark = pytest.mark.django_db


# --- Configuration ------------------------------------------------------------------------------


@pytest.fixture
def sso_env(monkeypatch, settings):
    """`sso_env(SSO_X="...", ...)` configures the providers as the environment would, through
    the same function settings.py calls."""
    for name in [n for n in environ.Env.ENVIRON if n.startswith("SSO_")]:
        monkeypatch.delenv(name)

    def configure(**variables: str) -> dict:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        settings.SOCIALACCOUNT_PROVIDERS = providers_from_env(environ.Env())
        return settings.SOCIALACCOUNT_PROVIDERS

    configure()
    return configure


@pytest.fixture
def oidc_idp(sso_env, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # allauth reaches the IdP with `requests`
    idp = FakeOIDCProvider()
    idp.start()
    sso_env(
        SSO_OIDC_SERVER_URL=idp.url,
        SSO_OIDC_CLIENT_ID=idp.client_id,
        SSO_OIDC_CLIENT_SECRET=idp.client_secret,
        SSO_OIDC_NAME="Acme ID",
    )
    yield idp
    idp.stop()


@pytest.fixture
def saml_idp(sso_env, client):
    idp = FakeSAMLProvider()
    sso_env(
        SSO_SAML_IDP_ENTITY_ID=idp.entity_id,
        SSO_SAML_IDP_SSO_URL=idp.sso_url,
        SSO_SAML_IDP_X509CERT=idp.certificate,
        SSO_SAML_NAME="Acme SAML",
    )
    # python3-saml accepts only URLs with a dotted host or an address, not Django's
    # "testserver": the site answers as 127.0.0.1 (one of its ALLOWED_HOSTS).
    client.defaults["HTTP_HOST"] = "127.0.0.1"
    return idp


def test_nothing_configured_means_no_provider(sso_env):
    assert sso_env() == {}


def test_an_oidc_server_needs_a_client_id_and_https(sso_env):
    with pytest.raises(ImproperlyConfigured, match="SSO_OIDC_CLIENT_ID"):
        sso_env(SSO_OIDC_SERVER_URL="https://id.example.com")
    with pytest.raises(ImproperlyConfigured, match="https"):
        sso_env(SSO_OIDC_SERVER_URL="http://id.example.com", SSO_OIDC_CLIENT_ID="app")


def test_a_saml_idp_needs_its_certificate_or_metadata(sso_env):
    with pytest.raises(ImproperlyConfigured, match="SSO_SAML_IDP_X509CERT"):
        sso_env(SSO_SAML_IDP_ENTITY_ID="https://idp.example.com", SSO_SAML_IDP_SSO_URL="https://x")
    providers = sso_env(SSO_SAML_IDP_METADATA_URL="https://idp.example.com/metadata")
    assert providers["saml"]["APPS"][0]["settings"]["idp"] == {
        "entity_id": "https://idp.example.com",
        "metadata_url": "https://idp.example.com/metadata",
    }


def test_saml_metadata_must_come_over_https(sso_env):
    # It carries the certificate that signs the assertions.
    with pytest.raises(ImproperlyConfigured, match="SSO_SAML_IDP_METADATA_URL"):
        sso_env(
            SSO_SAML_IDP_ENTITY_ID="https://idp.example.com",
            SSO_SAML_IDP_METADATA_URL="http://idp.example.com/metadata",
        )


# --- Helpers ------------------------------------------------------------------------------------


def _signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def _messages(client, response) -> str:
    """The page the refusal leads to (the sign-in page, or home for someone signed in), with
    its message."""
    assert response.status_code == 302, response
    assert response["Location"].startswith(SIGN_IN), response["Location"]
    return client.get(response["Location"], follow=True).content.decode()


def _oidc_sign_in(client, idp: FakeOIDCProvider, **person):
    """Press the button, sign in at the IdP, come back: the response of the site's callback."""
    idp.person = {"sub": f"sub-{person['email']}", "email_verified": True, **person}
    response = client.post(OIDC_LOGIN)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{idp.url}/authorize?"), response["Location"]
    at_idp = requests.get(response["Location"], allow_redirects=False, timeout=5)
    assert at_idp.status_code == 302, at_idp.text
    back = urllib.parse.urlsplit(at_idp.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


def _saml_sign_in(client, idp: FakeSAMLProvider, email: str, **options):
    """Press the button, read the AuthnRequest the browser carries to the IdP, post the IdP's
    answer to the ACS URL and follow allauth's hop to its finishing view."""
    response = client.post(SAML_LOGIN)
    assert response.status_code == 302
    assert response["Location"].startswith(idp.sso_url), response["Location"]
    authn_request = idp.read_authn_request(response["Location"])
    return _saml_post(client, idp.response(authn_request, email=email, **options))


def _saml_post(client, form: dict):
    acs = reverse("saml_acs", kwargs={"organization_slug": SAML_ORGANIZATION})
    response = client.post(acs, form)
    assert response.status_code == 302
    return client.get(response["Location"])


# --- OpenID Connect -----------------------------------------------------------------------------


def test_oidc_signs_in_the_account_of_the_address_and_links_it(
    client, oidc_idp, participant, caplog
):
    users_before = User.objects.count()
    with caplog.at_level(logging.INFO, logger="mentorship.security"):
        response = _oidc_sign_in(client, oidc_idp, email=participant.email, name="Mai")

    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert _signed_in_user_id(client) == str(participant.pk)
    link = SocialAccount.objects.get()
    assert (link.user, link.provider, link.uid) == (
        participant,
        OIDC_PROVIDER_ID,
        "sub-" + participant.email,
    )
    assert User.objects.count() == users_before
    # The idle clock starts and the sign-in is logged, as for a password.
    assert client.session[LAST_SEEN] == pytest.approx(time.time(), abs=30)
    assert f"sign-in: user {participant.pk}" in caplog.text
    # The IdP got the client's secret and the PKCE verifier.
    assert oidc_idp.token_requests[0]["code_verifier"]

    # The next time, the link finds the account.
    client.post(reverse("account_logout"))
    _oidc_sign_in(client, oidc_idp, email=participant.email)
    assert _signed_in_user_id(client) == str(participant.pk)
    assert SocialAccount.objects.count() == 1


def test_oidc_confirms_the_address_of_an_account_that_never_chose_a_password(client, oidc_idp):
    # As HR creates it (services.account_create): no password, address not yet verified.
    person = UserFactory(email="new@example.com", password=None, verified_email=False)
    response = _oidc_sign_in(client, oidc_idp, email="NEW@example.com")
    assert response["Location"] == reverse("home")
    assert _signed_in_user_id(client) == str(person.pk)
    assert person.emailaddress_set.get().verified


def test_oidc_refuses_an_unknown_address_and_creates_nothing(client, oidc_idp, participant, caplog):
    users_before = User.objects.count()
    with caplog.at_level(logging.WARNING, logger="mentorship.security"):
        response = _oidc_sign_in(client, oidc_idp, email="stranger@example.com")
    page = _messages(client, response)
    assert "No active account here belongs to stranger@example.com" in page
    assert _signed_in_user_id(client) is None
    assert User.objects.count() == users_before
    assert not SocialAccount.objects.exists()
    assert "refused single sign-on (unknown)" in caplog.text
    assert "stranger@example.com" not in caplog.text


def test_oidc_refuses_a_deactivated_account(client, oidc_idp, inactive_user):
    response = _oidc_sign_in(client, oidc_idp, email=inactive_user.email)
    assert "No active account here belongs to" in _messages(client, response)
    assert _signed_in_user_id(client) is None
    assert not SocialAccount.objects.exists()


def test_oidc_refuses_an_address_the_idp_does_not_confirm(client, oidc_idp, participant):
    response = _oidc_sign_in(client, oidc_idp, email=participant.email, email_verified=False)
    assert "did not confirm its email address" in _messages(client, response)
    assert _signed_in_user_id(client) is None


def test_listed_company_domains_count_as_confirmed(client, oidc_idp, sso_env, participant):
    sso_env(SSO_EMAIL_DOMAINS="Example.com")
    # The IdP says nothing of the address (null, as if left out): the domain vouches for it.
    _oidc_sign_in(client, oidc_idp, email=participant.email, email_verified=None)
    assert _signed_in_user_id(client) == str(participant.pk)


@pytest.mark.parametrize("denied", [False, "false"])
def test_a_listed_domain_never_vouches_for_an_address_the_idp_denies(
    client, oidc_idp, sso_env, participant, denied
):
    # A self-service IdP profile may carry a colleague's address, unconfirmed: taking over
    # their account by it must fail even in the company's own domain.
    sso_env(SSO_EMAIL_DOMAINS="example.com")
    response = _oidc_sign_in(client, oidc_idp, email=participant.email, email_verified=denied)
    assert "did not confirm its email address" in _messages(client, response)
    assert _signed_in_user_id(client) is None
    assert not SocialAccount.objects.exists()


@pytest.mark.parametrize("fault", ["wrong_audience", "wrong_issuer", "expired"])
def test_oidc_refuses_a_spoiled_id_token(client, oidc_idp, participant, fault, caplog):
    oidc_idp.id_token_fault = fault
    with caplog.at_level(logging.WARNING, logger="mentorship.security"):
        response = _oidc_sign_in(client, oidc_idp, email=participant.email)
    assert "Signing in with your company account did not work" in _messages(client, response)
    assert _signed_in_user_id(client) is None
    assert "failed single sign-on: openid_connect" in caplog.text


def test_oidc_refuses_a_callback_it_did_not_start(client, oidc_idp, participant):
    oidc_idp.person = {"sub": "x", "email": participant.email, "email_verified": True}
    client.post(OIDC_LOGIN)  # a real state exists in the session, but not this one
    callback = reverse("openid_connect_callback", kwargs={"provider_id": OIDC_PROVIDER_ID})
    response = client.get(callback, {"code": "made-up", "state": "made-up"})
    assert "Signing in with your company account did not work" in _messages(client, response)
    assert _signed_in_user_id(client) is None


def test_a_signed_in_person_cannot_attach_another_identity(client, oidc_idp, participant):
    client.force_login(participant)
    oidc_idp.person = {"sub": "x", "email": "someone-else@example.com", "email_verified": True}
    response = client.post(OIDC_LOGIN, {"process": "connect"})
    at_idp = requests.get(response["Location"], allow_redirects=False, timeout=5)
    back = urllib.parse.urlsplit(at_idp.headers["Location"])
    response = client.get(f"{back.path}?{back.query}")
    assert "linked the first time you sign in" in _messages(client, response)
    assert not SocialAccount.objects.exists()


def test_erasing_a_person_removes_their_link_and_its_claims(client, oidc_idp, mentee, hr_admin):
    _oidc_sign_in(client, oidc_idp, email=mentee.email, name="Mehmet Kaya")
    assert SocialAccount.objects.filter(user=mentee).exists()
    client.post(reverse("account_logout"))

    account_anonymise(user=mentee, by=hr_admin)
    assert not SocialAccount.objects.exists()
    _oidc_sign_in(client, oidc_idp, email="mehmet@example.com")
    assert _signed_in_user_id(client) is None


# --- Two-factor authentication still applies ----------------------------------------------------


def test_an_hr_admin_without_a_second_factor_is_sent_to_set_one_up(client, oidc_idp):
    admin = UserFactory(email="boss@example.com", is_hr_admin=True, with_mfa=False)
    _oidc_sign_in(client, oidc_idp, email=admin.email)
    assert _signed_in_user_id(client) == str(admin.pk)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


def test_an_hr_admin_with_a_second_factor_is_asked_for_the_code(client, oidc_idp, hr_admin):
    response = _oidc_sign_in(client, oidc_idp, email=hr_admin.email)
    assert response["Location"] == reverse("mfa_authenticate")
    assert _signed_in_user_id(client) is None

    code = format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert _signed_in_user_id(client) == str(hr_admin.pk)
    assert client.get(reverse("home")).status_code == 200


# --- SAML ---------------------------------------------------------------------------------------


def test_saml_signs_in_the_account_of_the_address_and_links_it(client, saml_idp, participant):
    users_before = User.objects.count()
    response = _saml_sign_in(client, saml_idp, participant.email, subject_id="emp-42@acme")
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert _signed_in_user_id(client) == str(participant.pk)
    link = SocialAccount.objects.get()
    assert (link.user, link.provider, link.uid) == (participant, "saml", "emp-42@acme")
    assert User.objects.count() == users_before
    assert client.session[LAST_SEEN] == pytest.approx(time.time(), abs=30)


@pytest.mark.parametrize("signed_by", [None, "another key"], ids=["unsigned", "wrong-signer"])
def test_saml_refuses_an_assertion_the_idp_did_not_sign(
    client, saml_idp, participant, signed_by, caplog
):
    key = new_rsa_key() if signed_by else None
    with caplog.at_level(logging.WARNING, logger="mentorship.security"):
        response = _saml_sign_in(client, saml_idp, participant.email, signed_by=key)
    assert "Signing in with your company account did not work" in _messages(client, response)
    assert _signed_in_user_id(client) is None
    assert not SocialAccount.objects.exists()
    assert "failed single sign-on: saml" in caplog.text


@pytest.mark.parametrize(
    "junk",
    [
        "bm90IHhtbA==",  # base64 of "not xml"
        "non-ASCII é is not base64",
        base64.b64encode(b'<!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>').decode(),
    ],
)
def test_saml_refuses_a_response_that_is_not_xml_like_any_other(
    client, saml_idp, participant, junk, caplog
):
    # allauth would answer these 500 (mentorship/accounts/saml.py refuses them first).
    client.post(SAML_LOGIN)
    acs = reverse("saml_acs", kwargs={"organization_slug": SAML_ORGANIZATION})
    with caplog.at_level(logging.WARNING, logger="mentorship.security"):
        response = client.post(acs, {"SAMLResponse": junk, "RelayState": ""})
    assert "Signing in with your company account did not work" in _messages(client, response)
    assert _signed_in_user_id(client) is None
    assert "failed single sign-on: saml" in caplog.text


def test_saml_refuses_an_unknown_address_and_creates_nothing(client, saml_idp, participant):
    users_before = User.objects.count()
    response = _saml_sign_in(client, saml_idp, "stranger@example.com")
    assert "No active account here belongs to stranger@example.com" in _messages(client, response)
    assert _signed_in_user_id(client) is None
    assert User.objects.count() == users_before
    assert not SocialAccount.objects.exists()


def test_saml_refuses_a_response_it_did_not_ask_for(client, saml_idp, participant):
    # IdP-initiated: the response answers no request of this site's.
    authn_request = saml_idp.read_authn_request(client.post(SAML_LOGIN)["Location"])
    unasked = saml_idp.response({**authn_request, "id": None}, email=participant.email)
    assert "did not work" in _messages(client, _saml_post(client, unasked))
    assert _signed_in_user_id(client) is None


@pytest.fixture
def sign_ins():
    """Every person signed in while the test runs, in order."""
    seen = []

    def record(sender, request, user, **kwargs):
        seen.append(user)

    user_logged_in.connect(record, weak=False)
    yield seen
    user_logged_in.disconnect(record)


def test_saml_refuses_a_response_used_before(client, saml_idp, participant, sign_ins):
    authn_request = saml_idp.read_authn_request(client.post(SAML_LOGIN)["Location"])
    answer = saml_idp.response(authn_request, email=participant.email)
    _saml_post(client, answer)
    assert _signed_in_user_id(client) == str(participant.pk)
    assert sign_ins == [participant]
    # The link goes (as a disconnect or HR would remove it): a replay that worked would
    # make it again, and sign in again.
    SocialAccount.objects.all().delete()
    session_key = client.session.session_key

    # The same browser posts it again, without signing out: the request it answers is spent.
    response = _saml_post(client, answer)
    assert response.status_code == 403
    assert sign_ins == [participant]
    assert client.session.session_key == session_key  # a sign-in would have rotated it
    assert not SocialAccount.objects.exists()

    # Nor does it work in another browser, whether or not that one started a login of its own.
    for started in (False, True):
        elsewhere = Client(HTTP_HOST="127.0.0.1")
        if started:
            elsewhere.post(SAML_LOGIN)
        response = _saml_post(elsewhere, answer)
        assert response.status_code == 403
        assert _signed_in_user_id(elsewhere) is None
    assert sign_ins == [participant]
    assert not SocialAccount.objects.exists()


def test_saml_metadata_names_the_acs_url_to_register(client, saml_idp):
    response = client.get(reverse("saml_metadata", kwargs={"organization_slug": SAML_ORGANIZATION}))
    assert response.status_code == 200
    assert 'Location="http://127.0.0.1/accounts/saml/company/acs/"' in response.content.decode()


# --- The sign-in page ---------------------------------------------------------------------------


def test_the_sign_in_page_has_no_sso_button_when_nothing_is_configured(client, sso_env):
    page = client.get(SIGN_IN).content.decode()
    assert "/accounts/oidc/" not in page and "/accounts/saml/" not in page


def test_the_sign_in_page_has_a_button_per_configured_idp(client, oidc_idp, saml_idp):
    page = client.get(SIGN_IN).content.decode()
    for url, label in [
        (OIDC_LOGIN, "Sign in with Acme ID"),
        (SAML_LOGIN, "Sign in with Acme SAML"),
    ]:
        # allauth starts a login only on POST, so each button is a form with its CSRF token.
        form = page.split(f'method="post" action="{url}"', 1)[1].split("</form>", 1)[0]
        assert "csrfmiddlewaretoken" in form and label in form


def test_a_nameless_idp_gets_a_general_label(client, oidc_idp, sso_env):
    sso_env(SSO_OIDC_NAME="")
    assert "Sign in with your company account" in client.get(SIGN_IN).content.decode()
