"""Each role sees its own menu and is refused the pages of the others."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db

# (url name, args) of every page guarded by a site-wide role or by signing in.
PAGES = {
    "home": ("home", []),
    "dashboard": ("dashboard", []),
    "people": ("accounts:people", []),
    "person_create": ("accounts:person_create", []),
    "profile": ("accounts:profile", []),
}

# Expected status of a GET for each role; anonymous visitors are sent to sign in (302).
EXPECTED = {
    "anonymous": {
        "home": 200,
        "dashboard": 302,
        "people": 302,
        "person_create": 302,
        "profile": 302,
    },
    "participant": {
        "home": 200,
        "dashboard": 403,
        "people": 403,
        "person_create": 403,
        "profile": 200,
    },
    "executive": {
        "home": 200,
        "dashboard": 200,
        "people": 403,
        "person_create": 403,
        "profile": 200,
    },
    "hr_admin": {
        "home": 200,
        "dashboard": 200,
        "people": 200,
        "person_create": 200,
        "profile": 200,
    },
}


@pytest.fixture
def cast(hr_admin, executive, participant):
    return {
        "anonymous": None,
        "participant": participant,
        "executive": executive,
        "hr_admin": hr_admin,
    }


@pytest.mark.parametrize("role", EXPECTED)
@pytest.mark.parametrize("page", PAGES)
def test_page_access_by_role(client_for, cast, role, page):
    url_name, args = PAGES[page]
    url = reverse(url_name, args=args)
    response = client_for(cast[role]).get(url)
    assert response.status_code == EXPECTED[role][page]
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        ("participant", ["Home", "My programs"], ["Dashboard", "Programs", "Surveys", "People"]),
        ("executive", ["Home", "My programs", "Dashboard"], ["Programs", "Surveys", "People"]),
        ("hr_admin", ["Home", "My programs", "Dashboard", "Programs", "Surveys", "People"], []),
    ],
)
def test_navigation_shows_each_role_its_own_menu(client_for, cast, role, visible, hidden):
    response = client_for(cast[role]).get(reverse("home"))
    labels = [item["label"] for item in response.context["nav_items"]]
    assert [str(label) for label in labels] == visible
    html = response.content.decode()
    for label in hidden:
        assert f">{label}</a></li>" not in html


def test_anonymous_home_offers_sign_in_and_no_menu(client):
    response = client.get(reverse("home"))
    assert response.context["nav_items"] == []
    assert reverse("account_login") in response.content.decode()


def test_inactive_account_is_treated_as_signed_out(client, inactive_user):
    client.force_login(inactive_user)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302


@pytest.mark.parametrize("url_name", ["dashboard", "accounts:erasure_requests", "home"])
def test_read_only_pages_refuse_post(client_for, hr_admin, url_name):
    response = client_for(hr_admin).post(reverse(url_name))
    assert response.status_code == 405


def test_roles_form_refuses_get(client_for, hr_admin, participant):
    response = client_for(hr_admin).get(reverse("accounts:person_roles", args=[participant.pk]))
    assert response.status_code == 405


def test_hr_admin_assigns_roles(client_for, hr_admin, participant):
    response = client_for(hr_admin).post(
        reverse("accounts:person_roles", args=[participant.pk]),
        {"is_executive": "on"},
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.is_executive and not participant.is_hr_admin


@pytest.mark.parametrize("role", ["participant", "executive"])
def test_only_hr_admins_assign_roles(client_for, cast, role):
    target = UserFactory()
    response = client_for(cast[role]).post(
        reverse("accounts:person_roles", args=[target.pk]), {"is_hr_admin": "on"}
    )
    assert response.status_code == 403
    target.refresh_from_db()
    assert not target.is_hr_admin


def test_anonymous_cannot_assign_roles(client, participant):
    response = client.post(
        reverse("accounts:person_roles", args=[participant.pk]), {"is_hr_admin": "on"}
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert not participant.is_hr_admin


def test_hr_admin_cannot_drop_their_own_hr_role(client_for, hr_admin):
    response = client_for(hr_admin).post(
        reverse("accounts:person_roles", args=[hr_admin.pk]), {"is_executive": "on"}, follow=True
    )
    hr_admin.refresh_from_db()
    assert hr_admin.is_hr_admin and not hr_admin.is_executive
    assert "You cannot remove your own HR admin role" in response.content.decode()


def test_roles_of_an_unknown_person_is_404(client_for, hr_admin):
    response = client_for(hr_admin).post(reverse("accounts:person_roles", args=[999999]), {})
    assert response.status_code == 404


def test_people_search_finds_by_name_and_email(client_for, hr_admin):
    UserFactory(full_name="Zeynep Aydın", email="zeynep@example.com")
    UserFactory(full_name="Trần Minh", email="minh@example.com")
    client = client_for(hr_admin)
    searched = client.post(reverse("accounts:people"), {"q": "zeynep"})
    assert searched["Location"] == reverse("accounts:people")
    response = client.get(searched["Location"])
    names = [person.full_name for person in response.context["page"]]
    assert names == ["Zeynep Aydın"]
    client.post(reverse("accounts:people"), {"q": "MINH@"})
    assert [p.full_name for p in client.get(reverse("accounts:people")).context["page"]] == [
        "Trần Minh"
    ]


def test_a_search_term_never_appears_in_an_address(client_for, hr_admin, program):
    """Names and addresses typed into a search stay out of URLs (server logs, history): the
    term is posted, the page redirects to an address without it, and its links carry none."""
    for person in UserFactory.create_batch(55, full_name="Quynh Same"):
        EnrolmentFactory(program=program, user=person, topics=[])
    client = client_for(hr_admin)
    for url in (
        reverse("accounts:people"),
        reverse("programs:participant_list", args=[program.slug]),
    ):
        # Posted from an old bookmark that still carries a term: it is dropped too.
        searched = client.post(url + "?q=quynh&role=mentee", {"q": "quynh same"})
        response = client.get(searched["Location"])
        assert "quynh" not in searched["Location"].lower()
        assert response.context["page"].paginator.count == 55  # found, and two pages of them
        addresses = re.findall(r'(?:href|action)="([^"]*)"', response.content.decode())
        assert any("page=2" in a for a in addresses)
        assert not [a for a in addresses if "quynh" in a.lower()], addresses


def test_a_search_term_with_a_nul_character_finds_without_it(client_for, hr_admin, program):
    # Kept in the session as typed, a NUL made every later visit of the page a 500.
    UserFactory(full_name="Zeynep Aydın")
    client = client_for(hr_admin)
    for url in (
        reverse("accounts:people"),
        reverse("programs:participant_list", args=[program.slug]),
    ):
        response = client.get(client.post(url, {"q": "zey\x00nep"})["Location"])
        assert response.status_code == 200
        assert client.get(url).status_code == 200
    assert [p.full_name for p in response.context["page"]] == []  # nobody of the program
    people = client.get(reverse("accounts:people")).context["page"]
    assert [person.full_name for person in people] == ["Zeynep Aydın"]


def test_one_hr_admins_search_is_not_anothers(client_for, hr_admin):
    UserFactory(full_name="Zeynep Aydın")
    client_for(hr_admin).post(reverse("accounts:people"), {"q": "zeynep"})
    other = Client()
    other.force_login(UserFactory(is_hr_admin=True))
    assert len(other.get(reverse("accounts:people")).context["page"]) > 1


def test_the_dashboard_shows_no_count_of_site_roles(client_for, hr_admin, executive, participant):
    # One HR admin and one executive are groups far under any anonymity threshold.
    response = client_for(executive).get(reverse("dashboard"))
    assert "people" not in response.context
    html = response.content.decode()
    assert "HR admins" not in html and "Executives" not in html


def test_hr_admin_edits_a_persons_place_in_the_organisation(client_for, hr_admin, participant):
    boss = UserFactory(email="boss@example.com")
    response = client_for(hr_admin).post(
        reverse("accounts:person_edit", args=[participant.pk]),
        {
            "full_name": "Mai Mentor",
            "department": "Marketing",
            "job_title": "Analyst",
            "preferred_language": "vi",
            "time_zone": "Asia/Ho_Chi_Minh",
            "manager_email": "BOSS@example.com",
        },
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert (participant.department, participant.job_title, participant.manager) == (
        "Marketing",
        "Analyst",
        boss,
    )


@pytest.mark.parametrize(
    ("manager", "message"),
    [
        ("nobody@example.com", "Nobody has this email address."),
        ("self", "A person cannot be their own manager."),
        ("report", "This would make a loop"),
    ],
)
def test_a_reporting_line_cannot_loop_or_name_a_stranger(
    client_for, hr_admin, participant, manager, message
):
    report = UserFactory(email="report@example.com", manager=participant)
    UserFactory(email="report-of-report@example.com", manager=report)
    emails = {"self": participant.email, "report": "report-of-report@example.com"}
    response = client_for(hr_admin).post(
        reverse("accounts:person_edit", args=[participant.pk]),
        {
            "full_name": "Changed",
            "preferred_language": "en",
            "time_zone": "UTC",
            "manager_email": emails.get(manager, manager),
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    participant.refresh_from_db()
    assert participant.manager is None and participant.full_name != "Changed"


@pytest.mark.parametrize("role", ["anonymous", "participant", "executive"])
def test_only_hr_admins_edit_people(client_for, cast, role):
    target = UserFactory(full_name="Kept")
    url = reverse("accounts:person_edit", args=[target.pk])
    client = client_for(cast[role])
    assert client.get(url).status_code in (302, 403)
    response = client.post(
        url, {"full_name": "Changed", "preferred_language": "en", "time_zone": "UTC"}
    )
    assert response.status_code == (302 if role == "anonymous" else 403)
    target.refresh_from_db()
    assert target.full_name == "Kept"


def test_people_list_pages_keep_the_search(client_for, hr_admin):
    UserFactory.create_batch(55, full_name="Same Name")
    client = client_for(hr_admin)
    client.post(reverse("accounts:people"), {"q": "same"})
    response = client.get(reverse("accounts:people"))
    assert len(response.context["page"]) == 50
    assert 'href="?page=2"' in response.content.decode()
    assert len(client.get(reverse("accounts:people"), {"page": 2}).context["page"]) == 5
