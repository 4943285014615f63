"""Mail preferences (signed in, the HR digest only for HR admins) and the unsubscribe link of
each mail: a GET only asks, a POST (one-click from a mail client, without a CSRF token) turns
that one kind of mail off for the person the link names, and nobody else."""

import uuid

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from feedback import links
from feedback.models import MailPreferences
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ALL_ON = {
    "survey_invitations": "on",
    "survey_reminders": "on",
    "session_reminders": "on",
    "log_reminders": "on",
    "cadence_reminders": "on",
}


def preferences_url() -> str:
    return reverse("feedback:preferences")


def unsubscribe_url(user, preference: str = "survey_reminders") -> str:
    return reverse("feedback:unsubscribe", args=[links.unsubscribe_token(user.pk, preference)])


def mixed_token(payload_from: str, signature_from: str) -> str:
    payload = payload_from.rsplit(":", 2)[0]
    return ":".join([payload, *signature_from.rsplit(":", 2)[1:]])


# --- Preferences page ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["mentor", "mentee", "other_mentee", "other_mentor", "executive"])
def test_each_signed_in_person_sees_their_preferences_without_the_hr_digest(
    client_for, people, role
):
    response = client_for(people[role]).get(preferences_url())
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert 'name="survey_reminders"' in html
    assert 'name="hr_digest"' not in html


def test_an_hr_admin_also_chooses_the_weekly_digest(client_for, hr_admin):
    html = client_for(hr_admin).get(preferences_url()).content.decode()
    assert 'name="hr_digest"' in html


def test_without_a_row_every_mail_is_ticked(client_for, mentor):
    html = client_for(mentor).get(preferences_url()).content.decode()
    assert html.count("checked") == 5
    assert not MailPreferences.objects.exists()


@pytest.mark.parametrize("who", ["anonymous", "inactive"])
def test_the_preferences_page_asks_to_sign_in(client_for, inactive_user, who):
    client = client_for(inactive_user if who == "inactive" else None)
    for response in (client.get(preferences_url()), client.post(preferences_url(), ALL_ON)):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert not MailPreferences.objects.exists()


def test_saving_stores_the_unticked_boxes_as_off_and_says_so(client_for, mentor):
    client = client_for(mentor)
    choices = {**ALL_ON}
    del choices["survey_reminders"]
    response = client.post(preferences_url(), choices, follow=True)
    assert "Your mail preferences were saved." in response.content.decode()
    saved = MailPreferences.objects.get(user=mentor)
    assert saved.survey_reminders is False
    assert saved.survey_invitations is True and saved.cadence_reminders is True

    # Saving again updates the same row.
    client.post(preferences_url(), ALL_ON)
    assert MailPreferences.objects.get(user=mentor).survey_reminders is True
    assert MailPreferences.objects.count() == 1


def test_a_participant_cannot_change_the_hr_digest(client_for, mentor):
    client_for(mentor).post(preferences_url(), {**ALL_ON, "hr_digest": ""})
    assert MailPreferences.objects.get(user=mentor).hr_digest is True


def test_an_hr_admin_turns_the_digest_off(client_for, hr_admin):
    client_for(hr_admin).post(preferences_url(), ALL_ON)
    assert MailPreferences.objects.get(user=hr_admin).hr_digest is False


def test_saving_changes_only_ones_own_row(client_for, mentor, mentee):
    client_for(mentor).post(preferences_url(), {**ALL_ON, "user": mentee.pk})
    assert list(MailPreferences.objects.values_list("user", flat=True)) == [mentor.pk]


@pytest.mark.parametrize("method", ["put", "delete"])
def test_the_preferences_page_takes_only_get_and_post(client_for, mentor, method):
    assert getattr(client_for(mentor), method)(preferences_url()).status_code == 405


# --- Unsubscribe --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role",
    ["anonymous", "mentor", "mentee", "other_mentee", "other_mentor", "executive", "hr_admin"],
)
def test_an_unsubscribe_link_asks_first_and_a_get_changes_nothing(client_for, people, role):
    # Mail scanners open every link of a message: a GET must never turn anything off.
    response = client_for(people[role]).get(unsubscribe_url(people["mentee"]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "Stop these emails" in html
    assert "reminders of a survey I have not answered" in html
    assert not MailPreferences.objects.exists()


def test_the_link_of_an_inactive_person_still_turns_their_mail_off(client, inactive_user):
    assert client.get(unsubscribe_url(inactive_user)).status_code == 200
    assert client.post(unsubscribe_url(inactive_user)).status_code == 200
    assert MailPreferences.objects.get(user=inactive_user).survey_reminders is False


def test_one_click_unsubscribe_works_without_a_csrf_token_or_a_session(mentee):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        unsubscribe_url(mentee),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Done" in html and preferences_url() in html
    saved = MailPreferences.objects.get(user=mentee)
    assert saved.survey_reminders is False
    # Only that kind of mail.
    assert saved.survey_invitations and saved.session_reminders and saved.log_reminders
    assert saved.cadence_reminders and saved.hr_digest


def test_unsubscribing_keeps_the_other_choices_already_made(client, mentee):
    MailPreferences.objects.create(user=mentee, log_reminders=False)
    client.post(unsubscribe_url(mentee, "session_reminders"))
    saved = MailPreferences.objects.get(user=mentee)
    assert (saved.log_reminders, saved.session_reminders, saved.survey_reminders) == (
        False,
        False,
        True,
    )


def test_an_unsubscribe_link_changes_the_person_it_names_not_whoever_is_signed_in(
    client_for, mentor, mentee
):
    client_for(mentor).post(unsubscribe_url(mentee))
    assert MailPreferences.objects.get(user=mentee).survey_reminders is False
    assert not MailPreferences.objects.filter(user=mentor).exists()


def test_a_forged_or_altered_unsubscribe_link_is_400_and_changes_nothing(client, mentee, mentor):
    token = links.unsubscribe_token(mentee.pk, "survey_reminders")
    bad_tokens = [
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        "not-a-token",
        # Someone else's payload with the signature of the real link.
        mixed_token(links.unsubscribe_token(mentor.pk, "survey_reminders"), token),
        # Well signed but naming a field that is no mail preference.
        signing.dumps({"u": mentee.pk, "p": "is_hr_admin"}, salt=links.UNSUBSCRIBE_SALT),
        # Well signed, but with the survey link's salt.
        links.survey_token(uuid.uuid4()),
        # Well signed, for a person who no longer exists.
        links.unsubscribe_token(10**9, "survey_reminders"),
    ]
    for bad in bad_tokens:
        url = reverse("feedback:unsubscribe", args=[bad])
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 400, bad
            assert "This unsubscribe link does not work" in response.content.decode()
    assert not MailPreferences.objects.exists()
    mentee.refresh_from_db()
    assert mentee.is_hr_admin is False


def test_the_unsubscribe_page_speaks_the_persons_language(client):
    person = UserFactory(preferred_language="tr")
    html = client.get(unsubscribe_url(person), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="tr">' in html


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_unsubscribe_link_takes_only_get_and_post(client, mentee, method):
    assert getattr(client, method)(unsubscribe_url(mentee)).status_code == 405
    assert not MailPreferences.objects.exists()
