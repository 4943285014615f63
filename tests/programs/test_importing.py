"""The import service: what the preview plans, what applying saves, and that a file with any
bad row saves nothing."""

import csv
import io

import pytest
from allauth.account.models import EmailAddress

from mentorship.accounts.models import User
from programs import importing
from programs.csv_format import COLUMNS
from programs.models import (
    Enrolment,
    EnrolmentStatus,
    LearnTopic,
    ParticipantImport,
    Program,
    TeachTopic,
    Topic,
)
from tests.factories import EnrolmentFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db

OFFERED = ["ai-automation", "social-media-tiktok", "project-tools", "data-analysis-tools"]

LAN = {
    "email": "lan@example.com",
    "full_name": "Lan Phạm",
    "role": "mentor",
    "department": "Marketing",
    "job_title": "Content lead",
    "manager_email": "hoa@example.com",
    "languages": "vi;en",
    "timezone": "Asia/Ho_Chi_Minh",
    "teach_topics": "ai-automation:3;Social media and TikTok",
    "learn_topics": "",
    "goals": "Show leaders how we use TikTok.",
}
MEHMET = {
    "email": "mehmet@example.com",
    "full_name": "Mehmet Kaya",
    "role": "mentee",
    "department": "Board",
    "job_title": "Chief financial officer",
    "manager_email": "",
    "languages": "tr;en",
    "timezone": "Europe/Istanbul",
    "teach_topics": "",
    "learn_topics": "project tools such as trello or asana:1;data-analysis-tools",
    "goals": "Understand the tools my teams use.",
}
HOA = {  # Lan's manager: completes the reporting line, takes no part
    "email": "hoa@example.com",
    "full_name": "Hoa Lê",
    "role": "",
    "department": "Marketing",
    "job_title": "Head of marketing",
    "manager_email": "",
    "languages": "",
    "timezone": "",
    "teach_topics": "",
    "learn_topics": "",
    "goals": "",
}


