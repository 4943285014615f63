"""HR admins' program and topic pages: access for every role, the lifecycle through the page,
the next cohort, the participant table (filters, sorting, query counts) and decisions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs.models import Enrolment, Program, Topic
from tests.factories import EnrolmentFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "mentor", "mentee", "other_participant", "executive", "hr_admin"]


@pytest.fixture
def cast(hr_admin, executive, mentor, mentee, other_participant):
    return {
        "anonymous": None,
        "mentor": mentor,
        "mentee": mentee,
        "other_participant": other_participant,
        "executive": executive,
        "hr_admin": hr_admin,
    }


def _hr_urls(program, enrolment, topic):
    slug = program.slug
    return [
        reverse("programs:program_list"),
        reverse("programs:program_create"),
        reverse("programs:program_detail", args=[slug]),
        reverse("programs:program_edit", args=[slug]),
        reverse("programs:program_duplicate", args=[slug]),
        reverse("programs:participant_list", args=[slug]),
        reverse("programs:participant_detail", args=[slug, enrolment.public_id]),
        reverse("programs:topic_list"),
        reverse("programs:topic_create"),
        reverse("programs:topic_edit", args=[topic.pk]),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_hr_pages_open_only_for_hr_admins(client_for, cast, program, role):
    enrolment = Enrolment.objects.get(program=program, user=cast["mentee"])
    for url in _hr_urls(program, enrolment, Topic.objects.first()):
        response = client_for(cast[role]).get(url)
        if role == "anonymous":
            assert response.status_code == 302, url
            assert response["Location"].startswith("/accounts/login/"), url
        elif role == "hr_admin":
            assert response.status_code == 200, url
        else:
            assert response.status_code == 403, url


@pytest.mark.parametrize("role", ["mentor", "mentee", "other_participant", "executive"])
def test_hr_actions_are_refused_to_other_roles_and_change_nothing(client_for, cast, program, role):
    enrolment = Enrolment.objects.get(program=program, user=cast["mentee"])
    client = client_for(cast[role])
    posts = [
        (reverse("programs:program_transition", args=[program.slug]), {"status": "draft"}),
        (reverse("programs:participant_withdraw", args=[program.slug, enrolment.public_id]), {}),
        (
            reverse("programs:participant_decide", args=[program.slug, enrolment.public_id]),
            {"decision": "decline"},
        ),
        (reverse("programs:program_create"), {"name": "X"}),
        (reverse("programs:topic_create"), {"name": "X", "slug": "x"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    enrolment.refresh_from_db()
    assert enrolment.status == "approved"
    assert Program.objects.count() == 2
    assert not Topic.objects.filter(slug="x").exists()


def test_a_participant_id_of_another_program_is_404(
    client_for, hr_admin, program, other_participant
):
    foreign = Enrolment.objects.get(user=other_participant)
    url = reverse("programs:participant_detail", args=[program.slug, foreign.public_id])
    assert client_for(hr_admin).get(url).status_code == 404
    url = reverse("programs:participant_withdraw", args=[program.slug, foreign.public_id])
    assert client_for(hr_admin).post(url).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "approved"


def test_an_unknown_program_is_404_for_hr(client_for, hr_admin):
    assert client_for(hr_admin).get("/programs/no-such-program/").status_code == 404


@pytest.mark.parametrize(
    ("url_name", "method"),
    [("program_transition", "get"), ("participant_export", "post"), ("program_detail", "post")],
)
def test_wrong_methods_are_405(client_for, hr_admin, program, url_name, method):
    url = reverse(f"programs:{url_name}", args=[program.slug])
    assert getattr(client_for(hr_admin), method)(url).status_code == 405


def _program_form(**overrides):
    data = {
        "name": "Digital leaders 2028",
        "slug": "digital-leaders-2028",
        "objectives": "Leaders learn AI tools.",
        "start_date": "2028-01-10",
        "end_date": "2028-07-07",
        "enrolment_deadline": "2028-01-03",
        "cadence_weeks": "2",
        "session_minutes": "60",
        "mentor_capacity": "1",
        "anonymity_threshold": "5",
        "notes_retention_months": "12",
        "topics": [str(pk) for pk in Topic.objects.values_list("pk", flat=True)[:2]],
    }
    data.update(overrides)
    return data


def test_hr_creates_a_draft_program(client_for, hr_admin):
    response = client_for(hr_admin).post(reverse("programs:program_create"), _program_form())
    program = Program.objects.get(slug="digital-leaders-2028")
    assert response["Location"] == reverse("programs:program_detail", args=[program.slug])
    assert program.status == "draft"
    assert program.created_by == hr_admin
    assert program.topics.count() == 2


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_date": "2027-12-01"}, "The end date must be after the start date."),
        (
            {"enrolment_deadline": "2028-02-01"},
            "The enrolment deadline must be on or before the start date.",
        ),
        ({"anonymity_threshold": "2"}, "Ensure this value is greater than or equal to 3."),
        ({"mentor_capacity": "0"}, "Ensure this value is greater than or equal to 1."),
        (
            {"slug": "digital-leaders-2027"},
            "Program with this Short name in addresses already exists.",
        ),
        ({"start_date": "not a date"}, "Enter a valid date."),
    ],
)
def test_bad_program_input_is_explained_and_saves_nothing(
    client_for, hr_admin, program, overrides, message
):
    response = client_for(hr_admin).post(
        reverse("programs:program_create"), _program_form(**overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Program.objects.count() == 1


@pytest.mark.parametrize(
    "dates",
    [
        {"end_date": "9999-12-31"},
        {"enrolment_deadline": "0001-01-01", "start_date": "0001-01-02"},
    ],
)
def test_a_program_date_at_the_ends_of_the_calendar_is_refused(
    client_for, hr_admin, program, dates
):
    # 9999-12-31 used to be saved, and the next-cohort page (end date + 14 days) and the
    # dashboard's quarters then answered 500.
    client = client_for(hr_admin)
    response = client.post(
        reverse("programs:program_edit", args=[program.slug]),
        _program_form(slug=program.slug, **dates),
    )
    assert response.status_code == 200
    assert "Enter a date in the years 2000 to 2099." in response.content.decode()
    saved = Program.objects.get(pk=program.pk)
    assert (saved.start_date, saved.end_date) == (program.start_date, program.end_date)
    assert client.get(reverse("programs:program_duplicate", args=[program.slug])).status_code == 200


def test_the_program_page_explains_why_a_move_is_refused(client_for, hr_admin):
    draft = ProgramFactory(status="draft", topics=[])
    response = client_for(hr_admin).get(reverse("programs:program_detail", args=[draft.slug]))
    assert "Cannot open enrolment: the program offers no topic" in response.content.decode()


def test_a_refused_move_changes_nothing_and_says_why(client_for, hr_admin, program):
    url = reverse("programs:program_transition", args=[program.slug])
    response = client_for(hr_admin).post(url, {"status": "active"}, follow=True)
    program.refresh_from_db()
    assert program.status == "enrolment"
    assert "cannot go from Enrolment to Active" in response.content.decode()


def test_the_lifecycle_through_the_pages(client_for, hr_admin, program, mentor, mentee):
    client = client_for(hr_admin)
    url = reverse("programs:program_transition", args=[program.slug])
    client.post(url, {"status": "matching"})
    program.refresh_from_db()
    assert program.status == "matching"

    # No pairs exist before matching approves them: both approved mentees count as unmatched.
    response = client.post(url, {"status": "active"}, follow=True)
    program.refresh_from_db()
    assert program.status == "matching"
    assert "cannot start: 1 mentee unmatched" in response.content.decode()

    client.post(url, {"status": "enrolment"})
    program.refresh_from_db()
    assert program.status == "enrolment"


def test_matching_waits_for_complete_profiles(client_for, hr_admin, program, mentor, mentee):
    Enrolment.objects.filter(user=mentee).update(guidelines_acknowledged_at=None)
    url = reverse("programs:program_transition", args=[program.slug])
    response = client_for(hr_admin).post(url, {"status": "matching"}, follow=True)
    program.refresh_from_db()
    assert program.status == "enrolment"
    assert "cannot start matching: 1 approved profile is incomplete" in response.content.decode()


def test_hr_starts_the_next_cohort(client_for, hr_admin, program, mentor):
    response = client_for(hr_admin).post(
        reverse("programs:program_duplicate", args=[program.slug]),
        {
            "name": "Digital leaders 2028",
            "slug": "dl-2028",
            "start_date": "2028-01-10",
            "end_date": "2028-07-07",
        },
    )
    copy = Program.objects.get(slug="dl-2028")
    assert response["Location"] == reverse("programs:program_detail", args=["dl-2028"])
    assert copy.status == "draft"
    assert copy.objectives == program.objectives
    assert copy.mentor_capacity == program.mentor_capacity
    assert set(copy.topics.all()) == set(program.topics.all())
    assert not copy.enrolments.exists()


def test_the_next_cohort_needs_a_free_short_name_and_sane_dates(client_for, hr_admin, program):
    response = client_for(hr_admin).post(
        reverse("programs:program_duplicate", args=[program.slug]),
        {
            "name": "Again",
            "slug": program.slug,
            "start_date": "2028-07-10",
            "end_date": "2028-01-07",
        },
    )
    html = response.content.decode()
    assert "Another program already uses this short name." in html
    assert "The end date must be after the start date." in html
    assert Program.objects.count() == 1


def test_hr_approves_and_declines_applications_once(client_for, hr_admin, program):
    applicant = EnrolmentFactory(program=program, status="applied")
    url = reverse("programs:participant_decide", args=[program.slug, applicant.public_id])
    client = client_for(hr_admin)
    client.post(url, {"decision": "approve"})
    applicant.refresh_from_db()
    assert applicant.status == "approved"

    response = client.post(url, {"decision": "decline"}, follow=True)
    applicant.refresh_from_db()
    assert applicant.status == "approved"
    assert "This application has already been decided." in response.content.decode()


def test_hr_withdraws_a_participant(client_for, hr_admin, program, mentee):
    enrolment = Enrolment.objects.get(user=mentee)
    url = reverse("programs:participant_withdraw", args=[program.slug, enrolment.public_id])
    client_for(hr_admin).post(url)
    enrolment.refresh_from_db()
    assert enrolment.status == "withdrawn"


def test_participant_table_filters_and_sorts(client_for, hr_admin, program):
    EnrolmentFactory(
        program=program,
        role="mentor",
        user=UserFactory(full_name="Zeynep Aydın", department="Marketing"),
    )
    EnrolmentFactory(
        program=program, role="mentee", user=UserFactory(full_name="Anh Lê", department="Finance")
    )
    EnrolmentFactory(
        program=program,
        role="mentee",
        guidelines_acknowledged_at=None,
        user=UserFactory(full_name="Bora Şahin", department="Finance"),
    )
    client = client_for(hr_admin)
    url = reverse("programs:participant_list", args=[program.slug])

    def names(**params):
        response = client.get(url, params)
        return [enrolment.user.full_name for enrolment in response.context["page"]]

    assert names() == ["Anh Lê", "Bora Şahin", "Zeynep Aydın"]
    assert names(sort="-name") == ["Zeynep Aydın", "Bora Şahin", "Anh Lê"]
    assert names(role="mentor") == ["Zeynep Aydın"]
    assert names(department="Finance") == ["Anh Lê", "Bora Şahin"]
    assert names(profile="incomplete") == ["Bora Şahin"]
    assert names(profile="complete", role="mentee") == ["Anh Lê"]
    # The search is posted and kept in the session, never put in the address.
    searched = client.post(url + "?role=mentor&page=2", {"q": "  zeynep "})
    assert searched.status_code == 302
    assert searched["Location"] == url + "?role=mentor"
    assert names() == ["Zeynep Aydın"]
    assert "zeynep" not in client.get(url).content.decode().split('name="q"')[0]
    assert names(q="bora") == ["Zeynep Aydın"]  # a term in the query string is ignored
    client.post(url, {"q": ""})
    assert names(status="invited") == []
    assert names() == ["Anh Lê", "Bora Şahin", "Zeynep Aydın"]
    # Nonsense in the query string is ignored, not an error.
    assert names(sort="password", role="boss") == ["Anh Lê", "Bora Şahin", "Zeynep Aydın"]


def test_participant_table_paginates(client_for, hr_admin, program):
    EnrolmentFactory.create_batch(55, program=program, topics=[])
    url = reverse("programs:participant_list", args=[program.slug])
    response = client_for(hr_admin).get(url, {"page": 2, "role": "mentee"})
    assert len(response.context["page"]) == 5
    assert "role=mentee" in response.context["page_query"]
    assert "role=mentee&amp;page=1" in response.content.decode()


def _queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_participant_table_and_program_list_queries_do_not_grow(client_for, hr_admin, program):
    manager = UserFactory(department="Board")
    client = client_for(hr_admin)
    table = reverse("programs:participant_list", args=[program.slug])
    listing = reverse("programs:program_list")
    counts = {"table": [], "list": []}
    for size in (10, 200):
        existing = program.enrolments.count()
        for index in range(existing, size):
            EnrolmentFactory(
                program=program,
                topics=[],
                role="mentor" if index % 2 else "mentee",
                user=UserFactory(department=f"Dept {index % 7}", manager=manager),
            )
        ProgramFactory()
        counts["table"].append(_queries_for(client, table))
        counts["list"].append(_queries_for(client, listing))
    assert counts["table"][0] == counts["table"][1], counts
    assert counts["list"][0] == counts["list"][1], counts


def test_program_list_counts(client_for, hr_admin, program, mentor, mentee):
    EnrolmentFactory(program=program, status="invited", topics=[])
    EnrolmentFactory(program=program, status="applied", topics=[])
    response = client_for(hr_admin).get(reverse("programs:program_list"))
    row = next(p for p in response.context["programs"] if p.pk == program.pk)
    assert (row.mentors, row.mentees, row.invited, row.applied, row.complete) == (1, 1, 1, 1, 2)
    Enrolment.objects.filter(user=mentee).update(goals="")
    response = client_for(hr_admin).get(reverse("programs:program_list"))
    row = next(p for p in response.context["programs"] if p.pk == program.pk)
    assert row.complete == 1


def test_hr_edits_the_topic_catalogue(client_for, hr_admin):
    client = client_for(hr_admin)
    client.post(
        reverse("programs:topic_create"),
        {
            "name": "Prompt engineering",
            "name_vi": "Kỹ thuật viết prompt",
            "name_tr": "İstem mühendisliği",
            "slug": "prompt-engineering",
            "is_active": "on",
        },
    )
    topic = Topic.objects.get(slug="prompt-engineering")
    from django.utils import translation

    with translation.override("vi"):
        assert topic.label == "Kỹ thuật viết prompt"
    response = client.post(
        reverse("programs:topic_create"),
        {
            "name": "Prompt engineering",
            "slug": "prompt-engineering-2",
        },
    )
    assert response.status_code == 200
    assert Topic.objects.filter(name="Prompt engineering").count() == 1


def test_seeded_topics_come_from_the_source_articles():
    slugs = set(Topic.objects.values_list("slug", flat=True))
    assert {
        "ai-automation",
        "social-media-tiktok",
        "influencer-marketing",
        "gen-z-consumer-insight",
        "slang-online-culture",
        "project-tools",
        "data-analysis-tools",
        "new-communication-tools",
        "flexible-hybrid-work",
        "sustainability-csr",
        "diversity-inclusion",
    } <= slugs


@pytest.mark.parametrize("role", ["mentor", "mentee", "other_participant", "executive"])
def test_hr_forms_refuse_posts_from_other_roles(client_for, cast, program, role):
    topic = Topic.objects.first()
    client = client_for(cast[role])
    posts = [
        reverse("programs:program_edit", args=[program.slug]),
        reverse("programs:program_duplicate", args=[program.slug]),
        reverse("programs:topic_edit", args=[topic.pk]),
    ]
    for url in posts:
        assert client.post(url, {"name": "Hijacked", "slug": "hijacked"}).status_code == 403, url
    program.refresh_from_db()
    topic.refresh_from_db()
    assert program.name == "Digital leaders 2027"
    assert topic.name != "Hijacked"
    assert not Program.objects.filter(slug="hijacked").exists()


def test_a_decision_needs_a_known_value_and_changes_nothing_otherwise(
    client_for, hr_admin, program
):
    applicant = EnrolmentFactory(program=program, status="applied")
    url = reverse("programs:participant_decide", args=[program.slug, applicant.public_id])
    for value in ("", "maybe"):
        assert client_for(hr_admin).post(url, {"decision": value}).status_code == 400
    applicant.refresh_from_db()
    assert applicant.status == "applied"


def test_deciding_for_another_programs_participant_is_404(client_for, hr_admin, program):
    other = EnrolmentFactory(program=ProgramFactory(), status="applied")
    url = reverse("programs:participant_decide", args=[program.slug, other.public_id])
    assert client_for(hr_admin).post(url, {"decision": "approve"}).status_code == 404
    other.refresh_from_db()
    assert other.status == "applied"


def test_a_declined_person_cannot_be_withdrawn(client_for, hr_admin, program):
    declined = EnrolmentFactory(program=program, status="declined")
    url = reverse("programs:participant_withdraw", args=[program.slug, declined.public_id])
    response = client_for(hr_admin).post(url, follow=True)
    declined.refresh_from_db()
    assert declined.status == "declined"
    assert "Only someone invited, applying or taking part can withdraw." in (
        response.content.decode()
    )


def test_the_main_step_forward_stands_out(client_for, hr_admin, program, mentor, mentee):
    response = client_for(hr_admin).get(reverse("programs:program_detail", args=[program.slug]))
    moves = {move["status"]: move for move in response.context["moves"]}
    assert moves["matching"]["forward"] and not moves["matching"]["reasons"]
    assert not moves["draft"]["forward"]


def test_declined_people_do_not_keep_a_program_out_of_draft(client_for, hr_admin, program):
    EnrolmentFactory(program=program, status="declined")
    url = reverse("programs:program_transition", args=[program.slug])
    client_for(hr_admin).post(url, {"status": "draft"})
    program.refresh_from_db()
    assert program.status == "draft"
