"""A person reads the site in their own language and time zone; the switch remembers it."""

import pytest
from django.urls import reverse
from django.utils import translation

from mentorship.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "sign_out"), [("en", "Sign out"), ("vi", "Đăng xuất"), ("tr", "Çıkış yap")]
)
def test_pages_are_in_the_persons_language(client, participant, language, sign_out):
    User.objects.filter(pk=participant.pk).update(preferred_language=language)
    client.force_login(participant)
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert sign_out in html
    assert response["Content-Language"] == language


def test_language_switch_is_remembered_on_the_account(client, participant):
    client.force_login(participant)
    response = client.post(reverse("set_language"), {"language": "vi", "next": "/profile/"})
    assert response.status_code == 302
    assert response["Location"] == "/profile/"
    participant.refresh_from_db()
    assert participant.preferred_language == "vi"


def test_language_switch_ignores_unknown_languages(client, participant):
    client.force_login(participant)
    client.post(reverse("set_language"), {"language": "xx"})
    participant.refresh_from_db()
    assert participant.preferred_language == "en"


def test_anonymous_visitor_switches_language_by_cookie(client):
    client.post(reverse("set_language"), {"language": "tr"})
    response = client.get(reverse("home"))
    assert '<html lang="tr">' in response.content.decode()


def test_language_switch_refuses_a_redirect_to_another_site(client):
    response = client.post(
        reverse("set_language"), {"language": "tr", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_pages_use_the_persons_time_zone(client, participant):
    User.objects.filter(pk=participant.pk).update(time_zone="Asia/Ho_Chi_Minh")
    client.force_login(participant)
    response = client.get(reverse("home"))
    assert response.context["TIME_ZONE"] == "Asia/Ho_Chi_Minh"


def test_profile_changes_language_and_time_zone(client, participant):
    client.force_login(participant)
    response = client.post(
        reverse("accounts:profile"),
        {
            "full_name": "  Mai   Mentor ",
            "preferred_language": "tr",
            "time_zone": "Europe/Istanbul",
        },
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert (participant.full_name, participant.preferred_language, participant.time_zone) == (
        "Mai Mentor",
        "tr",
        "Europe/Istanbul",
    )


def test_profile_refuses_an_unknown_time_zone_in_the_persons_language(client, participant):
    User.objects.filter(pk=participant.pk).update(preferred_language="tr")
    client.force_login(participant)
    response = client.post(
        reverse("accounts:profile"),
        {"full_name": "Mai", "preferred_language": "tr", "time_zone": "Nowhere/Land"},
    )
    assert response.status_code == 200
    participant.refresh_from_db()
    assert participant.time_zone == "UTC"
    with translation.override("tr"):
        assert "Geçerli bir seçenek seçin" in response.content.decode()


def test_the_signed_in_message_is_in_the_persons_language(client, participant, password):
    User.objects.filter(pk=participant.pk).update(preferred_language="tr")
    response = client.post(
        "/accounts/login/", {"login": participant.email, "password": password}, follow=True
    )
    messages = [str(message) for message in response.context["messages"]]
    assert messages == [f"{participant.full_name} olarak başarıyla giriş yapıldı."]