def csv_text(*rows: dict[str, str], columns=COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def good_file() -> str:
    return csv_text(LAN, MEHMET, HOA)


def db_state() -> dict:
    """Everything an import may touch, to show that a refused file changed nothing."""
    return {
        "users": sorted(
            User.objects.values_list(
                "email", "full_name", "department", "job_title", "manager__email", "password"
            )
        ),
        "addresses": sorted(EmailAddress.objects.values_list("email", "user__email", "verified")),
        "enrolments": sorted(
            (e.program.slug, e.user.email, e.role, e.status, e.languages, e.time_zone, e.goals)
            for e in Enrolment.objects.select_related("program", "user")
        ),
        "updated_at": sorted(Enrolment.objects.values_list("updated_at", flat=True)),
        "teach": sorted(
            TeachTopic.objects.values_list("enrolment__user__email", "topic__slug", "level")
        ),
        "learn": sorted(
            LearnTopic.objects.values_list(
                "enrolment__user__email", "topic__slug", "priority", "confidence_start"
            )
        ),
        "topics": sorted(Topic.objects.values_list("slug", "name")),
        "offered": sorted(Program.topics.through.objects.values_list("program_id", "topic_id")),
        "imports": sorted(ParticipantImport.objects.values_list("pk", "applied_at")),
    }


@pytest.fixture
def cohort(db):
    return ProgramFactory(slug="cohort", topics=list(Topic.objects.filter(slug__in=OFFERED)))


def apply(program, text, *, create_topics=False):
    return importing.import_apply(program=program, text=text, create_topics=create_topics, by=None)


def assert_refused(program, text, expected: str, *, create_topics=False):
    before = db_state()
    with pytest.raises(importing.ImportRejected) as refused:
        apply(program, text, create_topics=create_topics)
    messages = [str(error) for error in refused.value.row_errors]
    assert any(expected in message for message in messages), messages
    assert db_state() == before
    return messages


# --- Creating -----------------------------------------------------------------------------------


def test_import_creates_accounts_enrolments_and_topics(cohort):
    result = apply(cohort, good_file())

    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert result.summary == "created 3, updated 0, unchanged 0, skipped 0"
    lan = User.objects.get(email="lan@example.com")
    hoa = User.objects.get(email="hoa@example.com")
    assert (lan.full_name, lan.department, lan.job_title) == (
        "Lan Phạm",
        "Marketing",
        "Content lead",
    )
    assert lan.manager == hoa
    assert lan.time_zone == "Asia/Ho_Chi_Minh"
    assert not lan.has_usable_password()
    address = EmailAddress.objects.get(user=lan)
    assert (address.email, address.primary, address.verified) == ("lan@example.com", True, False)

    enrolment = Enrolment.objects.get(program=cohort, user=lan)
    assert (enrolment.role, enrolment.status) == ("mentor", EnrolmentStatus.APPROVED)
    assert enrolment.languages == ["vi", "en"]
    assert enrolment.time_zone == "Asia/Ho_Chi_Minh"
    assert enrolment.goals == "Show leaders how we use TikTok."
    assert sorted(enrolment.teach_topics.values_list("topic__slug", "level")) == [
        ("ai-automation", 3),
        ("social-media-tiktok", 2),
    ]
    mehmet = Enrolment.objects.get(program=cohort, user__email="mehmet@example.com")
    assert sorted(mehmet.learn_topics.values_list("topic__slug", "priority")) == [
        ("data-analysis-tools", 2),
        ("project-tools", 1),
    ]
    assert not Enrolment.objects.filter(user=hoa).exists()
    assert hoa.time_zone == "UTC"


def test_a_manager_may_be_an_existing_person(cohort):
    boss = UserFactory(email="Boss@Example.com")
    apply(cohort, csv_text({**MEHMET, "manager_email": "boss@example.com"}))
    assert User.objects.get(email="mehmet@example.com").manager == boss


def test_existing_person_is_enrolled_and_updated_not_duplicated(cohort):
    existing = UserFactory(email="mehmet@example.com", full_name="M. Kaya", department="")
    result = apply(cohort, csv_text(MEHMET))
    assert (result.created, result.updated) == (1, 0)
    existing.refresh_from_db()
    assert (existing.full_name, existing.department) == ("Mehmet Kaya", "Board")
    assert existing.has_usable_password()  # an account that exists keeps its password
    assert User.objects.filter(email__iexact="mehmet@example.com").count() == 1
    assert EmailAddress.objects.filter(user=existing).count() == 1


def test_invited_person_is_approved_by_the_import(cohort):
    user = UserFactory(email="mehmet@example.com", full_name="Mehmet Kaya")
    EnrolmentFactory(program=cohort, user=user, status=EnrolmentStatus.INVITED, topics=[])
    result = apply(cohort, csv_text({**MEHMET, "department": "", "job_title": ""}))
    assert (result.created, result.updated) == (0, 1)
    enrolment = Enrolment.objects.get(program=cohort, user=user)
    assert enrolment.status == EnrolmentStatus.APPROVED
    assert enrolment.decided_at is not None


def test_applicant_is_approved_by_the_import(cohort):
    user = UserFactory(email="mehmet@example.com", full_name="Mehmet Kaya")
    EnrolmentFactory(program=cohort, user=user, status=EnrolmentStatus.APPLIED, topics=[])
    result = apply(cohort, csv_text({**MEHMET, "department": "", "job_title": ""}))
    assert (result.created, result.updated, result.skipped) == (0, 1, 0)
    enrolment = Enrolment.objects.get(program=cohort, user=user)
    assert enrolment.status == EnrolmentStatus.APPROVED
    assert enrolment.decided_at is not None


def test_approving_an_invitation_by_import_voids_its_link(cohort):
    user = UserFactory(email="mehmet@example.com", full_name="Mehmet Kaya")
    EnrolmentFactory(
        program=cohort, user=user, status=EnrolmentStatus.INVITED, invitation_key="k", topics=[]
    )
    apply(cohort, csv_text(MEHMET))
    enrolment = Enrolment.objects.get(program=cohort, user=user)
    assert (enrolment.status, enrolment.invitation_key) == (EnrolmentStatus.APPROVED, "")


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (EnrolmentStatus.WITHDRAWN, "withdrew from the program"),
        (EnrolmentStatus.DECLINED, "was declined"),
    ],
)
def test_a_withdrawn_or_declined_person_keeps_their_status(cohort, status, reason):
    apply(cohort, good_file())
    Enrolment.objects.filter(user__email="mehmet@example.com").update(status=status)
    state = db_state()
    enrolments_before = (state["enrolments"], state["updated_at"], state["learn"])
    changed = {**MEHMET, "goals": "Other goals", "learn_topics": "ai-automation:1"}

    plan = importing.import_preview(
        program=cohort, text=csv_text(LAN, changed, HOA), create_topics=False
    )
    assert plan.ok
    skipped = plan.rows[1]
    assert (skipped.email, skipped.action, skipped.action_label) == (
        "mehmet@example.com",
        "skipped",
        "skipped",
    )
    assert reason in skipped.reason
    assert skipped.changes == []  # the account is as the file says
    assert (plan.created, plan.updated, plan.unchanged, plan.skipped) == (0, 0, 2, 1)

    result = apply(cohort, csv_text(LAN, changed, HOA))
    assert (result.created, result.updated, result.unchanged, result.skipped) == (0, 0, 2, 1)
    assert result.summary == "created 0, updated 0, unchanged 2, skipped 1"
    state = db_state()
    assert (state["enrolments"], state["updated_at"], state["learn"]) == enrolments_before
    assert Enrolment.objects.get(user__email="mehmet@example.com").status == status


