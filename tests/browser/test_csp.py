"""The Content-Security-Policy in a real browser. Every browser test fails on a refused script
or style (tests/browser/conftest.py), so the page sweeps of test_accessibility.py and the
journeys check the product's pages; this module shows that the check catches a violation and
covers the pages no other browser test opens: Django's admin, each model's list, add form and
the change form of one of its rows."""

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse

from mentorship.audit.models import AuditEvent
from mentorship.audit.services import audit_record
from tests import test_every_url
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

# One of everything the product's pages show (a program, a pair, surveys, deliveries...).
world = test_every_url.world


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


def _one_of_each_model_the_world_lacks(superuser) -> None:
    """The admin's models that the URL table's world has no row of."""
    Group.objects.create(name="Back office")
    app = SocialApp.objects.create(provider="openid_connect", provider_id="acme", name="Acme ID")
    account = SocialAccount.objects.create(user=superuser, provider="acme", uid="sub-1")
    SocialToken.objects.create(app=app, account=account, token="opaque")
    audit_record(actor=superuser, action=AuditEvent.Action.CREATED, target=superuser)


def test_the_admin_pages_keep_to_the_policy(page_for, world):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    _one_of_each_model_the_world_lacks(superuser)
    request = RequestFactory().get("/")
    request.user = superuser
    page = page_for(superuser)
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(request):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
        # Its change form, or the read-only view of it where change is not permitted.
        instance = model._default_manager.first()
        assert instance is not None, f"create a {model._meta.label} to open in the admin"
        urls.append(reverse("admin:{}_{}_change".format(*info), args=[instance.pk]))
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, url
    assert len(admin.site._registry) > 5
