"""Hostile input for every form of the product (issue 9). Hypothesis posts very long text,
control characters, odd unicode, HTML and script, SQL-looking text, numbers and dates out of
range, missing, repeated and extra fields, and broken CSV uploads to each URL that takes a POST,
as a person who may use it. Nothing may answer 500; a refused post leaves every table as it was;
what is accepted is stored without NUL and shown escaped.

A URL of the product that is neither fuzzed here nor refuses a POST (GET_ONLY) fails
test_every_url_is_fuzzed_or_refuses_posts, and so does one of allauth's (accounts, two-factor,
single sign-on and its providers) that is neither fuzzed nor explained in ALLAUTH_NOT_FUZZED.
Single sign-on is fuzzed configured as settings.py would configure it, against the fake
identity providers of tests/sso_idp.py."""

import base64
import os
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

import environ
import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.socialaccount.models import SocialAccount
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet
from django.test import Client
from django.urls import get_resolver, reverse
from hypothesis import HealthCheck, example, given, settings

from mentorship.accounts.models import User
from mentorship.accounts.sso import OIDC_PROVIDER_ID, SAML_ORGANIZATION, providers_from_env
from programs import invitations
from programs.models import Enrolment, EnrolmentStatus
from tests import fuzzing, test_every_url
from tests.factories import PASSWORD, ProgramFactory, UserFactory
from tests.sso_idp import FakeOIDCProvider, FakeSAMLProvider
from tests.test_every_url import _our_url_names, _table

pytestmark = pytest.mark.django_db

# The URL table's fixtures: one of everything, and the cast by role.
world = test_every_url.world
people = test_every_url.people

