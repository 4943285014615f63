"""Real-browser tests: Debian's Chromium (/usr/bin/chromium) driven by Playwright against the
live test server, with screenshots of each step kept as test artefacts.

No browser is downloaded: Playwright's own builds cannot be fetched here. Without Chromium these
tests skip, except under CI=true, where `.ci/run` installs it and a missing browser fails.
"""

import importlib
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
ARTEFACTS = Path(settings.VAR_DIR) / "test-artifacts" / "browser"
# Words that read the same in a language as in English: not a missing translation.
SPELLED_ALIKE = {("tr", "Program")}
SEEDS = [
    ("programs.migrations.0002_seed_topics", "seed_topics"),
    ("feedback.migrations.0002_builtin_templates", "add_builtin_templates"),
]


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM):
        return
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            if os.environ.get("CI") == "true":
                # Under CI nothing skips: each browser test errors, naming what is missing.
                item.add_marker(pytest.mark.usefixtures("_chromium_required"))
            else:
                item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} is missing"))


@pytest.fixture
def _chromium_required():
    pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")


@pytest.fixture(scope="module")
def browser():
    """Chromium, for one test module. Playwright's sync API runs an event loop in this thread
    while it is open, and Django refuses ORM calls beside a running loop unless told that the
    process knows what it does: the flag is set only while the loop runs, so it never reaches
    the tests after these or the processes they start (check --deploy warns of it)."""
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _seeded_catalogue(transactional_db):
    """The migrations' data (the topic catalogue, the built-in surveys) before each test.
    Transactional tests empty the database after themselves, and serialized rollback cannot
    put it back here: beside Playwright's event loop Django hands out a connection of its own,
    which never saw the serialized copy. The seeding functions are idempotent."""
    from django.apps import apps

    for module, function in SEEDS:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture
def page_for(browser, live_server, celery_eager):
    """`page_for(user, language="en", phone=False)`: a fresh browser tab on the live server,
    signed in as `user` (None: anonymous), in `language`, at a desktop or phone size. Celery
    tasks run in the server's process (eagerly) and mail goes to `mail.outbox`.

    Every page any browser test opens must keep to the Content-Security-Policy: Chromium
    reports each refused script or style on the console, and the test fails at its end when
    it saw one (`open_page.csp_violations` lists them as they come)."""
    contexts = []
    violations: list[str] = []

    def on_console(page, message):
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    def open_page(user=None, *, language: str = "en", phone: bool = False):
        context = browser.new_context(
            base_url=live_server.url, locale=language, **(PHONE if phone else DESKTOP)
        )
        contexts.append(context)
        host = live_server.url.split("//", 1)[1].split(":", 1)[0]
        cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language}]
        if user is not None:
            user.preferred_language = language
            user.save(update_fields=["preferred_language"])
            client = Client()
            client.force_login(user)
            session = client.cookies[settings.SESSION_COOKIE_NAME].value
            cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": session})
        context.add_cookies([{**cookie, "domain": host, "path": "/"} for cookie in cookies])
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("console", lambda message: on_console(page, message))
        return page

    open_page.csp_violations = violations
    yield open_page
    for context in contexts:
        context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def snap(request):
    """`snap(page, step)` saves a full-page screenshot as a test artefact, numbered in order,
    under var/test-artifacts/browser/<test>/."""
    folder = ARTEFACTS / re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    steps = []

    def take(page, step: str) -> Path:
        steps.append(step)
        name = re.sub(r"[^\w.-]+", "_", step)
        path = folder / f"{len(steps):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def say(language: str, text: str, plural: str | None = None, count: int = 1, **values) -> str:
    """`text` as the page shows it in `language`, read from the catalogue; a string the
    catalogue leaves untranslated fails here rather than passing in English."""
    with translation.override(language):
        said = translation.ngettext(text, plural, count) if plural else translation.gettext(text)
    assert language == "en" or said != text or (language, text) in SPELLED_ALIKE, (
        f"not translated into {language}: {text!r}"
    )
    return said % values if values else said
