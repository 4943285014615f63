"""Accounts through allauth and the real test client: creation by HR, sign-in, lockout,
email verification, password reset and TOTP enrolment."""

import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.urls import reverse
from django.utils import translation

from mentorship.accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"


def _link_in(message, path_fragment: str) -> str:
    urls = re.findall(r"https?://[^\s\"<>]+", message.body)
    matching = [url for url in urls if path_fragment in url]
    assert matching, f"no link with {path_fragment!r} in:\n{message.body}"
    return matching[0].split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def _sign_in(client, email: str, password: str):
    return client.post(LOGIN_URL, {"login": email, "password": password})


def _is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _set_password_from_link(client, link: str, new_password: str):
    # allauth moves the key from the URL into the session, then shows the form.
    response = client.get(link, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    return client.post(form_url, {"password1": new_password, "password2": new_password})


def test_hr_admin_creates_an_account_whose_owner_sets_a_password_and_signs_in(
    client, hr_admin, django_capture_on_commit_callbacks, celery_eager
):
    client.force_login(hr_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:person_create"),
            {
                "email": "  New.Person@Example.com ",
                "full_name": "Nguyễn Văn An",
                "preferred_language": "en",
                "time_zone": "Asia/Ho_Chi_Minh",
                "is_executive": "on",
            },
        )
    assert response.status_code == 302
    person = User.objects.get(email="new.person@example.com")
    assert person.is_executive and not person.is_hr_admin
    assert not person.has_usable_password()
    assert not EmailAddress.objects.get(user=person).verified

    assert len(mail.outbox) == 1
    welcome = mail.outbox[0]
    assert welcome.to == ["new.person@example.com"]
    assert "Hana HR" in welcome.body
    link = _link_in(welcome, "/accounts/password/reset/key/")

    client.logout()
    response = _set_password_from_link(client, link, "a-brand-new-passphrase-9")
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password("a-brand-new-passphrase-9")
    # Using the mailed key proved the address: no second verification mail is needed.
    assert EmailAddress.objects.get(user=person).verified

    response = _sign_in(client, "new.person@example.com", "a-brand-new-passphrase-9")
    assert response.status_code == 302
    assert _is_signed_in(client)


def test_welcome_mail_is_in_the_new_persons_language(
    client, hr_admin, django_capture_on_commit_callbacks, celery_eager
):
    client.force_login(hr_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:person_create"),
            {
                "email": "ayse@example.com",
                "full_name": "Ayşe Demir",
                "preferred_language": "tr",
                "time_zone": "Europe/Istanbul",
            },
        )
    assert mail.outbox[0].subject == "Tersine Mentorluk hesabınız hazır"


def test_creating_an_account_with_a_taken_email_changes_nothing(client, hr_admin, participant):
    client.force_login(hr_admin)
    response = client.post(
        reverse("accounts:person_create"),
        {
            "email": participant.email.upper(),
            "full_name": "Someone Else",
            "preferred_language": "en",
            "time_zone": "UTC",
        },
    )
    assert response.status_code == 200
    assert "An account with this email address already exists." in response.content.decode()
    assert User.objects.filter(email__iexact=participant.email).count() == 1
    assert mail.outbox == []


def test_creating_an_account_with_an_unknown_time_zone_is_refused(client, hr_admin):
    client.force_login(hr_admin)
    response = client.post(
        reverse("accounts:person_create"),
        {
            "email": "x@example.com",
            "full_name": "X",
            "preferred_language": "en",
            "time_zone": "Mars/Olympus_Mons",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="x@example.com").exists()


def test_public_sign_up_is_closed(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "stranger@example.com",
            "password1": "pw-123456789x",
            "password2": "pw-123456789x",
        },
    )
    assert not User.objects.filter(email="stranger@example.com").exists()
    assert response.status_code == 200
    assert "account/signup_closed.html" in [template.name for template in response.templates]


def test_sign_in_with_the_right_password(client, participant, password):
    response = _sign_in(client, participant.email, password)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _is_signed_in(client)


def test_sign_in_with_a_wrong_password_is_refused(client, participant):
    response = _sign_in(client, participant.email, "not-the-password")
    assert response.status_code == 200
    assert not _is_signed_in(client)
    assert "not correct" in response.content.decode()


def test_sign_in_is_locked_after_five_failures_even_with_the_right_password(
    client, participant, password
):
    for _ in range(5):
        _sign_in(client, participant.email, "wrong-password")
    response = _sign_in(client, participant.email, password)
    assert response.status_code == 200
    assert not _is_signed_in(client)
    assert "Too many failed login attempts" in response.content.decode()


def test_sign_out(client, participant):
    client.force_login(participant)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not _is_signed_in(client)


def test_unverified_address_gets_a_verification_mail_and_cannot_sign_in_until_confirmed(
    client, password
):
    person = UserFactory(email="fresh@example.com", verified_email=False)

    response = _sign_in(client, person.email, password)
    assert not _is_signed_in(client)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert len(mail.outbox) == 1
    link = _link_in(mail.outbox[0], "/accounts/confirm-email/")

    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=person).verified

    _sign_in(client, person.email, password)
    assert _is_signed_in(client)


