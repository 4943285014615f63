"""Invitations by email: HR invites in bulk, the link is signed, expires, works once, and a
resend voids the older links; accepting creates the password or asks the owner to sign in."""

import datetime
import re
from urllib.parse import quote

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.messages import get_messages
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mentorship.accounts.models import User
from programs import invitations, services
from programs.models import Enrolment, EnrolmentStatus
from tests.factories import EnrolmentFactory, ProgramFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]

NEW_PASSWORD = "a-long-new-passphrase-42"
INVITED_AT = datetime.datetime(2026, 11, 10, 10, 0, tzinfo=datetime.UTC)


# --- Helpers ------------------------------------------------------------------------------------


def _invite_url(program) -> str:
    return reverse("programs:invite", kwargs={"slug": program.slug})


def _invite(client, program, lines: list[str], *, role="mentee", language="en", capture):
    with capture(execute=True):
        return client.post(
            _invite_url(program), {"people": "\n".join(lines), "role": role, "language": language}
        )


def _mail_to(email: str):
    messages = [message for message in mail.outbox if message.to == [email]]
    assert len(messages) == 1, [message.to for message in mail.outbox]
    return messages[0]


def _link_in(message) -> str:
    urls = re.findall(r"https?://[^\s\"<>]+", message.body)
    matching = [url for url in urls if "/invitations/" in url]
    assert matching, f"no invitation link in:\n{message.body}"
    return "/" + matching[0].split("://", 1)[1].split("/", 1)[1]


