"""The command-line twins: `import_participants` and `create_program`."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from mentorship.accounts.models import User
from programs import importing
from programs.management.commands import import_participants
from programs.models import Enrolment, Program, Topic
from tests.factories import ProgramFactory
from tests.programs.test_importing import HOA, LAN, MEHMET, csv_text, db_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(db):
    slugs = ["ai-automation", "social-media-tiktok", "project-tools", "data-analysis-tools"]
    return ProgramFactory(slug="cohort", topics=list(Topic.objects.filter(slug__in=slugs)))


@pytest.fixture
def write(tmp_path):
    def write_file(content: str | bytes, name="people.csv"):
        path = tmp_path / name
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8", newline="")
        else:
            path.write_bytes(content)
        return path

    return write_file


def run(*args) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command(*args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def run_refused(*args) -> tuple[str, str]:
    stderr = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(*args, stdout=io.StringIO(), stderr=stderr)
    return str(refused.value), stderr.getvalue()


# --- import_participants ------------------------------------------------------------------------


def test_import_prints_a_one_line_summary(cohort, write):
    out, err = run("import_participants", "cohort", str(write(csv_text(LAN, MEHMET, HOA))))
    assert out == "created 3, updated 0, unchanged 0, skipped 0\n"
    assert err == ""
    assert User.objects.filter(email__in=["lan@example.com", "hoa@example.com"]).count() == 2


def test_importing_the_same_file_again_changes_nothing(cohort, write):
    path = write(csv_text(LAN, MEHMET, HOA))
    run("import_participants", "cohort", str(path))
    before = db_state()
    out, _ = run("import_participants", "cohort", str(path))
    assert out == "created 0, updated 0, unchanged 3, skipped 0\n"
    assert db_state() == before


def test_changed_row_is_reported_as_updated(cohort, write):
    run("import_participants", "cohort", str(write(csv_text(LAN, MEHMET, HOA))))
    path = write(csv_text(LAN, {**MEHMET, "goals": "New goals"}, HOA), name="v2.csv")
    out, _ = run("import_participants", "cohort", str(path))
    assert out == "created 0, updated 1, unchanged 2, skipped 0\n"


def test_a_withdrawn_person_is_reported_as_skipped(cohort, write):
    path = write(csv_text(LAN, MEHMET, HOA))
    run("import_participants", "cohort", str(path))
    Enrolment.objects.filter(user__email="lan@example.com").update(status="withdrawn")
    out, _ = run("import_participants", "cohort", str(path))
    assert out == "created 0, updated 0, unchanged 2, skipped 1\n"
    assert Enrolment.objects.get(user__email="lan@example.com").status == "withdrawn"


def test_a_draft_program_refuses_the_import(write):
    ProgramFactory(slug="draft-cohort", status="draft")
    before = db_state()
    message, err = run_refused("import_participants", "draft-cohort", str(write(csv_text(HOA))))
    assert err == "Open enrolment first: a draft program takes nobody in yet.\n"
    assert "nothing was saved" in message
    assert db_state() == before


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (csv_text(LAN, columns=["email", "full_name", "role"]), "Row 1: Missing columns:"),
        (csv_text(LAN, columns=[*("email", "nickname")]), "Row 1: Unknown columns: nickname."),
        (
            csv_text({**HOA, "full_name": "José Müller"}).encode("latin-1"),
            "The file is not UTF-8 text (the first unreadable character is on line 2).",
        ),
        (csv_text(HOA, {**LAN, "email": "lan@@example.com"}), "Row 3, column “email”"),
        (csv_text(HOA, LAN, {**LAN, "full_name": "Lan again"}), "lan@example.com is already in"),
        (csv_text(HOA, {**LAN, "role": "intern"}), "Row 3, column “role”: “intern” is not a role"),
        (
            csv_text(HOA, {**LAN, "teach_topics": "ai-automation:7"}),
            "Row 3, column “teach_topics”: The level of “ai-automation” is 7",
        ),
        (
            csv_text(HOA, {**LAN, "timezone": "Europe/Atlantis"}),
            "Row 3, column “timezone”: “Europe/Atlantis” is not a known time zone",
        ),
        (
            csv_text(HOA, {**LAN, "languages": "en;qq"}),
            "Row 3, column “languages”: “qq” is not an ISO 639-1 language code",
        ),
        (
            csv_text({**HOA, "manager_email": "lan@example.com"}, LAN),
            "Row 2, column “manager_email”: The reporting line goes round in a loop",
        ),
        ("", "The file is empty."),
        (
            csv_text(HOA, {**LAN, "teach_topics": "Knitting:1"}),
            "Row 3, column “teach_topics”: “Knitting” is not in the topic catalogue.",
        ),
    ],
    ids=[
        "missing-columns",
        "unknown-column",
        "latin-1",
        "invalid-email",
        "duplicate-email",
        "unknown-role",
        "level-out-of-range",
        "unknown-time-zone",
        "unknown-language",
        "manager-cycle",
        "empty-file",
        "unknown-topic",
    ],
)
def test_bad_file_prints_row_numbered_errors_and_saves_nothing(cohort, write, content, expected):
    before = db_state()
    message, err = run_refused("import_participants", "cohort", str(write(content)))
    assert expected in err
    assert "nothing was saved" in message
    assert db_state() == before


def test_every_error_is_on_its_own_line(cohort, write):
    text = csv_text({**HOA, "role": "x"}, {**LAN, "timezone": "Nowhere"})
    message, err = run_refused("import_participants", "cohort", str(write(text)))
    assert err.splitlines() == [
        "Row 2, column “role”: “x” is not a role: write mentor, mentee, or leave it empty.",
        "Row 3, column “timezone”: “Nowhere” is not a known time zone; use a name such as "
        "Asia/Ho_Chi_Minh.",
    ]
    assert message.startswith("2 problems in ")


def test_unknown_topic_needs_create_topics(cohort, write):
    path = write(csv_text(HOA, {**LAN, "teach_topics": "Knitting:1"}))
    run_refused("import_participants", "cohort", str(path))
    assert not Topic.objects.filter(name="Knitting").exists()

    out, _ = run("import_participants", "cohort", str(path), "--create-topics")
    assert out == "created 2, updated 0, unchanged 0, skipped 0\n"
    knitting = Topic.objects.get(name="Knitting")
    assert cohort.topics.filter(pk=knitting.pk).exists()


def test_over_size_file_is_refused_before_it_is_read(cohort, write):
    path = write(csv_text(LAN) + "#" * importing.MAX_IMPORT_BYTES)
    before = db_state()
    message, err = run_refused("import_participants", "cohort", str(path))
    assert "the limit is 2.0\xa0MB" in err
    assert db_state() == before


def test_missing_file_and_unknown_program_are_clear_errors(cohort, write, tmp_path):
    message, _ = run_refused("import_participants", "cohort", str(tmp_path / "nope.csv"))
    assert message.startswith(f"Cannot read {tmp_path / 'nope.csv'}: No such file")
    message, _ = run_refused("import_participants", "no-such", str(write(csv_text(HOA))))
    assert message == "There is no program “no-such”."


def test_refused_import_exits_non_zero(cohort, write, monkeypatch, capsys):
    # run_from_argv is what `manage.py` calls; it closes connections at the end, which would
    # end the test's transaction.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    path = write(csv_text({**LAN, "role": "intern"}))
    with pytest.raises(SystemExit) as exit_info:
        import_participants.Command().run_from_argv(
            ["manage.py", "import_participants", "cohort", str(path)]
        )
    assert exit_info.value.code != 0
    assert "Row 2, column “role”" in capsys.readouterr().err


# --- create_program -----------------------------------------------------------------------------


def test_create_program_with_defaults_offers_every_active_topic():
    Topic.objects.filter(slug="diversity-inclusion").update(is_active=False)
    with time_machine.travel(datetime.datetime(2027, 1, 10, 12, tzinfo=datetime.UTC), tick=False):
        out, _ = run("create_program", "cohort-2027", "--name", "Cohort 2027")
    program = Program.objects.get(slug="cohort-2027")
    assert program.name == "Cohort 2027"
    assert program.status == "draft"
    assert program.start_date == datetime.date(2027, 2, 9)
    assert program.end_date == datetime.date(2027, 8, 10)
    assert program.mentor_capacity == 1
    assert program.objectives
    offered = set(program.topics.values_list("slug", flat=True))
    assert offered == set(Topic.objects.filter(is_active=True).values_list("slug", flat=True))
    assert "diversity-inclusion" not in offered
    assert len(offered) == 10
    assert "cohort-2027" in out


def test_create_program_with_dates_and_capacity():
    run(
        "create_program",
        "cohort-b",
        "--name",
        "Cohort B",
        "--mentor-capacity",
        "3",
        "--start",
        "2027-03-01",
        "--end",
        "2027-09-30",
    )
    program = Program.objects.get(slug="cohort-b")
    assert (program.start_date, program.end_date) == (
        datetime.date(2027, 3, 1),
        datetime.date(2027, 9, 30),
    )
    assert program.mentor_capacity == 3


def test_create_program_refuses_a_taken_slug(program):
    before = Program.objects.count()
    message, _ = run_refused("create_program", program.slug, "--name", "Again")
    assert message == (
        "A program with the short name “digital-leaders-2027” already exists; choose another."
    )
    assert Program.objects.count() == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--start", "2027-03-01", "--end", "2027-03-01"],
            "The end date (2027-03-01) must be after the start date (2027-03-01).",
        ),
        (
            ["--start", "2027-03-01", "--end", "2026-12-31"],
            "The end date (2026-12-31) must be after the start date (2027-03-01).",
        ),
        (["--start", "01/03/2027"], "“01/03/2027” is not a date; write it as YYYY-MM-DD."),
        (["--end", "2027-02-30"], "“2027-02-30” is not a date; write it as YYYY-MM-DD."),
        (["--mentor-capacity", "0"], "Mentees per mentor: Ensure this value is greater than"),
    ],
)
def test_create_program_refuses_bad_values(db, args, expected):
    message, _ = run_refused("create_program", "cohort-c", "--name", "Cohort C", *args)
    assert expected in message
    assert not Program.objects.filter(slug="cohort-c").exists()


def test_create_program_refuses_a_bad_slug(db):
    message, _ = run_refused("create_program", "not a slug!", "--name", "X")
    assert message.startswith("Short name in addresses: Enter a valid “slug”")
    assert not Program.objects.exists()