def test_password_reset_mails_a_link_that_sets_a_new_password(client, participant):
    response = client.post("/accounts/password/reset/", {"email": participant.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [participant.email]
    link = _link_in(mail.outbox[0], "/accounts/password/reset/key/")

    _set_password_from_link(client, link, "another-long-passphrase-7")
    participant.refresh_from_db()
    assert participant.check_password("another-long-passphrase-7")


def _current_totp(secret: str) -> str:
    import time

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_totp_enrolment_then_sign_in_asks_for_the_code(client, participant, password):
    with time_machine.travel("2026-11-25 10:00:00+00:00", tick=False):
        _sign_in(client, participant.email, password)
        # Turning on two-factor asks for the password again first.
        response = client.get("/accounts/2fa/totp/activate/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/reauthenticate/")
        client.post(response["Location"], {"password": password})
        response = client.get("/accounts/2fa/totp/activate/")
        assert response.status_code == 200
        secret = response.context["form"].secret

        response = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
        assert not Authenticator.objects.filter(user=participant).exists()

        response = client.post("/accounts/2fa/totp/activate/", {"code": _current_totp(secret)})
        assert response.status_code == 302
        assert Authenticator.objects.filter(user=participant, type=Authenticator.Type.TOTP).exists()
        assert Authenticator.objects.filter(
            user=participant, type=Authenticator.Type.RECOVERY_CODES
        ).exists()
        client.post("/accounts/logout/")

    with time_machine.travel("2026-11-25 10:05:00+00:00", tick=False):
        response = _sign_in(client, participant.email, password)
        assert response.status_code == 302
        assert response["Location"] == "/accounts/2fa/authenticate/"
        assert not _is_signed_in(client)

        response = client.post("/accounts/2fa/authenticate/", {"code": "123456"})
        assert not _is_signed_in(client)

        client.post("/accounts/2fa/authenticate/", {"code": _current_totp(secret)})
        assert _is_signed_in(client)


def test_inactive_account_cannot_sign_in(client, inactive_user, password):
    _sign_in(client, inactive_user.email, password)
    assert not _is_signed_in(client)


def test_sign_in_page_does_not_invite_people_to_sign_up(client):
    html = client.get(LOGIN_URL).content.decode()
    assert "/accounts/signup/" not in html
    assert "Accounts are created by your HR team" in html


def test_welcome_mail_text_is_not_html_escaped(
    client, django_capture_on_commit_callbacks, celery_eager
):
    creator = UserFactory(full_name="Zoë D'Arcy & Co", is_hr_admin=True)
    client.force_login(creator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:person_create"),
            {
                "email": "obrien@example.com",
                "full_name": "Seán O'Brien",
                "preferred_language": "en",
                "time_zone": "UTC",
            },
        )
    body = mail.outbox[0].body
    assert "Hello Seán O'Brien," in body
    assert "Zoë D'Arcy & Co created an account" in body
    html = mail.outbox[0].alternatives[0][0]
    assert "O&#x27;Brien" in html


def test_welcome_mail_is_queued_for_the_worker_not_sent_in_the_request(
    client, hr_admin, django_capture_on_commit_callbacks
):
    # No eager mode and no worker here: the page answers and the mail waits in the broker.
    client.force_login(hr_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:person_create"),
            {
                "email": "queued@example.com",
                "full_name": "Q",
                "preferred_language": "en",
                "time_zone": "UTC",
            },
        )
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_reset_mail_is_in_the_recipients_language(client):
    person = UserFactory(preferred_language="tr")
    client.post("/accounts/password/reset/", {"email": person.email})
    with translation.override("tr"):
        expected = translation.gettext("Password Reset Email")
    assert expected != "Password Reset Email"
    assert expected in mail.outbox[0].subject


def test_the_admin_back_office_signs_in_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
