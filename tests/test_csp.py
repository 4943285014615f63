"""The Content-Security-Policy: sent with every page, allowing script and style from our own
origin only; and no template of a page holds what that policy would refuse (an inline script,
a <style>, a style or on... attribute, a javascript: address). Real browsers enforce it in
tests/browser (each browser test fails on a reported violation)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests import test_every_url
from tests.test_every_url import _table

pytestmark = pytest.mark.django_db
# The same cast and data as the walk over every URL.
world = test_every_url.world

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Not pages: mail bodies (a mail client ignores our CSP and needs inline style) and the PDF
# report's print template (xhtml2pdf reads a <style>; no browser ever shows it).
NOT_PAGES = ("email/", "mentorship/dashboard_report.html")
REFUSED = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "<style> element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"<[^>]+\sstyle\s*=", re.I),
    "event handler attribute": re.compile(r"<[^>]+\son[a-z]+\s*=", re.I),
    "javascript: address": re.compile(r"javascript:", re.I),
}


def _directives(header: str) -> dict[str, list[str]]:
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def test_the_policy_allows_script_and_style_from_our_origin_only(client):
    response = client.get(reverse("account_login"))
    policy = _directives(response["Content-Security-Policy"])

    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.mark.parametrize("role", ["anonymous", "mentee", "hr_admin"])
def test_every_page_is_sent_with_the_policy(client_for, world, role, request):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    client = client_for(user)
    missing = []
    for name, (kwargs, _allowed) in _table(world).items():
        response = client.get(reverse(name, kwargs=kwargs))
        if "Content-Security-Policy" not in response:
            missing.append(f"{name} ({response.status_code})")
    assert not missing
    assert "Content-Security-Policy" in client.get("/no-such-page/")


def test_no_page_template_holds_what_the_policy_refuses():
    pages = [
        path
        for path in TEMPLATES.rglob("*.html")
        if not any(part in path.relative_to(TEMPLATES).as_posix() for part in NOT_PAGES)
    ]
    found = [
        f"{path.relative_to(TEMPLATES)}: {what}"
        for path in pages
        for what, pattern in REFUSED.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert len(pages) > 50
    assert not found, found


def test_the_template_check_catches_what_it_looks_for():
    samples = {
        "inline script": "<script>alert(1)</script>",
        "<style> element": "<style>p{}</style>",
        "style attribute": '<p class="x" style="color:red">',
        "event handler attribute": '<img src="a.png" onerror="go()">',
        "javascript: address": '<a href="javascript:go()">',
    }
    for what, sample in samples.items():
        assert REFUSED[what].search(sample), what
    assert not REFUSED["inline script"].search('<script src="/static/a.js"></script>')
