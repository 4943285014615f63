"""WCAG 2.2 AA, checked by axe-core in Chromium: every page of the product, as a role that may
see it, has no serious or critical violation, in English on a desktop and, for a sample, in
Vietnamese on a phone; forms stay accessible in their error state; a form works by keyboard."""

from io import StringIO

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

from matching.models import Pair
from mentorship.accounts.models import User
from programs.models import Program
from tests import test_every_url
from tests.test_every_url import NOBODY, _table

pytestmark = pytest.mark.django_db(transaction=True)

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
BLOCKING = {"serious", "critical"}
# The roles whose pages are scanned; "inactive" and "other_pair" see what anonymous and a mentee
# see (the table in tests/test_every_url.py proves which pages each may open).
SCANNED_ROLES = ["anonymous", "mentee", "mentor", "executive", "hr_admin"]
PER_ROLE = {"home", "dashboard", "programs:my_profile"}


# The same cast and data as the walk over every URL (a pair, sessions, a survey, an import...).
world = test_every_url.world


@pytest.fixture
def axe():
    return Axe()


@pytest.fixture
def cast(mentor, mentee, executive, hr_admin):
    return {
        "anonymous": None,
        "mentor": mentor,
        "mentee": mentee,
        "executive": executive,
        "hr_admin": hr_admin,
    }


@pytest.fixture
def scan(axe):
    """`scan(page)`: the serious and critical WCAG A/AA violations on the page, as lines."""

    def run(page) -> list[str]:
        violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
        return [
            f"{page.url} [{v['impact']}] {v['id']}: {v['help']} -> "
            + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
            for v in violations
            if v["impact"] in BLOCKING
        ]

    return run


def test_the_checker_catches_a_violation(page_for, scan):
    # Passing scans mean something only if a known failure fails: grey on white text.
    page = page_for(None)
    page.goto("/")
    # Styled through the DOM, not a style attribute, which the page's CSP would refuse.
    page.evaluate(
        """() => {
             const faint = document.createElement('p');
             faint.textContent = 'faint';
             faint.style.color = '#bbb';
             faint.style.background = '#fff';
             document.querySelector('main').append(faint);
           }"""
    )
    assert any("color-contrast" in problem for problem in scan(page))


def _product_pages(w, role: str) -> list[str]:
    """The product's pages that answer 200 to `role` and are scanned as `role`: a page
    that reads differently per role (home, the dashboard, a pair's pages) as each of them,
    any other as the first role of SCANNED_ROLES that may open it."""
    pages = []
    for name, (kwargs, allowed) in _table(w).items():
        if role not in allowed or allowed is NOBODY:
            continue
        first = next(r for r in SCANNED_ROLES if r in allowed)
        if role == first or name in PER_ROLE or name.startswith("matching:"):
            pages.append(reverse(name, kwargs=kwargs))
    return pages


def _account_pages(role: str, cast) -> list[str]:
    """allauth's pages (sign-in, password reset, two-factor) and the 404 page, which the table
    leaves out: the signed-out ones, and the signed-in ones as a mentee."""
    if role == "anonymous":
        forgetful = cast["mentor"]
        reset_link = reverse(
            "account_reset_password_from_key",
            kwargs={
                "uidb36": user_pk_to_url_str(forgetful),
                "key": default_token_generator.make_token(forgetful),
            },
        )
        return [
            reverse("account_login"),
            reverse("account_signup"),
            reverse("account_reset_password"),
            reverse("account_reset_password_done"),
            reset_link,
            reverse("account_inactive"),
            "/no-such-page/",
        ]
    if role == "mentee":
        return [
            reverse("accounts:people"),  # the 403 page
            reverse("account_logout"),
            reverse("account_change_password"),
            reverse("account_email"),
            reverse("account_reauthenticate"),
            reverse("mfa_index"),
            reverse("mfa_activate_totp"),
        ]
    return []


@pytest.mark.parametrize("role", SCANNED_ROLES)
def test_every_page_has_no_serious_violation(page_for, scan, world, cast, role):
    page = page_for(cast[role])
    problems = []
    product = _product_pages(world, role)
    for url in product + _account_pages(role, cast):
        try:
            response = page.goto(url)
        except PlaywrightError as error:
            # A download (CSV, PDF, calendar file, personal data), not a page to read.
            if "Download is starting" in str(error):
                continue
            raise
        if url in product:
            assert response.status == 200, f"{url}: {response.status}"
        problems += scan(page)
    assert not problems, f"pages seen as {role}:\n" + "\n".join(problems)


def test_the_server_error_page_has_no_serious_violation(page_for, scan):
    # A page of its own, without the layout (which may be what failed); drawn here, not caused.
    page = page_for(None)
    page.goto("/")
    page.set_content(render_to_string("500.html"))
    assert page.title()
    assert not scan(page)