def test_a_skipped_person_still_gets_the_hr_systems_department_and_manager(cohort):
    apply(cohort, good_file())
    Enrolment.objects.filter(user__email="lan@example.com").update(status=EnrolmentStatus.WITHDRAWN)
    moved = {**LAN, "department": "Sales", "manager_email": ""}
    result = apply(cohort, csv_text(moved, MEHMET, HOA))
    assert result.skipped == 1
    lan = User.objects.get(email="lan@example.com")
    assert (lan.department, lan.manager) == ("Sales", None)
    assert Enrolment.objects.get(user=lan).status == EnrolmentStatus.WITHDRAWN


def test_empty_profile_cells_keep_what_the_person_entered(cohort):
    apply(cohort, good_file())
    enrolment = Enrolment.objects.get(user__email="mehmet@example.com")
    enrolment.languages = ["tr"]
    enrolment.time_zone = "Europe/Berlin"
    enrolment.goals = "My own words."
    enrolment.save()
    enrolment.learn_topics.update(confidence_start=4)
    before = db_state()
    blank = {**MEHMET, "languages": "", "timezone": "", "goals": "", "learn_topics": ""}

    plan = importing.import_preview(
        program=cohort, text=csv_text(LAN, blank, HOA), create_topics=False
    )
    assert [planned.action for planned in plan.rows] == ["unchanged"] * 3
    result = apply(cohort, csv_text(LAN, blank, HOA))
    assert (result.updated, result.unchanged) == (0, 3)
    assert db_state() == before
    enrolment.refresh_from_db()
    assert (enrolment.languages, enrolment.time_zone, enrolment.goals) == (
        ["tr"],
        "Europe/Berlin",
        "My own words.",
    )
    assert sorted(enrolment.learn_topics.values_list("topic__slug", "confidence_start")) == [
        ("data-analysis-tools", 4),
        ("project-tools", 4),
    ]


def test_filled_profile_cells_update_what_is_stored(cohort):
    apply(cohort, good_file())
    changed = {
        **MEHMET,
        "languages": "en",
        "timezone": "Europe/London",
        "goals": "New goals",
        "learn_topics": "ai-automation:3",
    }
    plan = importing.import_preview(
        program=cohort, text=csv_text(LAN, changed, HOA), create_topics=False
    )
    assert plan.rows[1].changes == ["languages", "time zone", "goals", "topics"]
    apply(cohort, csv_text(LAN, changed, HOA))
    enrolment = Enrolment.objects.get(user__email="mehmet@example.com")
    assert (enrolment.languages, enrolment.time_zone, enrolment.goals) == (
        ["en"],
        "Europe/London",
        "New goals",
    )
    assert list(enrolment.learn_topics.values_list("topic__slug", "priority")) == [
        ("ai-automation", 3)
    ]


