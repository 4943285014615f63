"""The participant CSV format, read without a database: every bad input gets a row-numbered,
readable message."""

import csv
import io

import pytest

from programs.csv_format import (
    COLUMNS,
    EncodingProblem,
    RowError,
    TopicChoice,
    decode,
    find_manager_cycles,
    neutralise_formula,
    parse,
    parse_bytes,
)

PERSON = {
    "email": "lan@example.com",
    "full_name": "Lan Phạm",
    "role": "mentor",
    "department": "Marketing",
    "job_title": "Content lead",
    "manager_email": "",
    "languages": "vi;en",
    "timezone": "Asia/Ho_Chi_Minh",
    "teach_topics": "ai-automation:3;Social media and TikTok",
    "learn_topics": "",
    "goals": "Show leaders how we use TikTok.",
}


def person(**changes) -> dict[str, str]:
    return {**PERSON, **changes}


def csv_text(*rows: dict[str, str], columns=COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def messages(parsed) -> list[str]:
    return [str(error) for error in parsed.errors]


# --- A good file --------------------------------------------------------------------------------


def test_good_file_gives_normalised_rows_and_no_errors():
    parsed = parse(
        csv_text(
            person(email=" Lan@Example.COM ", languages="VI; en;", timezone="asia/ho_chi_minh"),
            person(
                email="mehmet@example.com",
                full_name="  Mehmet   Kaya ",
                role="MENTEE",
                manager_email="lan@example.com",
                teach_topics="",
                learn_topics="project-tools:1; data analysis tools",
                languages="tr",
                timezone="Europe/Istanbul",
            ),
        )
    )
    assert parsed.ok, messages(parsed)
    lan, mehmet = parsed.rows
    assert (lan.number, lan.email, lan.role) == (2, "lan@example.com", "mentor")
    assert lan.languages == ("vi", "en")
    assert lan.timezone == "Asia/Ho_Chi_Minh"
    assert lan.teach_topics == (
        TopicChoice("ai-automation", 3),
        TopicChoice("Social media and TikTok", 2),
    )
    assert (mehmet.number, mehmet.full_name, mehmet.role) == (3, "Mehmet Kaya", "mentee")
    assert mehmet.manager_email == "lan@example.com"
    assert mehmet.topics == (TopicChoice("project-tools", 1), TopicChoice("data analysis tools"))
    assert mehmet.topics_column == "learn_topics"


def test_columns_may_come_in_any_order_and_any_case():
    columns = list(reversed(COLUMNS))
    header, rest = csv_text(person(), columns=columns).split("\r\n", 1)
    text = header.replace("goals", " Goals ").replace(",email", ", EMAIL ") + "\r\n" + rest
    parsed = parse(text)
    assert parsed.ok, messages(parsed)
    assert parsed.rows[0].email == "lan@example.com"


def test_byte_order_mark_is_accepted():
    data = "\ufeff".encode() + csv_text(person()).encode()
    parsed = parse_bytes(data)
    assert parsed.ok, messages(parsed)
    assert parsed.rows[0].email == "lan@example.com"


def test_file_without_byte_order_mark_is_accepted():
    parsed = parse_bytes(csv_text(person()).encode())
    assert parsed.ok, messages(parsed)


def test_quoted_topic_names_may_contain_commas_and_colons():
    text = csv_text(person(teach_topics="Project tools, such as Trello: or Asana:3;Gen Z, again"))
    assert '"Project tools, such as Trello: or Asana:3;Gen Z, again"' in text
    parsed = parse(text)
    assert parsed.ok, messages(parsed)
    assert parsed.rows[0].teach_topics == (
        TopicChoice("Project tools, such as Trello: or Asana", 3),
        TopicChoice("Gen Z, again", 2),
    )


def test_quoted_cell_over_several_lines_is_one_row():
    text = csv_text(
        person(goals="First line\nsecond line"), person(email="x@example.com", role="!")
    )
    parsed = parse(text)
    assert messages(parsed) == [
        "Row 3, column “role”: “!” is not a role: write mentor, mentee, or leave it empty."
    ]
    assert parsed.rows[0].goals == "First line\nsecond line"


def test_blank_lines_are_skipped_but_still_counted():
    text = csv_text(person()) + ",,,,,,,,,,\r\n\r\n" + "bad-email,Name,,,,,,,,,\r\n"
    parsed = parse(text)
    assert messages(parsed) == ["Row 5, column “email”: “bad-email” is not a valid email address."]


def test_empty_role_enrols_nobody_and_needs_no_topics():
    parsed = parse(csv_text(person(role="", teach_topics="", languages="", timezone="")))
    assert parsed.ok, messages(parsed)
    assert parsed.rows[0].role == ""
    assert parsed.rows[0].topics == ()


def test_error_names_row_and_column():
    assert str(RowError(4, "timezone", "Bad.")) == "Row 4, column “timezone”: Bad."
    assert str(RowError(4, None, "Bad.")) == "Row 4: Bad."
    assert str(RowError(None, None, "Bad.")) == "Bad."


# --- The file as a whole ------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"   \r\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n\r\n"])
def test_empty_file_is_refused(data):
    parsed = parse_bytes(data)
    assert messages(parsed) == ["The file is empty."]
    assert parsed.rows == []


def test_header_without_people_is_refused():
    parsed = parse(csv_text())
    assert messages(parsed) == ["The file has a header row but no people."]


def test_missing_columns_are_named():
    columns = [c for c in COLUMNS if c not in {"timezone", "goals"}]
    parsed = parse(csv_text(person(), columns=columns))
    assert len(parsed.errors) == 1
    assert parsed.errors[0].row == 1
    assert str(parsed.errors[0]).startswith("Row 1: Missing columns: timezone, goals.")
    assert parsed.rows == []


def test_unknown_columns_are_named():
    parsed = parse(csv_text(person(), columns=[*COLUMNS, "salary", "status"]))
    assert len(parsed.errors) == 1
    assert str(parsed.errors[0]).startswith("Row 1: Unknown columns: salary, status.")
    assert ", ".join(COLUMNS) in str(parsed.errors[0])


def test_a_file_without_header_is_refused_with_the_expected_columns():
    text = csv_text(person()).split("\r\n", 1)[1]
    parsed = parse(text)
    assert "Missing columns: email, full_name" in messages(parsed)[0]
    assert "Unknown columns: lan@example.com" in messages(parsed)[1]


def test_column_named_twice_is_refused():
    parsed = parse(csv_text(person(), columns=[*COLUMNS, "email"]))
    assert messages(parsed) == ["Row 1: Columns named twice: email."]


def test_latin1_bytes_are_refused_with_the_first_bad_line():
    first = person(full_name="Lan")
    second = person(email="b@example.com", full_name="José Müller")
    data = csv_text(first, second).encode("latin-1")
    with pytest.raises(EncodingProblem):
        decode(data)
    parsed = parse_bytes(data)
    assert messages(parsed) == [
        "The file is not UTF-8 text (the first unreadable character is on line 3). Save it "
        "from your spreadsheet as “CSV UTF-8” and upload it again."
    ]
    assert parsed.rows == []


def test_windows_1252_export_is_refused():
    data = "email,full_name\r\nx@example.com,Ça “va”\r\n".encode("cp1252")
    assert "not UTF-8" in messages(parse_bytes(data))[0]


def test_broken_quoting_is_refused():
    text = csv_text() + 'lan@example.com,"Lan" Phạm,mentor,,,,,,,,\r\n'
    parsed = parse(text)
    assert len(parsed.errors) == 1
    assert "not valid CSV near line 2" in str(parsed.errors[0])


def test_row_with_too_many_cells_is_refused():
    text = csv_text() + "lan@example.com,Lan,mentor,,,,,,,,,surprise\r\n"
    assert messages(parse(text)) == ["Row 2: This row has 12 cells but the header has 11 columns."]


def test_trailing_empty_cells_are_tolerated():
    text = csv_text() + "lan@example.com,Lan,,,,,,,,,,,\r\n"
    assert parse(text).ok


# --- One cell at a time -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"email": "not-an-email"}, "column “email”: “not-an-email” is not a valid email address."),
        ({"email": ""}, "column “email”: The email address is missing."),
        (
            {"email": "a" * 64 + "@" + "b" * 200 + ".com"},
            "column “email”: “" + "a" * 64 + "@" + "b" * 200 + ".com” is not a valid email",
        ),
        ({"full_name": "  "}, "column “full_name”: The name is missing."),
        ({"department": "x" * 121}, "column “department”: This is longer than 120 characters."),
        (
            {"role": "boss"},
            "column “role”: “boss” is not a role: write mentor, mentee, or leave it empty.",
        ),
        (
            {"manager_email": "boss@"},
            "column “manager_email”: “boss@” is not a valid email address.",
        ),
        (
            {"languages": "en;xx"},
            "column “languages”: “xx” is not an ISO 639-1 language code (two letters, "
            "such as en or vi).",
        ),
        (
            {"languages": "eng"},
            "column “languages”: “eng” is not an ISO 639-1 language code",
        ),
        (
            {"timezone": "Mars/Olympus_Mons"},
            "column “timezone”: “Mars/Olympus_Mons” is not a known time zone; use a name such "
            "as Asia/Ho_Chi_Minh.",
        ),
        (
            {"teach_topics": "ai-automation:4"},
            "column “teach_topics”: The level of “ai-automation” is 4; it must be 1, 2 or 3.",
        ),
        (
            {"teach_topics": "ai-automation:0"},
            "column “teach_topics”: The level of “ai-automation” is 0; it must be 1, 2 or 3.",
        ),
        (
            {"teach_topics": "ai-automation:-1"},
            "column “teach_topics”: The level of “ai-automation” is -1; it must be 1, 2 or 3.",
        ),
        (
            {"teach_topics": "ai-automation:"},
            "column “teach_topics”: “ai-automation:” has a colon but no level after it.",
        ),
        ({"teach_topics": ":2"}, "column “teach_topics”: “:2” has a level but no topic."),
        (
            {"role": "mentee", "teach_topics": "ai-automation"},
            "column “teach_topics”: Only mentors teach topics",
        ),
        (
            {"learn_topics": "ai-automation"},
            "column “learn_topics”: Only mentees learn topics",
        ),
    ],
)
def test_bad_cell_is_named_with_its_row_and_column(changes, expected):
    parsed = parse(csv_text(person(email="ok@example.com"), person(**changes)))
    assert len(parsed.errors) == 1, messages(parsed)
    assert parsed.errors[0].row == 3
    assert str(parsed.errors[0]).startswith(f"Row 3, {expected}")