def _flashes(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _invited(program, user, role="mentee") -> Enrolment:
    return EnrolmentFactory(
        program=program,
        user=user,
        role=role,
        status=EnrolmentStatus.INVITED,
        invitation_key="a-key-only-this-test-knows",
        invited_at=timezone.now(),
        languages=[],
        goals="",
        guidelines_acknowledged_at=None,
        topics=[],
    )


def _accept_url(enrolment) -> str:
    return reverse("programs:invitation_accept", args=[invitations.invitation_token(enrolment)])


def _profile_url(program) -> str:
    return reverse("programs:my_profile", kwargs={"slug": program.slug})


def _password_form(password: str = NEW_PASSWORD) -> dict:
    return {"password1": password, "password2": password}


@pytest.fixture
def newcomer(program):
    """Someone HR invited whose account the invitation created: no password yet."""
    user = User.objects.create_user(
        email="newcomer@example.com", password=None, full_name="Nga Newcomer"
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    return user


@pytest.fixture
def colleague(db):
    """An existing account (with a password) that is not in the program yet."""
    return UserFactory(email="colleague@example.com", full_name="Can Colleague")


# --- Sending ------------------------------------------------------------------------------------


def test_hr_invites_three_people_in_bulk_each_mailed_in_their_own_language(
    client_for, hr_admin, program, django_capture_on_commit_callbacks
):
    ayse = UserFactory(
        email="ayse@example.com",
        full_name="Ayşe Demir",
        preferred_language="tr",
        time_zone="Europe/Istanbul",
    )
    with time_machine.travel(INVITED_AT, tick=False):
        response = _invite(
            client_for(hr_admin),
            program,
            [
                "AYSE@example.com",
                "",
                "  an.nguyen@example.com ,  Nguyễn  Văn An ",
                "binh@example.com",
            ],
            role="mentor",
            language="vi",
            capture=django_capture_on_commit_callbacks,
        )

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "programs:participant_list", kwargs={"slug": program.slug}
    )
    assert _flashes(response) == ["3 people invited."]

    an = User.objects.get(email="an.nguyen@example.com")
    binh = User.objects.get(email="binh@example.com")
    assert (an.full_name, binh.full_name) == ("Nguyễn Văn An", "binh")
    for person in (an, binh):
        assert person.preferred_language == "vi"
        assert not person.has_usable_password()
        assert not EmailAddress.objects.get(user=person).verified
    ayse.refresh_from_db()
    assert (ayse.full_name, ayse.preferred_language) == ("Ayşe Demir", "tr")
    assert ayse.has_usable_password()

    enrolments = Enrolment.objects.filter(program=program, user__in=[ayse, an, binh])
    assert len(enrolments) == 3
    for enrolment in enrolments:
        assert enrolment.status == EnrolmentStatus.INVITED
        assert enrolment.role == "mentor"
        assert enrolment.invited_at == INVITED_AT
        assert len(enrolment.invitation_key) >= 40
        assert enrolment.time_zone == enrolment.user.time_zone
    assert len({enrolment.invitation_key for enrolment in enrolments}) == 3

    assert len(mail.outbox) == 3
    for message in mail.outbox:
        assert "Hana HR" in message.body
        assert program.name in message.body
        assert "/invitations/" in message.body
        assert message.alternatives[0][1] == "text/html"
    # The role, in each recipient's language.
    assert "Mentor olarak davet edildiniz" in _mail_to("ayse@example.com").body
    for email in ("an.nguyen@example.com", "binh@example.com"):
        assert "vai trò người cố vấn" in _mail_to(email).body
    # The expiry date (14 days later) is written in each recipient's language, by Django's own
    # catalogues.
    assert "24 Kasım 2026" in _mail_to("ayse@example.com").body
    for email in ("an.nguyen@example.com", "binh@example.com"):
        assert "Ngày 24 tháng 11 năm 2026" in _mail_to(email).body
    assert 'lang="tr"' in _mail_to("ayse@example.com").alternatives[0][0]
    for message in mail.outbox:
        assert "Nov. 24, 2026" not in message.body


def test_invitation_mail_in_english_names_the_inviter_the_role_and_the_expiry(
    client_for, hr_admin, program, django_capture_on_commit_callbacks
):
    with time_machine.travel(INVITED_AT, tick=False):
        _invite(
            client_for(hr_admin),
            program,
            ["leader@example.com, Lale Leader"],
            role="mentee",
            capture=django_capture_on_commit_callbacks,
        )
    message = _mail_to("leader@example.com")
    assert message.subject == "You are invited to Digital leaders 2027"
    assert "Hana HR invites you to join Digital leaders 2027" in message.body
    assert "You are invited as a mentee" in message.body
    assert "The link works until Nov. 24, 2026." in message.body


def test_a_bad_line_invites_nobody_and_sends_nothing(
    client_for, hr_admin, program, django_capture_on_commit_callbacks
):
    users_before = User.objects.count()
    response = _invite(
        client_for(hr_admin),
        program,
        [
            "good@example.com",
            "not-an-email",
            "",
            "second@example.com, Second Person",
            "GOOD@example.com, Duplicate",
        ],
        capture=django_capture_on_commit_callbacks,
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["people"]
    assert errors == [
        "Line 2: “not-an-email” is not a valid email address.",
        "Line 5: good@example.com is already on line 1.",
    ]
    assert "Line 2:" in response.content.decode()
    assert User.objects.count() == users_before
    assert not Enrolment.objects.filter(status=EnrolmentStatus.INVITED).exists()
    assert mail.outbox == []


def test_a_deactivated_account_is_a_bad_line(
    client_for, hr_admin, program, inactive_user, django_capture_on_commit_callbacks
):
    response = _invite(
        client_for(hr_admin),
        program,
        ["fine@example.com", inactive_user.email],
        capture=django_capture_on_commit_callbacks,
    )
    assert response.status_code == 200
    assert response.context["form"].errors["people"] == [
        f"Line 2: the account of {inactive_user.email} is deactivated."
    ]
    assert not User.objects.filter(email="fine@example.com").exists()
    assert mail.outbox == []


def test_more_than_500_lines_are_refused(
    client_for, hr_admin, program, django_capture_on_commit_callbacks
):
    lines = [f"person{number}@example.com" for number in range(501)]
    response = _invite(
        client_for(hr_admin), program, lines, capture=django_capture_on_commit_callbacks
    )
    assert response.status_code == 200
    assert "At most 500 people" in response.context["form"].errors["people"][0]
    assert not User.objects.filter(email="person0@example.com").exists()
    assert mail.outbox == []


def test_a_person_already_in_the_program_is_skipped_and_reported(
    client_for, hr_admin, program, mentor, django_capture_on_commit_callbacks
):
    approved = Enrolment.objects.get(program=program, user=mentor)
    response = _invite(
        client_for(hr_admin),
        program,
        [mentor.email, "fresh@example.com"],
        role="mentee",
        capture=django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    assert _flashes(response) == [
        "1 person invited. 1 was already in the program and was left as is."
    ]
    approved.refresh_from_db()
    assert (approved.status, approved.role, approved.invitation_key) == ("approved", "mentor", "")
    assert [message.to for message in mail.outbox] == [["fresh@example.com"]]


def test_a_withdrawn_person_is_invited_again(
    client_for, hr_admin, program, mentee, django_capture_on_commit_callbacks
):
    Enrolment.objects.filter(user=mentee).update(
        status=EnrolmentStatus.WITHDRAWN, decided_at=timezone.now()
    )
    _invite(
        client_for(hr_admin),
        program,
        [mentee.email],
        role="mentor",
        capture=django_capture_on_commit_callbacks,
    )
    enrolment = Enrolment.objects.get(program=program, user=mentee)
    assert (enrolment.status, enrolment.role, enrolment.decided_at) == ("invited", "mentor", None)
    assert enrolment.invitation_key
    assert len(mail.outbox) == 1


def test_nobody_can_be_invited_to_a_finished_program(
    client_for, hr_admin, django_capture_on_commit_callbacks
):
    program = ProgramFactory(status="completed")
    response = _invite(
        client_for(hr_admin),
        program,
        ["late@example.com"],
        capture=django_capture_on_commit_callbacks,
    )
    assert response.status_code == 200
    assert "This program has ended" in response.content.decode()
    assert not User.objects.filter(email="late@example.com").exists()
    assert mail.outbox == []


@pytest.mark.parametrize("stored", ["second@example.com", "Second@Example.com"])
@pytest.mark.parametrize("verified", [True, False])
def test_an_address_of_another_account_is_a_bad_line(
    client_for, hr_admin, program, colleague, stored, verified, django_capture_on_commit_callbacks
):
    EmailAddress.objects.create(user=colleague, email=stored, primary=False, verified=verified)
    users_before = User.objects.count()
    response = _invite(
        client_for(hr_admin),
        program,
        ["fresh@example.com", "SECOND@example.com"],
        capture=django_capture_on_commit_callbacks,
    )
    assert response.status_code == 200
    assert response.context["form"].errors["people"] == [
        "Line 2: second@example.com is already an address of another account."
    ]
    assert User.objects.count() == users_before
    assert not Enrolment.objects.filter(program=program, status=EnrolmentStatus.INVITED).exists()
    assert mail.outbox == []


def test_the_service_refuses_an_address_of_another_account(
    rf, hr_admin, program, colleague, django_capture_on_commit_callbacks
):
    EmailAddress.objects.create(user=colleague, email="second@example.com", verified=False)
    users_before = User.objects.count()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError) as refused,
    ):
        invitations.invitations_send(
            program=program,
            rows=[
                invitations.InviteRow("fresh@example.com"),
                invitations.InviteRow("second@example.com"),
            ],
            role="mentee",
            invited_by=hr_admin,
            request=rf.get("/"),
        )
    assert refused.value.messages == [
        "These addresses already belong to another account: second@example.com"
    ]
    assert User.objects.count() == users_before
    assert mail.outbox == []


@pytest.mark.parametrize("status", [EnrolmentStatus.WITHDRAWN, EnrolmentStatus.DECLINED])
def test_a_person_invited_again_in_another_role_loses_the_old_roles_topics(
    client_for, hr_admin, program, mentee, status, django_capture_on_commit_callbacks
):
    enrolment = Enrolment.objects.get(program=program, user=mentee)
    assert enrolment.learn_topics.exists()
    Enrolment.objects.filter(pk=enrolment.pk).update(status=status)
    _invite(
        client_for(hr_admin),
        program,
        [mentee.email],
        role="mentor",
        capture=django_capture_on_commit_callbacks,
    )
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.role) == ("invited", "mentor")
    assert not enrolment.learn_topics.exists()
    assert not enrolment.teach_topics.exists()