def test_a_change_of_role_with_an_empty_topics_cell_drops_the_old_topics(cohort):
    apply(cohort, good_file())
    as_mentee = {**LAN, "role": "mentee", "teach_topics": ""}
    plan = importing.import_preview(
        program=cohort, text=csv_text(as_mentee, MEHMET, HOA), create_topics=False
    )
    assert plan.rows[0].changes == ["role", "topics"]
    apply(cohort, csv_text(as_mentee, MEHMET, HOA))
    enrolment = Enrolment.objects.get(user__email="lan@example.com")
    assert enrolment.role == "mentee"
    assert not enrolment.teach_topics.exists()
    assert not enrolment.learn_topics.exists()


def test_topics_are_found_by_slug_or_any_name_in_any_case(cohort):
    Topic.objects.filter(slug="project-tools").update(name_vi="Công cụ quản lý dự án")
    row = {
        **MEHMET,
        "learn_topics": "AI-AUTOMATION:1;  social MEDIA and tiktok ;công cụ QUẢN LÝ dự án",
    }
    apply(cohort, csv_text(row))
    enrolment = Enrolment.objects.get(user__email="mehmet@example.com")
    assert sorted(enrolment.learn_topics.values_list("topic__slug", "priority")) == [
        ("ai-automation", 1),
        ("project-tools", 2),
        ("social-media-tiktok", 2),
    ]


def test_unknown_topic_is_created_and_offered_when_allowed(cohort):
    row = {**LAN, "manager_email": "", "teach_topics": "Prompt writing, for real:1;ai-automation"}
    other = {**MEHMET, "learn_topics": "prompt WRITING, for real"}
    result = apply(cohort, csv_text(row, other), create_topics=True)
    topic = Topic.objects.get(name="Prompt writing, for real")
    assert topic.slug == "prompt-writing-for-real"
    assert result.topics_created == ("Prompt writing, for real",)
    assert cohort.topics.filter(pk=topic.pk).exists()
    assert TeachTopic.objects.get(topic=topic).level == 1
    assert LearnTopic.objects.get(topic=topic).priority == 2
    # Importing it again finds the topic it created.
    again = apply(cohort, csv_text(row, other), create_topics=True)
    assert (again.created, again.updated, again.unchanged, again.topics_created) == (0, 0, 2, ())


def test_created_topic_gets_a_free_slug(cohort):
    Topic.objects.create(slug="ai", name="Artificial intelligence")
    apply(cohort, csv_text({**MEHMET, "learn_topics": "AI!"}), create_topics=True)
    assert Topic.objects.get(name="AI!").slug == "ai-2"


# --- Idempotent by email ------------------------------------------------------------------------


def test_importing_the_same_file_again_changes_nothing(cohort):
    apply(cohort, good_file())
    before = db_state()
    result = apply(cohort, good_file())
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert result.summary == "created 0, updated 0, unchanged 3, skipped 0"
    assert db_state() == before


def test_a_changed_row_updates_that_person_only(cohort):
    apply(cohort, good_file())
    enrolment = Enrolment.objects.get(user__email="mehmet@example.com")
    enrolment.learn_topics.filter(topic__slug="project-tools").update(confidence_start=2)
    lan_before = Enrolment.objects.get(user__email="lan@example.com").updated_at

    changed = {**MEHMET, "department": "Finance", "learn_topics": "project-tools:3;ai-automation"}
    plan = importing.import_preview(
        program=cohort, text=csv_text(LAN, changed, HOA), create_topics=False
    )
    assert [(p.email, p.action) for p in plan.rows] == [
        ("lan@example.com", "unchanged"),
        ("mehmet@example.com", "update"),
        ("hoa@example.com", "unchanged"),
    ]
    assert plan.rows[1].changes == ["department", "topics"]

    result = apply(cohort, csv_text(LAN, changed, HOA))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    assert User.objects.get(email="mehmet@example.com").department == "Finance"
    learn = dict(
        enrolment.learn_topics.values_list("topic__slug", "priority").order_by("topic__slug")
    )
    assert learn == {"ai-automation": 2, "project-tools": 3}
    # The mentee's own confidence rating survives the file.
    assert enrolment.learn_topics.get(topic__slug="project-tools").confidence_start == 2
    assert Enrolment.objects.get(user__email="lan@example.com").updated_at == lan_before


