"""HR admins and executives cannot use the product until they have set up two-factor
authentication; participants are not asked to."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SETUP = reverse("mfa_activate_totp")


@pytest.mark.parametrize("role", ["is_hr_admin", "is_executive"])
def test_a_privileged_person_without_a_second_factor_is_sent_to_set_one_up(client, role):
    person = UserFactory(**{role: True}, with_mfa=False)
    client.force_login(person)
    for url in (reverse("home"), reverse("dashboard"), reverse("programs:program_list")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == SETUP
    # Setting it up (the password is asked again first), signing out and the language switch
    # stay open.
    assert not client.get(SETUP)["Location"].startswith(SETUP)
    assert client.post(reverse("set_language"), {"language": "vi"}).status_code == 302
    page = client.get(SETUP, follow=True).content.decode()
    assert "two-factor authentication" in page


@pytest.mark.parametrize("role", ["is_hr_admin", "is_executive"])
def test_with_a_second_factor_the_pages_open(client, role):
    person = UserFactory(**{role: True})
    assert Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists()
    client.force_login(person)
    assert client.get(reverse("dashboard")).status_code == 200


def test_participants_are_not_asked_for_a_second_factor(client_for, participant):
    assert client_for(participant).get(reverse("home")).status_code == 200


def test_the_demo_may_turn_it_off(client, settings):
    settings.MFA_REQUIRED_FOR_PRIVILEGED = False
    client.force_login(UserFactory(is_hr_admin=True, with_mfa=False))
    assert client.get(reverse("programs:program_list")).status_code == 200


@pytest.mark.parametrize("flags", [{"is_staff": True}, {"is_staff": True, "is_superuser": True}])
def test_the_back_office_needs_a_second_factor_too(client, flags):
    client.force_login(UserFactory(**flags))
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302 and response["Location"] == SETUP