def test_a_person_invited_again_in_the_same_role_keeps_their_topics(
    client_for, hr_admin, program, mentee, django_capture_on_commit_callbacks
):
    enrolment = Enrolment.objects.get(program=program, user=mentee)
    topics = list(enrolment.learn_topics.values_list("topic_id", "priority", "confidence_start"))
    Enrolment.objects.filter(pk=enrolment.pk).update(status=EnrolmentStatus.WITHDRAWN)
    _invite(
        client_for(hr_admin),
        program,
        [mentee.email],
        role="mentee",
        capture=django_capture_on_commit_callbacks,
    )
    enrolment.refresh_from_db()
    assert enrolment.status == "invited"
    assert (
        list(enrolment.learn_topics.values_list("topic_id", "priority", "confidence_start"))
        == topics
    )


def test_nobody_can_be_invited_to_a_draft_program(
    client_for, hr_admin, django_capture_on_commit_callbacks
):
    program = ProgramFactory(status="draft")
    client = client_for(hr_admin)
    assert "Open enrolment first" in client.get(_invite_url(program)).content.decode()
    response = _invite(
        client, program, ["early@example.com"], capture=django_capture_on_commit_callbacks
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Open enrolment first: a draft program takes nobody in yet."
    ]
    assert not User.objects.filter(email="early@example.com").exists()
    assert mail.outbox == []