def test_a_change_of_role_replaces_the_topics(cohort):
    apply(cohort, good_file())
    as_mentee = {**LAN, "role": "mentee", "teach_topics": "", "learn_topics": "project-tools"}
    apply(cohort, csv_text(as_mentee, MEHMET, HOA))
    enrolment = Enrolment.objects.get(user__email="lan@example.com")
    assert enrolment.role == "mentee"
    assert not enrolment.teach_topics.exists()
    assert list(enrolment.learn_topics.values_list("topic__slug", flat=True)) == ["project-tools"]


def test_an_empty_manager_in_the_file_clears_the_manager(cohort):
    apply(cohort, good_file())
    apply(cohort, csv_text({**LAN, "manager_email": ""}, MEHMET, HOA))
    assert User.objects.get(email="lan@example.com").manager is None


# --- Preview ------------------------------------------------------------------------------------


def test_preview_plans_without_saving(cohort):
    existing = UserFactory(email="hoa@example.com", full_name="Hoa Lê", department="Marketing")
    existing.job_title = "Head of marketing"
    existing.save()
    before = db_state()
    plan = importing.import_preview(program=cohort, text=good_file(), create_topics=False)
    assert plan.ok
    assert [(p.number, p.email, p.action) for p in plan.rows] == [
        (2, "lan@example.com", "create"),
        (3, "mehmet@example.com", "create"),
        (4, "hoa@example.com", "unchanged"),
    ]
    assert (plan.created, plan.updated, plan.unchanged) == (2, 0, 1)
    assert [str(topic) for topic in plan.rows[0].topics] == [
        "AI and automation tools (3)",
        "Social media and TikTok (2)",
    ]
    assert plan.rows[0].role_label == "Mentor"
    assert db_state() == before


# --- Bad input: a clear message, nothing saved -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            csv_text(LAN, columns=[c for c in COLUMNS if c != "timezone"]),
            "Row 1: Missing columns: timezone.",
        ),
        (csv_text(LAN, columns=[*COLUMNS, "salary"]), "Row 1: Unknown columns: salary."),
        (
            csv_text(MEHMET, {**LAN, "email": "lan at example"}),
            "Row 3, column “email”: “lan at example” is not a valid email address.",
        ),
        (
            csv_text(LAN, MEHMET, HOA, {**MEHMET, "email": "Mehmet@Example.com"}),
            "Row 5, column “email”: mehmet@example.com is already in row 3",
        ),
        (csv_text(HOA, {**LAN, "role": "boss"}), "Row 3, column “role”: “boss” is not a role"),
        (
            csv_text(HOA, {**LAN, "teach_topics": "ai-automation:5"}),
            "Row 3, column “teach_topics”: The level of “ai-automation” is 5; "
            "it must be 1, 2 or 3.",
        ),
        (
            csv_text(MEHMET, {**HOA, "timezone": "Asia/Saigon_City"}),
            "Row 3, column “timezone”: “Asia/Saigon_City” is not a known time zone",
        ),
        (
            csv_text(MEHMET, {**HOA, "languages": "en;klingon"}),
            "Row 3, column “languages”: “klingon” is not an ISO 639-1 language code",
        ),
        (
            csv_text({**HOA, "manager_email": "lan@example.com"}, LAN),
            "Row 2, column “manager_email”: The reporting line goes round in a loop: "
            "hoa@example.com → lan@example.com → hoa@example.com",
        ),
        ("", "The file is empty."),
        (csv_text(), "The file has a header row but no people."),
        (
            csv_text(HOA, {**LAN, "teach_topics": "Underwater basket weaving"}),
            "Row 3, column “teach_topics”: “Underwater basket weaving” is not in the topic "
            "catalogue.",
        ),
        (
            csv_text({**LAN, "manager_email": "nobody@example.com"}),
            "Row 2, column “manager_email”: nobody@example.com is neither in this file nor the "
            "address of an existing account.",
        ),
        (
            csv_text(HOA, {**LAN, "teach_topics": "gen-z-consumer-insight"}),
            "Row 3, column “teach_topics”: This program does not offer “Gen Z consumer insight”.",
        ),
        (
            csv_text(HOA, {**LAN, "teach_topics": "ai-automation;AI and automation tools:1"}),
            "Row 3, column “teach_topics”: “AI and automation tools” is named twice.",
        ),
    ],
    ids=[
        "missing-column",
        "unknown-column",
        "invalid-email",
        "duplicate-email",
        "unknown-role",
        "level-out-of-range",
        "unknown-time-zone",
        "unknown-language",
        "manager-cycle-in-file",
        "empty-file",
        "header-only",
        "unknown-topic",
        "unknown-manager",
        "topic-not-offered",
        "topic-twice",
    ],
)
def test_bad_file_is_refused_with_a_clear_message_and_saves_nothing(cohort, text, expected):
    # A good person in the database, so that "nothing saved" also means "nothing updated".
    apply(cohort, csv_text(MEHMET))
    assert_refused(cohort, text, expected)