def test_priority_out_of_range_for_a_mentee():
    parsed = parse(csv_text(person(role="mentee", teach_topics="", learn_topics="Data:9")))
    assert messages(parsed) == [
        "Row 2, column “learn_topics”: The level of “Data” is 9; it must be 1, 2 or 3."
    ]


def test_bad_role_is_one_complaint_not_two():
    parsed = parse(csv_text(person(role="teacher")))
    assert [error.column for error in parsed.errors] == ["role"]


def test_duplicate_email_names_the_first_row():
    parsed = parse(
        csv_text(person(), person(email="other@example.com"), person(email="LAN@example.com"))
    )
    assert messages(parsed) == [
        "Row 4, column “email”: lan@example.com is already in row 2; each person may appear once."
    ]
    assert [row.number for row in parsed.rows] == [2, 3]


def test_several_problems_are_all_reported_in_row_order():
    parsed = parse(
        csv_text(
            person(timezone="Nowhere", languages="zz"),
            person(email="bad", role="x"),
        )
    )
    assert [(error.row, error.column) for error in parsed.errors] == [
        (2, "languages"),
        (2, "timezone"),
        (3, "email"),
    ]


def test_a_row_with_a_bad_cell_keeps_its_email_for_later_checks():
    parsed = parse(csv_text(person(timezone="Nowhere")))
    assert [row.email for row in parsed.rows] == ["lan@example.com"]
    assert parsed.rows[0].timezone == ""