def test_an_invitation_in_a_draft_program_is_not_sent_again(
    client_for, hr_admin, colleague, django_capture_on_commit_callbacks
):
    program = ProgramFactory(status="draft")
    enrolment = _invited(program, colleague)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(hr_admin).post(_resend_url(enrolment))
    assert _flashes(response) == ["Open enrolment first: a draft program takes nobody in yet."]
    enrolment.refresh_from_db()
    assert enrolment.invitation_key == "a-key-only-this-test-knows"
    assert mail.outbox == []


# --- Accepting: a new account -----------------------------------------------------------------


def test_new_account_accepts_by_choosing_a_password_and_lands_on_the_profile(
    client, hr_admin, program, django_capture_on_commit_callbacks
):
    client.force_login(hr_admin)
    _invite(
        client,
        program,
        ["newbie@example.com, Nam Newbie"],
        role="mentor",
        capture=django_capture_on_commit_callbacks,
    )
    client.logout()
    link = _link_in(_mail_to("newbie@example.com"))

    page = client.get(link)
    assert page.status_code == 200
    html = page.content.decode()
    assert program.name in html
    assert "You are invited as a mentor" in html
    assert "Leaders learn AI tools and social media." in html
    assert 'name="password1"' in html

    person = User.objects.get(email="newbie@example.com")
    response = client.post(link, _password_form())
    assert response.status_code == 302
    assert response["Location"] == _profile_url(program)

    enrolment = Enrolment.objects.get(program=program, user=person)
    assert enrolment.status == EnrolmentStatus.APPROVED
    assert enrolment.invitation_key == ""
    assert enrolment.decided_at is not None
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert EmailAddress.objects.get(user=person).verified
    assert client.session["_auth_user_id"] == str(person.pk)

    # The address is verified, so the usual sign-in works from now on.
    client.logout()
    client.post("/accounts/login/", {"login": "newbie@example.com", "password": NEW_PASSWORD})
    assert client.session["_auth_user_id"] == str(person.pk)


@pytest.mark.parametrize(
    ("password1", "password2", "error"),
    [
        (NEW_PASSWORD, NEW_PASSWORD + "x", "The two passwords are not the same."),
        ("short", "short", "This password is too short."),
        ("1234567890123", "1234567890123", "This password is entirely numeric."),
    ],
)
def test_a_rejected_password_changes_nothing(
    client, program, newcomer, password1, password2, error
):
    enrolment = _invited(program, newcomer)
    response = client.post(_accept_url(enrolment), {"password1": password1, "password2": password2})
    assert response.status_code == 200
    assert error in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.INVITED
    newcomer.refresh_from_db()
    assert not newcomer.has_usable_password()
    assert not EmailAddress.objects.get(user=newcomer).verified
    assert "_auth_user_id" not in client.session


def test_someone_signed_in_as_another_account_cannot_take_a_new_accounts_invitation(
    client_for, program, newcomer, hr_admin
):
    enrolment = _invited(program, newcomer)
    response = client_for(hr_admin).post(_accept_url(enrolment), _password_form())
    assert response.status_code == 403
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.INVITED
    newcomer.refresh_from_db()
    assert not newcomer.has_usable_password()


# --- Accepting: an existing account -----------------------------------------------------------


def test_anonymous_visitor_with_an_existing_account_is_sent_to_sign_in_first(
    client, program, colleague
):
    url = _accept_url(_invited(program, colleague))
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={quote(url)}"
    assert Enrolment.objects.get(user=colleague).status == EnrolmentStatus.INVITED


def test_another_signed_in_account_gets_403_and_nothing_changes(
    client_for, program, colleague, mentee
):
    url = _accept_url(_invited(program, colleague))
    client = client_for(mentee)
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 403
        assert "This invitation belongs to another account." in response.content.decode()
    assert Enrolment.objects.get(user=colleague).status == EnrolmentStatus.INVITED