def test_one_bad_row_among_good_ones_saves_none_of_them(cohort):
    text = csv_text(LAN, MEHMET, HOA, {**HOA, "email": "x@example.com", "role": "boss"})
    assert_refused(cohort, text, "Row 5, column “role”")
    assert not User.objects.filter(email="lan@example.com").exists()


def test_manager_cycle_through_an_existing_person_is_refused(cohort):
    ceo = UserFactory(email="ceo@example.com")
    boss = UserFactory(email="boss@example.com", manager=ceo)
    lan = UserFactory(email="lan@example.com", manager=boss)
    ceo.manager = lan  # a loop the file would close: the CEO reports to Lan already
    ceo.save()
    lan.manager = None
    lan.save()
    # Lan -> boss -> CEO -> Lan
    messages = assert_refused(
        cohort,
        csv_text({**LAN, "manager_email": "boss@example.com"}),
        "Row 2, column “manager_email”: The reporting line goes round in a loop: "
        "lan@example.com → boss@example.com → ceo@example.com → lan@example.com",
    )
    assert len(messages) == 1


def test_manager_cycle_through_a_person_outside_the_file_is_refused(cohort):
    boss = UserFactory(email="boss@example.com")
    UserFactory(email="hoa@example.com")
    boss.manager = User.objects.get(email="hoa@example.com")
    boss.save()
    # The file makes Hoa report to Lan, Lan to the boss, and the boss reports to Hoa already.
    assert_refused(
        cohort,
        csv_text(
            {**HOA, "manager_email": "lan@example.com"},
            {**LAN, "manager_email": "boss@example.com"},
        ),
        "hoa@example.com → lan@example.com → boss@example.com → hoa@example.com",
    )


def test_unknown_topic_is_an_error_without_create_topics_and_created_with_it(cohort):
    text = csv_text(HOA, {**LAN, "teach_topics": "Underwater basket weaving:2"})
    assert_refused(cohort, text, "“Underwater basket weaving” is not in the topic catalogue")
    assert not Topic.objects.filter(name__iexact="Underwater basket weaving").exists()
    apply(cohort, text, create_topics=True)
    assert cohort.topics.filter(name="Underwater basket weaving").exists()


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("draft", "Open enrolment first: a draft program takes nobody in yet."),
        ("completed", "This program has ended: nobody can be imported into it any more."),
        ("archived", "This program has ended: nobody can be imported into it any more."),
    ],
)
def test_a_program_that_takes_nobody_refuses_the_import(status, expected):
    closed = ProgramFactory(status=status, topics=list(Topic.objects.filter(slug__in=OFFERED)))
    messages = assert_refused(closed, good_file(), expected)
    assert messages == [expected]
    plan = importing.import_preview(program=closed, text=good_file(), create_topics=False)
    assert [(error.row, error.column) for error in plan.errors] == [(None, None)]


def test_a_deactivated_account_is_a_row_error(cohort):
    UserFactory(email="mehmet@example.com", is_active=False)
    assert_refused(
        cohort,
        csv_text(LAN, MEHMET, HOA),
        "Row 3, column “email”: The account of mehmet@example.com is deactivated.",
    )


def test_an_address_of_another_account_is_refused(cohort):
    owner = UserFactory(email="lan.pham@example.com")
    EmailAddress.objects.create(user=owner, email="lan@example.com", primary=False, verified=True)
    assert_refused(
        cohort,
        csv_text({**LAN, "manager_email": ""}),
        "Row 2, column “email”: lan@example.com is already an address of another account.",
    )