# --- Reporting lines ----------------------------------------------------------------------------


def test_find_manager_cycles_finds_each_loop_once():
    edges = {
        "a": "b",
        "b": "a",
        "c": "d",
        "d": "e",
        "e": "c",
        "f": "c",  # leads into a loop without being part of it
        "g": None,
        "h": "outside",
        "i": "i",
    }
    assert find_manager_cycles(edges) == [["a", "b"], ["c", "d", "e"], ["i"]]


def test_find_manager_cycles_is_empty_for_a_tree():
    assert find_manager_cycles({"a": "b", "b": "c", "c": None, "d": "c", "e": "z"}) == []


def test_manager_loop_in_the_file_is_refused():
    parsed = parse(
        csv_text(
            person(manager_email="mehmet@example.com"),
            person(email="mehmet@example.com", manager_email="lan@example.com"),
            person(email="boss@example.com", manager_email=""),
        )
    )
    assert messages(parsed) == [
        "Row 2, column “manager_email”: The reporting line goes round in a loop: "
        "lan@example.com → mehmet@example.com → lan@example.com (each arrow points to the "
        "person's manager)."
    ]


def test_own_manager_is_refused():
    parsed = parse(csv_text(person(manager_email="LAN@example.com")))
    assert messages(parsed) == [
        "Row 2, column “manager_email”: lan@example.com cannot be their own manager."
    ]


