"""Signed-in pages stay out of caches, idle sessions end (sooner for HR admins and
executives), a deactivated account's session stops working, and sign-ins are logged."""

import datetime
import logging

import pytest
import time_machine
from django.urls import reverse

pytestmark = pytest.mark.django_db
START = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_signed_in_pages_are_never_cached(client_for, participant, hr_admin):
    for person, url in (
        (participant, reverse("home")),
        (hr_admin, reverse("programs:program_list")),
    ):
        response = client_for(person).get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.mark.parametrize("who", ["hr_admin", "executive"])
def test_privileged_people_are_signed_out_after_30_idle_minutes(request, client_for, who):
    person = request.getfixturevalue(who)
    with time_machine.travel(START, tick=False) as clock:
        client = client_for(person)
        assert client.get(reverse("home")).status_code == 200
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get(reverse("home")).status_code == 200
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get(reverse("home")).status_code == 200 and signed_in(client)
        clock.shift(datetime.timedelta(minutes=31))
        response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and "login" in response["Location"]
    assert not signed_in(client)
    page = client.get(response["Location"]).content.decode()
    assert "signed out after 30 minutes without activity" in page


def test_participants_keep_their_session_through_a_long_meeting(client_for, participant):
    with time_machine.travel(START, tick=False) as clock:
        client = client_for(participant)
        client.get(reverse("home"))
        clock.shift(datetime.timedelta(hours=3))
        assert client.get(reverse("home")).status_code == 200 and signed_in(client)
        clock.shift(datetime.timedelta(hours=13))
        response = client.get(reverse("home"))
    assert response.status_code == 302 and "login" in response["Location"]
    assert not signed_in(client)


def test_a_deactivated_account_is_signed_out_on_its_next_request(client_for, participant):
    client = client_for(participant)
    assert signed_in(client)
    participant.is_active = False
    participant.save(update_fields=["is_active"])
    response = client.get(reverse("programs:my_programs"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_sign_ins_and_failures_are_logged_without_the_address(
    client, participant, password, caplog
):
    caplog.set_level(logging.INFO, logger="mentorship.security")
    client.post(reverse("account_login"), {"login": participant.email, "password": "wrong"})
    client.post(reverse("account_login"), {"login": participant.email, "password": password})
    lines = [record.getMessage() for record in caplog.records]
    assert any(line.startswith("failed sign-in: login ") for line in lines)
    assert f"sign-in: user {participant.pk} from 127.0.0.1" in lines
    assert not any(participant.email in line for line in lines)