def test_all_problems_are_reported_together(cohort):
    text = csv_text(
        {**LAN, "timezone": "Nowhere", "manager_email": "nobody@example.com"},
        {**MEHMET, "learn_topics": "Knitting"},
    )
    with pytest.raises(importing.ImportRejected) as refused:
        apply(cohort, text)
    assert [(e.row, e.column) for e in refused.value.row_errors] == [
        (2, "manager_email"),
        (2, "timezone"),
        (3, "learn_topics"),
    ]


def test_a_failure_while_saving_rolls_everything_back(cohort, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    before = db_state()
    monkeypatch.setattr(LearnTopic.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError):
        apply(cohort, good_file())
    assert db_state() == before


# --- Size and encoding --------------------------------------------------------------------------


def test_file_over_the_size_limit_is_refused():
    data = good_file().encode() + b"x" * importing.MAX_IMPORT_BYTES
    with pytest.raises(importing.ImportRejected) as refused:
        importing.decode_upload(data)
    assert "the limit is 2.0\xa0MB" in str(refused.value.row_errors[0])


def test_file_at_the_size_limit_is_read():
    data = b"x" * importing.MAX_IMPORT_BYTES
    assert len(importing.decode_upload(data)) == importing.MAX_IMPORT_BYTES


def test_latin1_file_is_refused():
    data = csv_text({**HOA, "full_name": "José Müller"}).encode("latin-1")
    with pytest.raises(importing.ImportRejected) as refused:
        importing.decode_upload(data)
    assert "The file is not UTF-8 text" in str(refused.value.row_errors[0])


def test_byte_order_mark_is_dropped():
    assert importing.decode_upload(b"\xef\xbb\xbf" + good_file().encode()) == good_file()


# --- Confirming once ----------------------------------------------------------------------------


def test_an_import_is_confirmed_once(cohort, hr_admin):
    upload = ParticipantImport.objects.create(
        program=cohort, uploaded_by=hr_admin, filename="people.csv", content=good_file()
    )
    result = importing.import_confirm(participant_import=upload, by=hr_admin)
    assert result.created == 3
    upload.refresh_from_db()
    assert upload.applied_at is not None
    before = db_state()
    with pytest.raises(importing.ImportAlreadyApplied):
        importing.import_confirm(participant_import=upload, by=hr_admin)
    assert db_state() == before


def test_an_applied_import_keeps_its_record_but_not_the_file(cohort, hr_admin):
    upload = ParticipantImport.objects.create(
        program=cohort, uploaded_by=hr_admin, filename="people.csv", content=good_file()
    )
    importing.import_confirm(participant_import=upload, by=hr_admin)
    upload.refresh_from_db()
    assert upload.content == ""
    assert (upload.filename, upload.uploaded_by, upload.program) == ("people.csv", hr_admin, cohort)
    assert upload.applied_at is not None


def test_a_refused_confirmation_leaves_the_import_unapplied(cohort, hr_admin):
    upload = ParticipantImport.objects.create(
        program=cohort, uploaded_by=hr_admin, filename="people.csv", content=good_file()
    )
    cohort.topics.remove(Topic.objects.get(slug="ai-automation"))
    with pytest.raises(importing.ImportRejected):
        importing.import_confirm(participant_import=upload, by=hr_admin)
    upload.refresh_from_db()
    assert upload.applied_at is None
    assert upload.content == good_file()  # kept, to be confirmed once corrected
    assert not User.objects.filter(email="lan@example.com").exists()


def test_enrolments_in_other_programs_are_untouched(cohort, mentee, program):
    def enrolment_in_program():
        enrolment = Enrolment.objects.get(program=program, user=mentee)
        topics = list(enrolment.learn_topics.values_list("topic__slug", "priority"))
        return (enrolment.role, enrolment.status, enrolment.languages, enrolment.updated_at, topics)

    before = enrolment_in_program()
    apply(cohort, csv_text({**MEHMET, "email": mentee.email, "learn_topics": "ai-automation:1"}))
    assert enrolment_in_program() == before
    assert Enrolment.objects.filter(user=mentee).count() == 2