# Examples per form; FUZZ_EXAMPLES=200 makes a deeper run (minutes, not seconds).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
# Forms without fields of their own (a button): hostile extra fields are all there is to vary.
BUTTON_EXAMPLES = max(1, EXAMPLES // 5)


@dataclass(frozen=True)
class Target:
    """How to fuzz one URL: as whom, on which page its form is (the URL itself by default), and
    fields to post besides those the page renders (a form shown only in another state)."""

    role: str
    page: str | None = None
    fields: tuple[str, ...] = ()
    examples: int = EXAMPLES
    # Values that get the form past validation (the page shows none, or not the right one),
    # so that the hostile value in another field reaches the code that stores it.
    values: Callable | None = None
    # Prepares what the URL needs (a signed link, a recent password check) once, before the
    # examples; returns the path to post to.
    prepare: Callable | None = None
    # Single sign-on configured (world["sso"] holds the fake IdPs), and the site addressed as
    # 127.0.0.1: python3-saml refuses Django's "testserver".
    sso: bool = False
    # Hostile values a field's own parser fears most (XML bombs for a SAML response), each
    # tried once and drawn more often: (world, people) -> {field: [values]}.
    special: Callable | None = None
    # Redirects within the site to follow after the post (single sign-on hops through several).
    hops: int = 1
    # Checked after every example: (data, responses, client, world, people) -> None.
    check: Callable | None = None


def _button(role: str, page: str) -> Target:
    return Target(role=role, page=page, examples=BUTTON_EXAMPLES)


def _open_program(client, world, people) -> str:
    program = ProgramFactory(status="enrolment", allow_applications=True)
    return reverse("programs:apply", kwargs={"slug": program.slug})


def _invitation_link(client, world, people) -> str:
    invitee = UserFactory(email="invitee@example.com", password=None)
    invitee.set_unusable_password()
    invitee.save()
    enrolment = Enrolment.objects.create(
        program=world["program"],
        user=invitee,
        role="mentee",
        status=EnrolmentStatus.INVITED,
        invitation_key="fuzz-key",
    )
    return reverse("programs:invitation_accept", args=[invitations.invitation_token(enrolment)])


def _reset_link(client, world, people) -> str:
    user = people["mentee"]
    key = default_token_generator.make_token(user)
    response = client.get(
        reverse(
            "account_reset_password_from_key",
            kwargs={"uidb36": user_pk_to_url_str(user), "key": key},
        )
    )
    # allauth keeps the key in the session and sends the browser to a keyless address.
    assert response.status_code == 302, response.status_code
    return response["Location"]


def _after_password_check(name: str) -> Callable:
    def prepare(client, world, people) -> str:
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        return reverse(name)

    return prepare


def _second_step_of_sign_in(client, world, people) -> str:
    response = client.post(
        reverse("account_login"), {"login": people["hr_admin"].email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate"), response
    return reverse("mfa_authenticate")


def _pair_ids(world) -> dict[str, str]:
    pair = world["pair"]
    return {"mentor": str(pair.mentor.public_id), "mentee": str(pair.mentee.public_id)}


# --- Single sign-on -------------------------------------------------------------------------------

ORG = {"organization_slug": SAML_ORGANIZATION}
OIDC = {"provider_id": OIDC_PROVIDER_ID}


@dataclass
class SSO:
    oidc: FakeOIDCProvider
    saml: FakeSAMLProvider
    # The IdP's genuine answer to the login the SAML target started: SAMLResponse, RelayState.
    saml_form: dict = field(default_factory=dict)
    # The state of the OpenID Connect login the callback target started.
    oidc_state: str = ""

    def saml_xml(self) -> str:
        return base64.b64decode(self.saml_form["SAMLResponse"]).decode()


@pytest.fixture
def sso(monkeypatch, settings):
    """Both identity providers configured through the SSO_* variables, as settings.py does."""
    for name in [n for n in os.environ if n.startswith("SSO_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # allauth reaches the IdP with `requests`
    oidc, saml = FakeOIDCProvider(), FakeSAMLProvider()
    oidc.start()
    for name, value in {
        "SSO_OIDC_SERVER_URL": oidc.url,
        "SSO_OIDC_CLIENT_ID": oidc.client_id,
        "SSO_OIDC_CLIENT_SECRET": oidc.client_secret,
        "SSO_SAML_IDP_ENTITY_ID": saml.entity_id,
        "SSO_SAML_IDP_SSO_URL": saml.sso_url,
        "SSO_SAML_IDP_X509CERT": saml.certificate,
    }.items():
        monkeypatch.setenv(name, value)
    settings.SOCIALACCOUNT_PROVIDERS = providers_from_env(environ.Env())
    yield SSO(oidc, saml)
    oidc.stop()


def _linked_mentee(client, world, people) -> str:
    """The mentee's company account is linked, and so is someone else's (which must stay)."""
    for person in (people["mentee"], people["other_pair"]):
        SocialAccount.objects.create(
            user=person, provider=OIDC_PROVIDER_ID, uid=f"sub-{person.pk}", extra_data={}
        )
    return reverse("socialaccount_connections")


def _others_keep_their_link(data, responses, client, world, people) -> None:
    assert SocialAccount.objects.filter(user=people["other_pair"]).exists(), data


def _saml_login_started(client, world, people) -> str:
    """The mentee pressed the SAML button: the site stashed its request, the IdP answered."""
    sso = world["sso"]
    response = client.post(reverse("saml_login", kwargs=ORG))
    authn_request = sso.saml.read_authn_request(response["Location"])
    sso.saml_form = sso.saml.response(authn_request, email=people["mentee"].email)
    return reverse("saml_acs", kwargs=ORG)


def _hostile_saml(world, people) -> dict[str, list[str]]:
    sso = world["sso"]
    return {
        "SAMLResponse": fuzzing.hostile_saml_responses(
            sso.saml_xml(),
            canary=sso.oidc.url,
            owner=people["mentee"].email,
            stranger=people["hr_admin"].email,
        ),
        "RelayState": fuzzing.RELAY_STATES,
    }


def _effective(value) -> str:
    """What python3-saml reads of a field posted once or repeated: the last value."""
    return value[-1] if isinstance(value, list) else value or ""


def _is_the_genuine_response(sso: SSO, value) -> bool:
    try:
        return base64.b64decode(_effective(value)).decode() == sso.saml_xml()
    except ValueError:
        return False


def _saml_links_only_the_genuine_response(data, responses, client, world, people) -> None:
    """Only the IdP's own answer, untouched, signs the mentee in and links them; nothing else
    signs anyone in, links anyone, reads a file or calls out."""
    sso = world["sso"]
    if not _is_the_genuine_response(sso, data.get("SAMLResponse")):
        assert not SocialAccount.objects.exists(), "a hostile SAML response linked someone"
        assert client.session.get("_auth_user_id") is None, "a hostile SAML response signed in"
    assert not [p for p in sso.oidc.paths if p.startswith("/xxe")], "an XXE payload called out"
    for response in responses:
        assert fuzzing.PASSWD_LINE not in response.content.decode(errors="replace")
    _only_to_the_idps(sso, responses)


def _only_to_the_idps(sso: SSO, responses) -> None:
    """A redirect off the site goes to a configured IdP, never where a hostile `next` says."""
    for response in responses:
        location = response.get("Location", "")
        if urllib.parse.urlsplit(location).netloc:
            assert location.startswith((f"{sso.oidc.url}/authorize?", sso.saml.sso_url)), location


def _stays_with_the_idps(data, responses, client, world, people) -> None:
    _only_to_the_idps(world["sso"], responses)
    assert not SocialAccount.objects.exists(), data
    assert client.session.get("_auth_user_id") is None, data


def _oidc_login_started(client, world, people) -> str:
    """A login to this IdP is under way (a real state in the session), its callback due."""
    response = client.post(reverse("openid_connect_login", kwargs=OIDC))
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(response["Location"]).query))
    world["sso"].oidc_state = query["state"]
    return reverse("openid_connect_callback", kwargs=OIDC)


def _sso(role: str, **options) -> Target:
    return Target(role, sso=True, hops=3, **options)


HR = "hr_admin"

TARGETS: dict[str, Target] = {
    # Cross-app
    "set_language": Target("mentee", page="home", fields=("language", "next")),
    # Accounts
    # The search boxes post their term (kept in the session, never in the URL).
    "accounts:people": Target(HR),
    "programs:participant_list": Target(HR),
    "accounts:person_create": Target(HR),
    "accounts:person_edit": Target(HR, values=lambda w, p: {"manager_email": p["hr_admin"].email}),
    "accounts:person_roles": Target(HR, page="accounts:people", fields=("is_hr_admin",)),
    "accounts:person_anonymise": _button(HR, "accounts:person_erase_confirm"),
    "accounts:profile": Target("mentee"),
    "accounts:erasure_request": _button("mentee", "accounts:erasure_confirm"),
    # Programs
    "programs:program_create": Target(HR),
    "programs:program_edit": Target(HR),
    "programs:program_transition": Target(HR, page="programs:program_detail", fields=("status",)),
    "programs:program_duplicate": Target(HR),
    "programs:participant_decide": Target(
        HR,
        page="programs:participant_detail",
        fields=("decision",),
        values=lambda w, p: {"decision": "approve"},
    ),
    "programs:participant_withdraw": _button(HR, "programs:participant_detail"),
    "programs:invitation_resend": _button(HR, "programs:participant_detail"),
    "programs:invite": Target(HR, values=lambda w, p: {"people": "new.person@example.com"}),
    "programs:import_upload": Target(
        HR, fields=("file", "create_topics"), examples=EXAMPLES * 5 // 3
    ),
    "programs:import_preview": _button(HR, "programs:import_preview"),
    "programs:topic_create": Target(HR),
    "programs:topic_edit": Target(HR),
    "programs:apply": Target("other_pair", prepare=_open_program),
    "programs:my_profile": Target("mentee"),
    "programs:guidelines": _button("mentee", "programs:guidelines"),
    "programs:invitation_accept": Target("anonymous", prepare=_invitation_link),
    # Matching
    "matching:run": Target(
        HR, page="matching:review", fields=("topic", "language", "time_zone", "department")
    ),
    "matching:approve": _button(HR, "matching:review"),
    "matching:rule_add": Target(
        HR,
        page="matching:mentee",
        fields=("mentor", "mentee", "kind"),
        values=lambda w, p: {**_pair_ids(w), "kind": "exclude"},
    ),
    "matching:rule_delete": _button(HR, "matching:review"),
    "matching:pair_add": Target(
        HR, page="matching:mentee", fields=("mentor", "mentee"), values=lambda w, p: _pair_ids(w)
    ),
    "matching:hr_pair_end": Target(HR, page="matching:hr_pairs", fields=("reason",)),
    "matching:pair_end": Target("mentee", page="matching:my_pair", fields=("end-reason",)),
    "matching:action_add": Target(
        "mentee", page="matching:my_pair", fields=("action-text", "action-owner", "action-due_on")
    ),
    "matching:action_done": _button("mentee", "matching:my_pair"),
    "matching:session_propose": Target("mentee"),
    "matching:session_edit": Target("mentee"),
    "matching:session_cancel": _button("mentee", "matching:my_pair"),
    "matching:session_log": Target("mentee", values=lambda w, p: {"actual_minutes": "45"}),
    "matching:session_confirm": _button("mentor", "matching:my_pair"),
    # Feedback
    "feedback:survey_answer": Target("anonymous"),
    "feedback:preferences": Target("mentee"),
    "feedback:unsubscribe": Target("anonymous"),
    "feedback:template_create": Target(HR),
    "feedback:template_edit": Target(HR),
    "feedback:template_duplicate": _button(HR, "feedback:template_list"),
    "feedback:schedule_create": Target(HR),
    "feedback:schedule_edit": Target(HR),
    "feedback:schedule_add_recommended": _button(HR, "feedback:schedule_list"),
    "feedback:delivery_retry": _button(HR, "feedback:delivery_list"),
    # allauth
    "account_login": Target(
        "anonymous", values=lambda w, p: {"login": p["mentee"].email, "password": PASSWORD}
    ),
    "account_logout": _button("mentee", "account_logout"),
    "account_signup": Target("anonymous", fields=("email", "password1", "password2")),
    "account_reauthenticate": Target("mentee", values=lambda w, p: {"password": PASSWORD}),
    "account_email": Target("mentee", fields=("email", "action_add", "action_remove")),
    "account_change_password": Target("mentee", values=lambda w, p: {"oldpassword": PASSWORD}),
    "account_set_password": Target("mentee", fields=("password1", "password2")),
    "account_reset_password": Target("anonymous", values=lambda w, p: {"email": p["mentee"].email}),
    "account_reset_password_from_key": Target("anonymous", prepare=_reset_link),
    "mfa_authenticate": Target("anonymous", prepare=_second_step_of_sign_in),
    "mfa_reauthenticate": Target(HR),
    "mfa_activate_totp": Target("mentee", prepare=_after_password_check("mfa_activate_totp")),
    "mfa_deactivate_totp": Target(HR, prepare=_after_password_check("mfa_deactivate_totp")),
    "mfa_generate_recovery_codes": Target(
        HR, prepare=_after_password_check("mfa_generate_recovery_codes")
    ),
    # allauth's single sign-on
    "socialaccount_connections": _sso(
        "mentee", prepare=_linked_mentee, check=_others_keep_their_link
    ),
    # Reached only with a pending sign-up, which never exists here (no account is created by
    # single sign-on): a post goes back to the sign-in page.
    "socialaccount_signup": Target("anonymous", fields=("email",), examples=BUTTON_EXAMPLES),
    "saml_login": _sso(
        "anonymous", page="account_login", fields=("next", "process"), check=_stays_with_the_idps
    ),
    "saml_acs": _sso(
        "anonymous",
        prepare=_saml_login_started,
        fields=("SAMLResponse", "RelayState"),
        values=lambda w, p: w["sso"].saml_form,
        special=_hostile_saml,
        check=_saml_links_only_the_genuine_response,
    ),
    "openid_connect_login": _sso(
        "anonymous", page="account_login", fields=("next", "process"), check=_stays_with_the_idps
    ),
    "openid_connect_callback": _sso(
        "anonymous",
        prepare=_oidc_login_started,
        fields=("code", "state", "error", "error_description"),
        values=lambda w, p: {"state": w["sso"].oidc_state, "code": "made-up"},
        examples=BUTTON_EXAMPLES,
        check=_stays_with_the_idps,
    ),
}

# URLs that answer a POST with 405 (checked below), so there is no form to fuzz.
GET_ONLY = {
    "home",
    "dashboard",
    "dashboard_csv",
    "dashboard_pdf",
    "accounts:my_data",
    "accounts:erasure_confirm",
    "accounts:erasure_requests",
    "accounts:person_erase_confirm",
    "audit:list",
    "programs:program_list",
    "programs:program_detail",
    "programs:participant_export",
    "programs:participant_detail",
    "programs:topic_list",
    "programs:my_programs",
    "matching:review",
    "matching:mentee",
    "matching:hr_pairs",
    "matching:my_pair",
    "matching:session_ics",
    "feedback:template_list",
    "feedback:schedule_list",
    "feedback:results",
    "feedback:delivery_list",
}

# allauth's pages that are not fuzzed, and why.
ALLAUTH_NOT_FUZZED = {
    "account_inactive": "a page of text",
    "account_email_verification_sent": "a page of text",
    "account_reset_password_done": "a page of text",
    "account_reset_password_from_key_done": "a page of text",
    "account_confirm_email": "its only input is the key in the address, checked by allauth",
    "account_confirm_login_code": "sign-in by mailed code is off (ACCOUNT_LOGIN_BY_CODE_ENABLED)",
    "mfa_index": "a page of links",
    "mfa_view_recovery_codes": "shows codes, posts nothing",
    "mfa_download_recovery_codes": "a download, posts nothing",
    "socialaccount_login_cancelled": "a page of text; answers a POST with 405",
    "socialaccount_login_error": "a page of text; answers a POST with 405",
    "saml_finish_acs": (
        "reads no input of its own, only the post the ACS URL stored under its cookie: fuzzed "
        "through saml_acs, whose redirect here every example follows"
    ),
    "saml_acs_refusing_junk": (
        "ours, at saml_acs's address (mentorship/accounts/saml.py): fuzzed as saml_acs"
    ),
    "saml_metadata": "this site's own SAML settings as XML; reads no input",
    "saml_sls": (
        "python3-saml reads logout messages only from the query string (HTTP-Redirect "
        "binding): a POST answers 400 whatever it holds"
    ),
}


def _allauth_names() -> set[str]:
    """Every URL name of the site that is not ours: allauth's accounts, two-factor and single
    sign-on pages and its providers' (the admin's are namespaced, and not in this list)."""
    names = {name for name in get_resolver().reverse_dict if isinstance(name, str)}
    return names - _our_url_names()


def test_every_url_is_fuzzed_or_refuses_posts(world):
    ours = _our_url_names() - {"healthz"}
    assert set(_table(world)) == ours
    assert not GET_ONLY & set(TARGETS)
    assert ours - GET_ONLY - set(TARGETS) == set(), "fuzz these or add them to GET_ONLY"
    allauth = _allauth_names()
    assert allauth - set(ALLAUTH_NOT_FUZZED) - set(TARGETS) == set(), "fuzz or explain these"
    assert set(TARGETS) - ours - allauth == set(), "these URL names are gone"


def test_get_only_urls_refuse_a_post(client, world, people):
    table = _table(world)
    accepted = []
    for name in sorted(GET_ONLY):
        kwargs, allowed = table[name]
        role = next(role for role in ("hr_admin", "mentee", "executive") if role in allowed)
        client.force_login(people[role])
        response = client.post(reverse(name, kwargs=kwargs), {"q": "x"})
        if response.status_code != 405:
            accepted.append(f"{name}: {response.status_code}")
    assert not accepted, accepted


# --- The fuzzing ----------------------------------------------------------------------------------


# The arguments of the URLs of allauth's providers, which the URL table does not list.
PROVIDER_KWARGS = {
    "saml_login": ORG,
    "saml_acs": ORG,
    "openid_connect_login": OIDC,
    "openid_connect_callback": OIDC,
}


def _url(name: str, world) -> str:
    table = _table(world)
    return reverse(name, kwargs=table[name][0] if name in table else PROVIDER_KWARGS.get(name))


def _path(name: str, target: Target, client, world, people) -> str:
    if target.prepare is not None:
        return target.prepare(client, world, people)
    return _url(name, world)


def _fields(client, name: str, target: Target, path: str, world) -> dict[str, fuzzing.Field]:
    """The fields the form posts: read from the page that shows it, plus the declared ones."""
    page = path
    if target.page is not None and target.page != name:
        page = _url(target.page, world)
    response = client.get(page)
    fields = {}
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        fields = fuzzing.form_fields(response.content.decode(), page, path)
    for extra in target.fields:
        fields.setdefault(extra, fuzzing.Field("file" if extra == "file" else "text"))
    return fields


def _bound_forms_with_errors(response) -> bool:
    contexts = response.context or []
    if not isinstance(contexts, list):
        contexts = [contexts]
    for context in contexts:
        for value in context.flatten().values():
            if (
                isinstance(value, BaseForm | BaseFormSet)
                and value.is_bound
                and not value.is_valid()
            ):
                return True
    return False


def _error_messages(response) -> list[str]:
    if response.context is None or "messages" not in response.context:
        return []
    return [str(m) for m in response.context["messages"] if m.level == messages.ERROR]


def _privileges() -> set[tuple]:
    """Who holds which privilege (a new account without any is not a change)."""
    flags = ("is_hr_admin", "is_executive", "is_staff", "is_superuser")
    privileged = Q()
    for flag in flags:
        privileged |= Q(**{flag: True})
    return set(User.objects.filter(privileged).values_list("pk", *flags))


def _check_html(response, where: str) -> None:
    if "html" not in response.get("Content-Type", ""):
        return
    content = response.content.decode(errors="replace")
    for markup in fuzzing.DANGEROUS_MARKUP:
        assert markup not in content, f"{where} shows {markup!r} unescaped"


def _check(response, where: str) -> None:
    assert response.exc_info is None, f"{where} raised {response.exc_info[1]!r}"
    assert response.status_code < 500, f"{where} answered {response.status_code}"
    _check_html(response, where)


# Pages that show what the forms store: after an accepted post they must still open (a date at
# the end of the calendar once saved fine and broke the next page that did arithmetic on it).
PROGRAM_PAGES = ("programs:program_detail", "programs:program_duplicate", "dashboard")
PAIR_PAGES = ("matching:my_pair", "matching:hr_pairs", "matching:review", "accounts:my_data")
PEOPLE_PAGES = ("home", "accounts:people", "programs:participant_list", "accounts:my_data")
SURVEY_PAGES = ("feedback:template_list", "feedback:schedule_list", "feedback:results")
READERS = {
    "programs:": PROGRAM_PAGES,
    "matching:": PAIR_PAGES,
    "accounts:": PEOPLE_PAGES,
    "feedback:": SURVEY_PAGES,
    "programs:my_profile": PEOPLE_PAGES + PAIR_PAGES,
    "programs:apply": PEOPLE_PAGES,
    "programs:invitation_accept": PEOPLE_PAGES,
}


def _readers(name: str) -> tuple[str, ...]:
    if not TARGETS[name].fields and TARGETS[name].examples == BUTTON_EXAMPLES:
        return ()  # a button stores nothing typed
    if name in READERS:
        return READERS[name]
    return next((pages for prefix, pages in READERS.items() if name.startswith(prefix)), ())


# Zones at both ends of the clock, where a date at the end of the calendar overflows in UTC.
ZONES = {"mentee": "Pacific/Pago_Pago", "mentor": "Pacific/Kiritimati", HR: "America/Adak"}


def _signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


# Who may change privileges: everything else that does is a mass-assignment bug.
CHANGE_ROLES = {"accounts:person_roles", "accounts:person_create", "accounts:person_anonymise"}


# Bugs found by this test and not fixed yet: strict, so that the fix fails the run until its
# line here goes.
KNOWN_BUGS: dict[str, pytest.MarkDecorator] = {}


@pytest.mark.parametrize(
    "name", [pytest.param(name, marks=KNOWN_BUGS.get(name, ())) for name in sorted(TARGETS)]
)
def test_hostile_input_never_breaks_a_form(name, world, people, request):
    target = TARGETS[name]
    if target.sso:
        world = {**world, "sso": request.getfixturevalue("sso")}
    for role, zone in ZONES.items():
        User.objects.filter(pk=people[role].pk).update(time_zone=zone)
    client = Client(raise_request_exception=False)
    if target.sso:
        client.defaults["HTTP_HOST"] = "127.0.0.1"
    if people[target.role] is not None:
        client.force_login(people[target.role])
    table = _table(world)
    # Each page that shows the stored input, opened by someone who may see it.
    readers = []
    for page in _readers(name):
        kwargs, allowed = table[page]
        reader = (
            target.role
            if target.role in allowed
            else next(r for r in (HR, "mentee") if r in allowed)
        )
        readers.append((reverse(page, kwargs=kwargs), reader))
    clients = {role: _signed_in(people[role]) for role in {HR, "mentee"}}
    clients[target.role] = client
    path = _path(name, target, client, world, people)
    fields = _fields(client, name, target, path, world)
    plausible = target.values(world, people) if target.values else {}
    special = target.special(world, people) if target.special else {}
    cookies = SimpleCookie(client.cookies.output(header="", sep=";"))
    baseline = fuzzing.snapshot()
    privileges = _privileges()

    @settings(
        max_examples=target.examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )
    @given(data=fuzzing.form_data(fields, plausible, special))
    def post_hostile(data):
        # Every example starts from the same database, session and rate-limit counters.
        cache.clear()
        client.cookies = SimpleCookie(cookies.output(header="", sep=";"))
        with transaction.atomic():
            response = client.post(path, data)
            where = f"POST {name} {sorted(data)}"
            _check(response, where)
            responses, followed = [response], None
            while (
                len(responses) <= target.hops
                and responses[-1].status_code == 302
                and responses[-1]["Location"].startswith("/")
            ):
                location = responses[-1]["Location"]
                followed = client.get(location)
                _check(followed, f"{where} -> {location}")
                responses.append(followed)
            refused = (
                response.status_code >= 400
                or _bound_forms_with_errors(response)
                or (followed is not None and bool(_error_messages(followed)))
            )
            after = fuzzing.snapshot()
            if refused:
                changed = fuzzing.changed_rows(baseline, after)
                assert not changed, f"{where} was refused but stored {changed[:3]}"
            else:
                for label, row in fuzzing.changed_rows(baseline, after):
                    for text in (t for value in row.values() for t in fuzzing.texts_in(value)):
                        assert "\x00" not in text, f"{where} stored a NUL in {label}"
                for page, reader in readers:
                    _check(clients[reader].get(page), f"{where}, then GET {page}")
            if name not in CHANGE_ROLES:
                assert _privileges() == privileges, f"{where} changed someone's roles"
            if target.check is not None:
                target.check(data, responses, client, world, people)
            transaction.set_rollback(True)

    for data in fuzzing.fixed_examples(fields, plausible, special):
        post_hostile = example(data=data)(post_hostile)
    post_hostile()


def test_the_fuzzer_reads_the_fields_of_a_form(client, world, people):
    """The page parser finds what a browser would post (or the fuzz tests would post nothing)."""
    client.force_login(people["mentee"])
    path = reverse("accounts:profile")
    fields = fuzzing.form_fields(client.get(path).content.decode(), path, path)
    assert {"full_name", "preferred_language", "time_zone"} <= set(fields)
    assert "Europe/Istanbul" in fields["time_zone"].values
