"""Rate limits on the links mailed to people (invitations, surveys, unsubscribe) and on the pages
that send mail for HR: past the rate the answer is a 429 page that changes and sends nothing."""

import datetime

import pytest
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from feedback import links
from feedback.models import MailPreferences, SurveyInvitation
from mentorship.security_log import client_ip
from programs.models import Enrolment
from tests.factories import UserFactory
from tests.feedback.factories import SurveyInvitationFactory, SurveyScheduleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]


@pytest.fixture
def low_limits(settings):
    settings.RATE_LIMITS = {"signed_link": "5/m", "refused_link": "3/m", "sending_mail": "2/h"}


def _statuses(client, url, times, **extra):
    return [client.get(url, **extra).status_code for _ in range(times)]


def test_a_client_guessing_invitation_links_gets_429(client, low_limits):
    url = reverse("programs:invitation_accept", args=["guessed-token"])

    assert 429 not in _statuses(client, url, 4)  # 3 refusals allowed, the 4th is counted
    response = client.get(url)

    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()


def test_a_guessing_client_is_refused_its_good_links_too(client, low_limits, mentee):
    good = _survey_link(mentee)
    assert client.get(good).status_code == 200
    _statuses(client, reverse("programs:invitation_accept", args=["guessed"]), 4)

    assert client.get(good).status_code == 429


def test_good_links_from_one_address_are_not_counted_as_refused(client, low_limits, mentee):
    # A company behind one address: a cohort opening its survey is not guessing.
    good = _survey_link(mentee)

    assert _statuses(client, good, 5) == [200] * 5
    assert client.get(good).status_code == 429  # only the flood limit, far higher in practice


def test_the_limit_counts_per_client_address(client, low_limits):
    url = reverse("programs:invitation_accept", args=["guessed-token"])
    _statuses(client, url, 4, REMOTE_ADDR="10.0.0.1")

    assert client.get(url, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.get(url, REMOTE_ADDR="10.0.0.2").status_code != 429


def _survey_link(mentee) -> str:
    enrolment = Enrolment.objects.get(user=mentee)
    schedule = SurveyScheduleFactory(program=enrolment.program)
    invitation = SurveyInvitationFactory(schedule=schedule, enrolment=enrolment)
    return reverse("feedback:survey_answer", args=[links.survey_token(invitation.public_id)])


def test_survey_and_unsubscribe_links_share_the_signed_link_limit(client, low_limits, mentee):
    survey = _survey_link(mentee)
    unsubscribe = reverse(
        "feedback:unsubscribe", args=[links.unsubscribe_token(mentee.pk, "survey_reminders")]
    )

    assert _statuses(client, survey, 4) == [200] * 4
    assert client.get(unsubscribe).status_code == 200
    assert client.get(survey).status_code == 429
    # One-click unsubscribing by POST is refused too, and turns nothing off.
    assert client.post(unsubscribe).status_code == 429
    assert not MailPreferences.objects.filter(user=mentee, survey_reminders=False).exists()


def test_the_429_page_speaks_the_readers_language(client, low_limits):
    url = reverse("programs:invitation_accept", args=["guessed-token"])
    _statuses(client, url, 4)

    response = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")

    assert response.status_code == 429
    assert 'lang="vi"' in response.content.decode()
    assert "Too many requests" not in response.content.decode()


def test_hr_sending_invitations_past_the_rate_is_refused_and_sends_nothing(
    client_for, hr_admin, program, low_limits, django_capture_on_commit_callbacks
):
    client = client_for(hr_admin)
    url = reverse("programs:invite", kwargs={"slug": program.slug})

    for number in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                url, {"people": f"person{number}@example.com", "role": "mentee", "language": "en"}
            )
        assert response.status_code == 302
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(
            url, {"people": "one-too-many@example.com", "role": "mentee", "language": "en"}
        )

    assert refused.status_code == 429
    assert len(mail.outbox) == sent
    assert not Enrolment.objects.filter(user__email="one-too-many@example.com").exists()
    # Opening the form is not sending: it still opens.
    assert client.get(url).status_code == 200


def test_the_mail_limit_counts_per_hr_admin(client_for, hr_admin, program, low_limits):
    url = reverse("programs:invite", kwargs={"slug": program.slug})
    first = client_for(hr_admin)
    answers = [
        first.post(url, {"people": f"p{n}@example.com", "role": "mentee", "language": "en"})
        for n in range(3)
    ]
    assert answers[-1].status_code == 429
    other = client_for(UserFactory(is_hr_admin=True))

    response = other.post(url, {"people": "p9@example.com", "role": "mentee", "language": "en"})

    assert response.status_code == 302


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "127.0.0.1"),  # no proxy trusted: the header is the client's own words
        (1, "198.51.100.7, 203.0.113.9", "203.0.113.9"),  # what our one proxy saw
        (2, "198.51.100.7, 203.0.113.9", "198.51.100.7"),
        (2, "203.0.113.9", "127.0.0.1"),  # fewer entries than proxies: not trusted
        (1, "198.51.100.7, 203.0.113.9:5555", "203.0.113.9"),  # a gateway that adds the port
        (1, "[2001:db8::7]:443", "2001:db8::7"),
        (1, "unknown", "127.0.0.1"),  # not an address: the connection's own
        (1, "::ffff:203.0.113.9", "203.0.113.9"),  # IPv4 through a dual-stack listener
    ],
)
def test_the_client_address_trusts_only_the_configured_proxies(
    settings, proxies, forwarded, expected
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


def test_a_forwarded_value_that_is_no_address_never_breaks_a_link(client, settings, mentee):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1

    response = client.get(_survey_link(mentee), HTTP_X_FORWARDED_FOR="unknown")

    assert response.status_code == 200


def test_forged_survey_links_count_as_refused(client, low_limits, mentee):
    # The survey view answers a forged token with a 404 it raises, not one it returns.
    forged = reverse("feedback:survey_answer", args=["forged-token"])

    assert _statuses(client, forged, 4) == [404] * 4
    assert client.get(forged).status_code == 429


def test_an_expired_or_closed_link_is_not_counted_as_a_guess(client, low_limits, mentee):
    # People click old mails: a link we issued (410 when closed) is not guessing.
    closed = _survey_link(mentee)
    SurveyInvitation.objects.update(closes_at=timezone.now() - datetime.timedelta(days=1))

    assert _statuses(client, closed, 5) == [410] * 5


def test_the_429_page_says_when_to_try_again_and_is_not_cached(client, low_limits):
    url = reverse("programs:invitation_accept", args=["guessed-token"])
    _statuses(client, url, 4)

    response = client.get(url)

    assert response["Retry-After"] == "60"
    assert "no-store" in response["Cache-Control"]