def test_the_invitee_signed_in_accepts_with_one_button(client_for, program, colleague, password):
    enrolment = _invited(program, colleague)
    url = _accept_url(enrolment)
    client = client_for(colleague)

    page = client.get(url)
    assert page.status_code == 200
    assert "Accept and join the program" in page.content.decode()
    assert 'name="password1"' not in page.content.decode()

    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == _profile_url(program)
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.invitation_key) == (EnrolmentStatus.APPROVED, "")
    colleague.refresh_from_db()
    assert colleague.check_password(password)


# --- Links that cannot be used ----------------------------------------------------------------


def test_a_link_works_for_14_days_then_expires_with_410_and_changes_nothing(
    client, hr_admin, program, django_capture_on_commit_callbacks
):
    with time_machine.travel(INVITED_AT, tick=False):
        client.force_login(hr_admin)
        _invite(client, program, ["late@example.com"], capture=django_capture_on_commit_callbacks)
        client.logout()
    link = _link_in(_mail_to("late@example.com"))

    with time_machine.travel(INVITED_AT + datetime.timedelta(days=13, hours=23), tick=False):
        assert client.get(link).status_code == 200

    with time_machine.travel(INVITED_AT + datetime.timedelta(days=14, minutes=1), tick=False):
        page = client.get(link)
        assert page.status_code == 410
        assert "This invitation link has expired" in page.content.decode()
        assert client.post(link, _password_form()).status_code == 410

    person = User.objects.get(email="late@example.com")
    assert Enrolment.objects.get(user=person).status == EnrolmentStatus.INVITED
    assert not person.has_usable_password()
    assert "_auth_user_id" not in client.session


def test_a_tampered_link_is_refused_with_400_and_changes_nothing(client, program, newcomer):
    enrolment = _invited(program, newcomer)
    token = invitations.invitation_token(enrolment)
    payload, signature = token.rsplit(":", 1)
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    forged_with_other_salt = signing.dumps(
        {"e": str(enrolment.public_id), "k": enrolment.invitation_key}, salt="something.else"
    )
    for bad in (f"{payload}:{flipped}", token[:-5], "garbage", forged_with_other_salt):
        url = reverse("programs:invitation_accept", args=[bad])
        assert client.get(url).status_code == 400
        response = client.post(url, _password_form())
        assert response.status_code == 400
        assert "This invitation link is not valid." in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.INVITED
    newcomer.refresh_from_db()
    assert not newcomer.has_usable_password()


def test_a_signed_link_with_the_wrong_key_counts_as_replaced(client, program, newcomer):
    enrolment = _invited(program, newcomer)
    token = signing.dumps(
        {"e": str(enrolment.public_id), "k": "guessed"}, salt=invitations.INVITATION_SALT
    )
    response = client.get(reverse("programs:invitation_accept", args=[token]))
    assert response.status_code == 410


def test_a_used_link_cannot_be_used_again(client, program, newcomer):
    enrolment = _invited(program, newcomer)
    url = _accept_url(enrolment)
    assert client.post(url, _password_form()).status_code == 302
    client.logout()

    page = client.get(url)
    assert page.status_code == 410
    assert "already been used" in page.content.decode()
    assert client.post(url, _password_form("another-passphrase-77")).status_code == 410
    newcomer.refresh_from_db()
    assert newcomer.check_password(NEW_PASSWORD)


def test_two_clicks_accept_once(program, colleague):
    enrolment = _invited(program, colleague)
    first_view = invitations.invitation_check(invitations.invitation_token(enrolment))
    second_view = invitations.invitation_check(invitations.invitation_token(enrolment))
    invitations.invitation_accept(enrolment=first_view, user=colleague)
    with pytest.raises(invitations.InvitationUsed):
        invitations.invitation_accept(enrolment=second_view, user=colleague)


def test_a_withdrawn_invitation_cannot_be_accepted(client_for, program, colleague):
    enrolment = _invited(program, colleague)
    url = _accept_url(enrolment)
    client = client_for(colleague)
    opened = invitations.invitation_check(invitations.invitation_token(enrolment))
    # HR withdraws the invitation while the invitee is reading the page.
    services.enrolment_withdraw(enrolment=enrolment)

    with pytest.raises(invitations.InvitationUsed):
        invitations.invitation_accept(enrolment=opened, user=colleague)
    assert client.post(url).status_code == 410
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.WITHDRAWN


def test_an_invitation_to_a_program_that_ended_cannot_be_accepted(client_for, colleague):
    program = ProgramFactory(status="archived")
    enrolment = _invited(program, colleague)
    response = client_for(colleague).post(_accept_url(enrolment))
    assert response.status_code == 410
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.INVITED


# --- Resending ----------------------------------------------------------------------------------


