"""The Content-Security-Policy in a real browser. Every browser test fails on a refused script
or style (tests/browser/conftest.py), so the page sweeps of test_accessibility.py and the
journeys check the product's pages; this module shows that the check catches a violation and
covers the pages no other browser test opens: Django's admin."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_inline_script_or_style_is_refused_and_reported(page_for):
    page = page_for(None)
    page.goto("/")
    page.evaluate(
        """() => {
             document.querySelector('main').insertAdjacentHTML(
               'beforeend', '<p id="styled" style="color: rgb(255, 0, 0)">red</p>');
             const script = document.createElement('script');
             script.textContent = 'document.body.dataset.ran = "yes"';
             document.body.append(script);
           }"""
    )

    assert page.eval_on_selector("#styled", "p => getComputedStyle(p).color") != "rgb(255, 0, 0)"
    assert page.evaluate("() => document.body.dataset.ran") is None
    refused = list(page_for.csp_violations)
    assert any("style" in line for line in refused), refused
    assert any("script" in line for line in refused), refused
    page_for.csp_violations.clear()  # seen: the fixture's own check must not fail this test


def test_the_admin_pages_keep_to_the_policy(page_for):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    page = page_for(superuser)
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, url
    assert len(urls) > 5