def test_manager_loop_through_an_existing_person_is_refused():
    text = csv_text(person(manager_email="boss@example.com"))
    org_chart = {"boss@example.com": "ceo@example.com", "ceo@example.com": "lan@example.com"}
    parsed = parse(text, org_chart=org_chart)
    assert messages(parsed) == [
        "Row 2, column “manager_email”: The reporting line goes round in a loop: "
        "lan@example.com → boss@example.com → ceo@example.com → lan@example.com (each arrow "
        "points to the person's manager)."
    ]


def test_the_file_replaces_the_org_chart_for_people_in_it():
    # Today Lan manages Mehmet; the file turns it round. That is a change, not a loop.
    org_chart = {"mehmet@example.com": "lan@example.com", "lan@example.com": None}
    text = csv_text(
        person(manager_email="mehmet@example.com"),
        person(email="mehmet@example.com", manager_email=""),
    )
    assert parse(text, org_chart=org_chart).ok


def test_an_old_loop_the_file_does_not_touch_is_not_its_problem():
    org_chart = {"x@example.com": "y@example.com", "y@example.com": "x@example.com"}
    assert parse(csv_text(person()), org_chart=org_chart).ok


# --- Export -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Lan Phạm", "Lan Phạm"),
        ("a=b", "a=b"),
        ("", ""),
        # An apostrophe already in front of a formula gets one more, so that the import, which
        # strips one, gives back what was stored.
        ("'=1+2", "''=1+2"),
        ("'plain", "'plain"),
    ],
)
def test_neutralise_formula(cell, expected):
    assert neutralise_formula(cell) == expected


@pytest.mark.parametrize(
    "cell",
    ["=1+2", "+1", "-2+3", "@cmd", "Plain", "it's fine", "'quoted", "'=1+2", "''-2"],
)
def test_a_neutralised_cell_reads_back_as_it_was(cell):
    # Goals are kept as written (only trimmed), so they show the round trip exactly.
    parsed = parse(csv_text(person(goals=neutralise_formula(cell))))
    assert parsed.ok, messages(parsed)
    assert parsed.rows[0].goals == cell


def test_import_strips_one_apostrophe_before_a_formula_character_only():
    parsed = parse(
        csv_text(
            person(
                full_name="'=Lan",
                department="''+Sales",
                job_title="'Head of sales",
                goals="'@home'",
            )
        )
    )
    assert parsed.ok, messages(parsed)
    row = parsed.rows[0]
    assert (row.full_name, row.department, row.job_title, row.goals) == (
        "=Lan",
        "'+Sales",
        "'Head of sales",
        "@home'",
    )


def test_a_neutralised_email_is_validated_after_the_apostrophe_is_stripped():
    parsed = parse(
        csv_text(
            person(email="'-lan@example.com"),
            person(email="'=not an email", full_name="Other"),
        )
    )
    assert [row.email for row in parsed.rows] == ["-lan@example.com"]
    assert messages(parsed) == [
        "Row 3, column “email”: “=not an email” is not a valid email address."
    ]