def _resend_url(enrolment) -> str:
    return reverse(
        "programs:invitation_resend",
        kwargs={"slug": enrolment.program.slug, "public_id": enrolment.public_id},
    )


def test_resend_mails_a_new_link_and_voids_the_old_one(
    client, hr_admin, program, django_capture_on_commit_callbacks
):
    client.force_login(hr_admin)
    _invite(client, program, ["again@example.com"], capture=django_capture_on_commit_callbacks)
    old_link = _link_in(_mail_to("again@example.com"))
    enrolment = Enrolment.objects.get(user__email="again@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_resend_url(enrolment))
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "programs:participant_detail",
        kwargs={"slug": program.slug, "public_id": enrolment.public_id},
    )
    # The first flash is the invitation's own, still unread: the page it leads to is not followed.
    assert _flashes(response)[-1] == (
        "A new invitation was sent to again@example.com. Links in earlier emails no longer work."
    )
    assert len(mail.outbox) == 2
    new_link = _link_in(mail.outbox[1])
    assert new_link != old_link

    client.logout()
    assert client.get(old_link).status_code == 410
    assert client.get(new_link).status_code == 200
    assert client.post(new_link, _password_form()).status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.APPROVED


def test_resend_refuses_an_enrolment_that_is_not_pending(
    client_for, hr_admin, program, mentee, django_capture_on_commit_callbacks
):
    enrolment = Enrolment.objects.get(program=program, user=mentee)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(hr_admin).post(_resend_url(enrolment))
    assert response.status_code == 302
    assert _flashes(response) == ["Only a pending invitation can be sent again."]
    assert mail.outbox == []
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.APPROVED


# --- Who may invite and resend ------------------------------------------------------------------

REFUSED = ["mentor", "mentee", "executive", "other_participant"]


@pytest.fixture
def cast(hr_admin, executive, mentor, mentee, other_participant):
    return {
        "anonymous": None,
        "hr_admin": hr_admin,
        "executive": executive,
        "mentor": mentor,
        "mentee": mentee,
        "other_participant": other_participant,
    }


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("hr_admin", 200)] + [(role, 403) for role in REFUSED],
)
def test_invite_page_access_by_role(client_for, cast, program, role, expected):
    response = client_for(cast[role]).get(_invite_url(program))
    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("role", ["anonymous", *REFUSED])
def test_invite_post_is_refused_to_everyone_but_hr(
    client_for, cast, program, role, django_capture_on_commit_callbacks
):
    response = _invite(
        client_for(cast[role]),
        program,
        ["sneaky@example.com"],
        capture=django_capture_on_commit_callbacks,
    )
    assert response.status_code == (302 if role == "anonymous" else 403)
    assert not User.objects.filter(email="sneaky@example.com").exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("hr_admin", 302)] + [(role, 403) for role in REFUSED],
)
def test_resend_access_by_role(
    client_for, cast, program, colleague, role, expected, django_capture_on_commit_callbacks
):
    enrolment = _invited(program, colleague)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast[role]).post(_resend_url(enrolment))
    assert response.status_code == expected
    enrolment.refresh_from_db()
    if role == "hr_admin":
        assert enrolment.invitation_key != "a-key-only-this-test-knows"
        assert len(mail.outbox) == 1
    else:
        assert enrolment.invitation_key == "a-key-only-this-test-knows"
        assert mail.outbox == []
    if role == "anonymous":
        assert response["Location"].startswith("/accounts/login/?next=")


def test_resend_with_another_programs_participant_is_404(client_for, hr_admin, program, colleague):
    other_program = ProgramFactory()
    enrolment = _invited(other_program, colleague)
    url = reverse(
        "programs:invitation_resend",
        kwargs={"slug": program.slug, "public_id": enrolment.public_id},
    )
    assert client_for(hr_admin).post(url).status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.invitation_key == "a-key-only-this-test-knows"


def test_invite_to_an_unknown_program_is_404(client_for, hr_admin):
    url = reverse("programs:invite", kwargs={"slug": "no-such-program"})
    assert client_for(hr_admin).get(url).status_code == 404


def test_wrong_methods_are_refused(client_for, hr_admin, program, colleague):
    enrolment = _invited(program, colleague)
    client = client_for(hr_admin)
    assert client.put(_invite_url(program)).status_code == 405
    assert client.get(_resend_url(enrolment)).status_code == 405
    assert client.delete(_accept_url(enrolment)).status_code == 405