@pytest.fixture
def demo(settings):
    """The demo data of `make run`: enough answers and pairs for the dashboard to draw charts."""
    # The demo's HR admin and executive sign in with a password alone, as under `make run`.
    settings.MFA_REQUIRED_FOR_PRIVILEGED = False
    call_command("seed_demo", force=True, stdout=StringIO())
    return {
        role: User.objects.get(email=f"{role}@demo.example")
        for role in ("hr", "exec", "mentor", "mentee")
    }


def test_the_demo_pages_with_charts_and_answers_have_no_serious_violation(page_for, scan, demo):
    problems = []
    for language, phone in [("en", False), ("vi", True)]:
        executive = page_for(demo["exec"], language=language, phone=phone)
        executive.goto(reverse("dashboard"))
        # Charts are drawn (a dashboard of hidden figures would prove nothing about them).
        assert executive.locator(".dash-chart img[src^='data:image/svg+xml'][alt]").count() >= 2
        problems += scan(executive)
    live = Program.objects.get(status="active")
    waiting = Program.objects.get(status="matching")
    hr = page_for(demo["hr"])
    for url in [
        reverse("programs:program_list"),
        reverse("programs:program_detail", args=[live.slug]),
        reverse("programs:participant_list", args=[live.slug]),
        reverse("matching:hr_pairs", args=[live.slug]),
        reverse("feedback:schedule_list", args=[live.slug]),
        *[reverse("feedback:results", args=[live.slug, s.pk]) for s in live.survey_schedules.all()],
        reverse("programs:program_detail", args=[waiting.slug]),
        reverse("matching:review", args=[waiting.slug]),
        reverse("feedback:delivery_list"),
    ]:
        hr.goto(url)
        problems += scan(hr)
    for person in (demo["mentee"], demo["mentor"]):
        pair = Pair.objects.filter(program=live).filter(
            Q(mentee__user=person) | Q(mentor__user=person)
        )[0]
        page = page_for(person)
        for url in ["/", reverse("matching:my_pair", args=[pair.public_id])]:
            page.goto(url)
            problems += scan(page)
    assert not problems, "\n".join(problems)


# A sample across the roles: the phone layout (stacked tables, wrapped navigation) and the
# longer Vietnamese words are where contrast, overlap and target sizes break first.
PHONE_SAMPLE = {
    "anonymous": ["home", "account_login", "feedback:survey_answer", "feedback:unsubscribe"],
    "mentee": [
        "home",
        "matching:my_pair",
        "matching:session_propose",
        "matching:session_log",
        "programs:my_profile",
        "accounts:profile",
        "feedback:preferences",
    ],
    "executive": ["dashboard"],
    "hr_admin": [
        "accounts:people",
        "programs:program_detail",
        "programs:participant_list",
        "matching:review",
        "matching:hr_pairs",
        "feedback:template_edit",
        "feedback:results",
        "feedback:delivery_list",
    ],
}


@pytest.mark.parametrize("role", sorted(PHONE_SAMPLE))
def test_a_sample_of_pages_in_vietnamese_on_a_phone(page_for, scan, world, cast, role):
    # The signed links open in their invitee's language.
    cast["mentee"].preferred_language = "vi"
    cast["mentee"].save(update_fields=["preferred_language"])
    page = page_for(cast[role], language="vi", phone=True)
    table = _table(world)
    problems = []
    for name in PHONE_SAMPLE[role]:
        kwargs = table[name][0] if name in table else {}
        page.goto(reverse(name, kwargs=kwargs))
        assert page.locator("html").get_attribute("lang") == "vi"
        problems += scan(page)
    assert not problems, "\n".join(problems)


# Forms submitted empty (or wrong), with the browser's own checks off so the server answers.
ERROR_FORMS = {
    "anonymous": ["account_reset_password", "feedback:survey_answer"],
    "mentee": [
        "accounts:profile",
        "matching:session_propose",
        "matching:session_log",
        "programs:my_profile",
    ],
    "hr_admin": [
        "accounts:person_create",
        "programs:program_create",
        "programs:topic_create",
        "programs:invite",
        "programs:import_upload",
        "feedback:template_create",
        "feedback:schedule_create",
    ],
}
# The form with the most fields on the page: the page's own, not the footer's language switch.
SUBMIT_EMPTY = """() => {
  const fields = 'input:not([type=hidden]):not([type=submit]), select, textarea';
  const forms = [...document.querySelectorAll('main form')];
  const form = forms.sort((a, b) => b.querySelectorAll(fields).length
                                   - a.querySelectorAll(fields).length)[0];
  form.noValidate = true;
  for (const field of form.querySelectorAll('input[type=text], input[type=email], textarea'))
    field.value = '';
  form.querySelector('button[type=submit], button:not([type]), input[type=submit]').click();
}"""
# Each error is tied to its field (aria-invalid, aria-describedby naming the message) or sits
# in an alert, so a screen reader hears it where it reads.
UNANNOUNCED = """() => {
  const described = new Set();
  const problems = [];
  for (const field of document.querySelectorAll('[aria-invalid=true]')) {
    // A radio or checkbox list is described as a whole, on its fieldset.
    const group = field.closest('fieldset[aria-describedby]');
    const ids = [field, group].filter(Boolean)
      .flatMap(el => (el.getAttribute('aria-describedby') || '').split(/\\s+/))
      .filter(Boolean);
    const texts = ids.map(id => document.getElementById(id)).filter(Boolean)
                     .map(el => el.textContent.trim()).join('');
    if (!texts) problems.push(`${field.name}: aria-invalid without a described error`);
    ids.forEach(id => described.add(id));
  }
  for (const list of document.querySelectorAll('main .errorlist')) {
    if (!described.has(list.id) && !list.closest('[role=alert]'))
      problems.push(`unannounced error: ${list.textContent.trim()}`);
  }
  return [...new Set(problems)];
}"""


@pytest.mark.parametrize("role", sorted(ERROR_FORMS))
def test_forms_announce_their_errors(page_for, scan, world, cast, role):
    page = page_for(cast[role])
    table = _table(world)
    problems = []
    for name in ERROR_FORMS[role]:
        url = reverse(name, kwargs=table[name][0] if name in table else {})
        page.goto(url)
        with page.expect_navigation():
            page.evaluate(SUBMIT_EMPTY)
        shown = page.locator("[aria-invalid=true], [role=alert]").count()
        assert shown, f"{name}: no error shown after an empty submit ({page.url})"
        problems += [f"{page.url} {p}" for p in page.evaluate(UNANNOUNCED)]
        problems += scan(page)
    assert not problems, "\n".join(problems)


def test_a_wrong_password_is_announced(page_for, scan, mentee):
    page = page_for(None)
    page.goto(reverse("account_login"))
    page.get_by_label("Email").fill(mentee.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    assert "not correct" in alert.inner_text() or "incorrect" in alert.inner_text().lower()
    assert not page.evaluate(UNANNOUNCED)
    assert not scan(page)


def test_two_factor_setup_and_its_wrong_code_are_accessible(page_for, scan, mentee, password):
    # allauth asks for the password again before showing the QR code: answer it, then scan
    # the setup page (its QR code, secret and code field) before and after a wrong code.
    page = page_for(mentee)
    page.goto(reverse("mfa_activate_totp"))
    page.locator("main input[type=password]").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url.endswith(reverse("mfa_activate_totp"))
    problems = scan(page)
    page.locator("input[name=code]").fill("000000")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator("[aria-invalid=true], [role=alert]").count()
    problems += [f"{page.url} {p}" for p in page.evaluate(UNANNOUNCED)]
    problems += scan(page)
    assert not problems, "\n".join(problems)


FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  return el.matches(':focus-visible') && (outline || style.boxShadow !== 'none');
}"""


def _tab_to(page, selector: str, *, key: str = "Tab", limit: int = 30) -> None:
    """Press Tab (or Shift+Tab) until `selector` has the focus, checking each stop shows it."""
    for _ in range(limit):
        page.keyboard.press(key)
        assert page.evaluate(FOCUS_VISIBLE), page.evaluate("document.activeElement.outerHTML")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never took the focus by {key}")


def test_sign_in_and_change_language_by_keyboard_only(page_for, mentee, password, snap):
    page = page_for(None)
    page.goto(reverse("account_login"))
    # The first stop is the skip link: it shows itself and moves the focus to the content.
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    assert page.evaluate(FOCUS_VISIBLE)
    assert skip.bounding_box()["x"] >= 0
    snap(page, "skip-link")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    _tab_to(page, "#id_login")
    page.keyboard.type(mentee.email)
    _tab_to(page, "#id_password")
    page.keyboard.type(password)
    _tab_to(page, "#id_remember")
    page.keyboard.press("Space")
    assert page.locator("#id_remember").is_checked()
    # Back up to the password field, and sign in from it with Enter.
    _tab_to(page, "#id_password", key="Shift+Tab")
    snap(page, "password-focused")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/login/" not in page.url
    assert page.locator(".user-nav").get_by_text(mentee.get_short_name()).count() == 1

    # The footer's language switch: choose Türkçe with the keyboard and press its button.
    _tab_to(page, "#language-select")
    select = page.locator("#language-select")
    for _ in range(3):
        if select.input_value() == "tr":
            break
        page.keyboard.press("ArrowDown")
    assert select.input_value() == "tr"
    _tab_to(page, ".language-switch button")
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert page.locator("html").get_attribute("lang") == "tr"
    snap(page, "turkish")
