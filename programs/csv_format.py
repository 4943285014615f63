"""The participant CSV format, read and written without the database: bytes in, rows or
row-numbered errors out; and the export's protection against spreadsheet formulas, which the
import undoes.

Row numbers are what a spreadsheet shows: the header is row 1, the first person is row 2.
"""

import csv
import functools
import io
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pycountry
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

COLUMNS: tuple[str, ...] = (
    "email",
    "full_name",
    "role",
    "department",
    "job_title",
    "manager_email",
    "languages",
    "timezone",
    "teach_topics",
    "learn_topics",
    "goals",
)
EXPORT_COLUMNS: tuple[str, ...] = (*COLUMNS, "status", "profile_complete")

ROLES = ("mentor", "mentee")
MIN_LEVEL, MAX_LEVEL, DEFAULT_LEVEL = 1, 3, 2
# The lengths of the columns these cells are stored in (User and Topic).
MAX_LENGTHS = {"full_name": 150, "department": 120, "job_title": 120}
MAX_TOPIC_NAME_LENGTH = 120
MAX_EMAIL_LENGTH = 254  # the User.email column; validate_email alone allows 320
# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class TopicChoice:
    """One entry of a topics cell: a topic name or slug as written, and its level or priority."""

    key: str
    level: int = DEFAULT_LEVEL


@dataclass(frozen=True)
class Row:
    """One person of the file, normalised. A cell that failed validation is left empty here
    (its error is in ParsedFile.errors), so that later checks do not repeat the complaint."""

    number: int
    email: str
    full_name: str = ""
    role: str = ""
    department: str = ""
    job_title: str = ""
    manager_email: str = ""
    languages: tuple[str, ...] = ()
    timezone: str = ""
    teach_topics: tuple[TopicChoice, ...] = ()
    learn_topics: tuple[TopicChoice, ...] = ()
    goals: str = ""

    @property
    def topics(self) -> tuple[TopicChoice, ...]:
        return self.teach_topics if self.role == "mentor" else self.learn_topics

    @property
    def topics_column(self) -> str:
        return "teach_topics" if self.role == "mentor" else "learn_topics"


@dataclass(frozen=True)
class RowError:
    """A problem in the file. `row` is None for problems of the whole file (encoding, header
    missing); `column` is None when no single column is at fault."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.column is None:
            return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return _("Row %(row)s, column “%(column)s”: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }

    @property
    def sort_key(self) -> tuple[int, int]:
        column = COLUMNS.index(self.column) if self.column in COLUMNS else -1
        return (self.row or 0, column)


@dataclass
class ParsedFile:
    """Every row that has a usable email address (even if another cell is wrong, so that the
    caller can check the rest without inventing errors), and every problem found."""

    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class EncodingProblem(ValueError):
    """The bytes are not UTF-8 text; `error` says so in words."""

    def __init__(self, error: RowError):
        super().__init__(error.message)
        self.error = error


def decode(data: bytes) -> str:
    """UTF-8 text, with or without a byte order mark, or EncodingProblem."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        # Counting lines up to the first bad byte points HR at a name with an accent, which is
        # where a Windows-1252 or Latin-1 export usually breaks.
        line = data[: problem.start].count(b"\n") + 1
        raise EncodingProblem(
            RowError(
                None,
                None,
                _(
                    "The file is not UTF-8 text (the first unreadable character is on line "
                    "%(line)s). Save it from your spreadsheet as “CSV UTF-8” and upload it again."
                )
                % {"line": line},
            )
        ) from problem


def parse_bytes(data: bytes, *, org_chart: Mapping[str, str | None] | None = None) -> ParsedFile:
    try:
        text = decode(data)
    except EncodingProblem as problem:
        return ParsedFile(errors=[problem.error])
    return parse(text, org_chart=org_chart)


def parse(text: str, *, org_chart: Mapping[str, str | None] | None = None) -> ParsedFile:
    """Read the file and check every cell that can be checked without the database.

    `org_chart` maps the email of existing people to their manager's email, so that a loop
    that runs through people outside the file is found too.
    """
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return ParsedFile(errors=[RowError(None, None, _("The file is empty."))])
    parsed = ParsedFile()
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
        positions = _read_header(header, parsed.errors)
        if positions is None:
            return parsed
        seen: dict[str, int] = {}
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # spreadsheets export blank lines at the end as ",,,,"
            row = _read_row(number, cells, positions, seen, parsed.errors)
            if row is not None:
                parsed.rows.append(row)
    except csv.Error as problem:
        parsed.errors.append(
            RowError(
                None,
                None,
                _("The file is not valid CSV near line %(line)s: %(problem)s")
                % {"line": reader.line_num, "problem": problem},
            )
        )
        return parsed
    if not parsed.rows and not parsed.errors:
        parsed.errors.append(RowError(None, None, _("The file has a header row but no people.")))
    parsed.errors.extend(manager_cycle_errors(parsed.rows, org_chart or {}))
    parsed.errors.sort(key=lambda error: error.sort_key)
    return parsed


def _read_header(header: list[str], errors: list[RowError]) -> dict[str, int] | None:
    """Where each column is, or None after adding the header's problems to `errors`."""
    problems: list[RowError] = []
    names = [cell.strip().lower() for cell in header]
    # Trailing empty header cells come from spreadsheets that saved a wider range.
    while names and not names[-1]:
        names.pop()
    missing = [column for column in COLUMNS if column not in names]
    unknown = [name or _("(empty)") for name in names if name not in COLUMNS]
    doubled = sorted({name for name in names if name in COLUMNS and names.count(name) > 1})
    expected = ", ".join(COLUMNS)
    if missing:
        problems.append(
            RowError(
                1,
                None,
                _("Missing columns: %(columns)s. The header must name exactly: %(expected)s.")
                % {"columns": ", ".join(missing), "expected": expected},
            )
        )
    if unknown:
        problems.append(
            RowError(
                1,
                None,
                _("Unknown columns: %(columns)s. The header must name exactly: %(expected)s.")
                % {"columns": ", ".join(unknown), "expected": expected},
            )
        )
    if doubled:
        problems.append(
            RowError(
                1,
                None,
                _("Columns named twice: %(columns)s.") % {"columns": ", ".join(doubled)},
            )
        )
    if problems:
        errors.extend(problems)
        return None
    return {name: index for index, name in enumerate(names)}


def _read_row(
    number: int,
    cells: list[str],
    positions: dict[str, int],
    seen: dict[str, int],
    errors: list[RowError],
) -> Row | None:
    width = len(positions)
    if len(cells) > width and any(cell.strip() for cell in cells[width:]):
        errors.append(
            RowError(
                number,
                None,
                _("This row has %(count)s cells but the header has %(width)s columns.")
                % {"count": len(cells), "width": width},
            )
        )
        return None
    values = {
        column: restore_formula(cells[index]) if index < len(cells) else ""
        for column, index in positions.items()
    }

    def fail(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    email = values["email"].strip().lower()
    if not email:
        fail("email", _("The email address is missing."))
        return None
    if not _is_email(email):
        fail("email", _("“%(email)s” is not a valid email address.") % {"email": email})
        return None
    if email in seen:
        fail(
            "email",
            _("%(email)s is already in row %(row)s; each person may appear once.")
            % {"email": email, "row": seen[email]},
        )
        return None
    seen[email] = number

    fields: dict[str, object] = {}
    full_name = " ".join(values["full_name"].split())
    if not full_name:
        fail("full_name", _("The name is missing."))
    fields["full_name"] = full_name
    for column in ("department", "job_title"):
        fields[column] = " ".join(values[column].split())
    for column, limit in MAX_LENGTHS.items():
        if len(str(fields[column])) > limit:
            fail(column, _("This is longer than %(limit)s characters.") % {"limit": limit})
            fields[column] = ""

    role = values["role"].strip().lower()
    role_is_valid = not role or role in ROLES
    if not role_is_valid:
        fail(
            "role",
            _("“%(role)s” is not a role: write mentor, mentee, or leave it empty.")
            % {"role": values["role"].strip()},
        )
        role = ""
    fields["role"] = role

    manager_email = values["manager_email"].strip().lower()
    if manager_email and not _is_email(manager_email):
        fail(
            "manager_email",
            _("“%(email)s” is not a valid email address.") % {"email": manager_email},
        )
        manager_email = ""
    fields["manager_email"] = manager_email

    fields["languages"] = _read_languages(values["languages"], lambda m: fail("languages", m))
    fields["timezone"] = _read_time_zone(values["timezone"], lambda m: fail("timezone", m))
    fields["goals"] = values["goals"].strip()

    for column in ("teach_topics", "learn_topics"):
        choices = _read_topics(values[column], lambda m, c=column: fail(c, m))
        fields[column] = choices
        wanted = "mentor" if column == "teach_topics" else "mentee"
        # After a bad role, "only mentors teach" would be a second complaint about one mistake.
        if choices and role_is_valid and role != wanted:
            if wanted == "mentor":
                message = _(
                    "Only mentors teach topics: give this row the role mentor, or leave "
                    "teach_topics empty."
                )
            else:
                message = _(
                    "Only mentees learn topics: give this row the role mentee, or leave "
                    "learn_topics empty."
                )
            fail(column, message)
            fields[column] = ()
    return Row(number=number, email=email, **fields)  # type: ignore[arg-type]


def _is_email(value: str) -> bool:
    if len(value) > MAX_EMAIL_LENGTH:
        return False
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


@functools.cache
def _time_zones() -> dict[str, str]:
    # Reading the zone database touches hundreds of files: once per process is enough.
    return {zone.lower(): zone for zone in zoneinfo.available_timezones()}


def _read_time_zone(value: str, fail) -> str:
    value = value.strip()
    if not value:
        return ""
    zone = _time_zones().get(value.lower())
    if zone is None:
        fail(
            _("“%(zone)s” is not a known time zone; use a name such as Asia/Ho_Chi_Minh.")
            % {"zone": value}
        )
        return ""
    return zone


def _read_languages(value: str, fail) -> tuple[str, ...]:
    codes: list[str] = []
    for part in value.split(";"):
        code = part.strip().lower()
        if not code or code in codes:
            continue
        if len(code) != 2 or pycountry.languages.get(alpha_2=code) is None:
            fail(
                _("“%(code)s” is not an ISO 639-1 language code (two letters, such as en or vi).")
                % {"code": part.strip()}
            )
            continue
        codes.append(code)
    return tuple(codes)


def _read_topics(value: str, fail) -> tuple[TopicChoice, ...]:
    choices: list[TopicChoice] = []
    for part in value.split(";"):
        part = " ".join(part.split())
        if not part:
            continue
        key, level = part, DEFAULT_LEVEL
        name, colon, number = part.rpartition(":")
        # A colon followed by a number sets the level; any other colon belongs to the name.
        if colon and (number.strip().lstrip("+-").isdigit() or not number.strip()):
            key = name.strip()
            try:
                level = int(number)
            except ValueError:
                fail(_("“%(topic)s” has a colon but no level after it.") % {"topic": part})
                continue
            if not MIN_LEVEL <= level <= MAX_LEVEL:
                fail(
                    _("The level of “%(topic)s” is %(level)s; it must be 1, 2 or 3.")
                    % {"topic": key, "level": number.strip()}
                )
                continue
        if not key:
            fail(_("“%(topic)s” has a level but no topic.") % {"topic": part})
            continue
        if len(key) > MAX_TOPIC_NAME_LENGTH:
            fail(
                _("A topic name is longer than %(limit)s characters.")
                % {"limit": MAX_TOPIC_NAME_LENGTH}
            )
            continue
        choices.append(TopicChoice(key=key, level=level))
    return tuple(choices)


def find_manager_cycles(edges: Mapping[str, str | None]) -> list[list[str]]:
    """Every loop in a reporting line, each once, as the people in it from the first one met
    (in the order of `edges`), each followed by their manager. `edges` maps a person to their
    manager, or to None; a manager that is not a key ends the line."""
    cycles: list[list[str]] = []
    done: set[str] = set()
    for start in edges:
        path: list[str] = []
        on_path: dict[str, int] = {}
        person: str | None = start
        while person is not None and person not in done and person not in on_path:
            on_path[person] = len(path)
            path.append(person)
            person = edges.get(person)
        if person is not None and person in on_path:
            cycles.append(path[on_path[person] :])
        done.update(path)
    return cycles


def manager_cycle_errors(
    rows: Iterable[Row], org_chart: Mapping[str, str | None], *, only_through_chart: bool = False
) -> list[RowError]:
    """An error on the first row of each reporting loop. The file's own manager_email wins over
    the org chart for the people in the file, since importing will set it.

    With `only_through_chart`, loops made by the file alone are left out (the caller already
    reported them from parse()).
    """
    rows = list(rows)
    in_file = {row.email: row for row in rows}
    edges: dict[str, str | None] = {row.email: row.manager_email or None for row in rows}
    for person, manager in org_chart.items():
        edges.setdefault(person.lower(), manager.lower() if manager else None)
    errors = []
    for cycle in find_manager_cycles(edges):
        if only_through_chart and all(person in in_file for person in cycle):
            continue
        rows_in_cycle = [in_file[person] for person in cycle if person in in_file]
        if not rows_in_cycle:
            continue  # an old loop among people the file does not touch is not this file's doing
        first = min(rows_in_cycle, key=lambda row: row.number)
        start = cycle.index(first.email)
        loop = [*cycle[start:], *cycle[:start], first.email]
        if len(cycle) == 1:
            message = _("%(email)s cannot be their own manager.") % {"email": first.email}
        else:
            message = _(
                "The reporting line goes round in a loop: %(loop)s (each arrow points to the "
                "person's manager)."
            ) % {"loop": " → ".join(loop)}
        errors.append(RowError(first.number, "manager_email", message))
    return errors


def neutralise_formula(value: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe, which makes it
    plain text there."""
    return f"'{value}" if _needs_guard(value) else value


def restore_formula(cell: str) -> str:
    """The value neutralise_formula() was given: the import drops the export's apostrophe, so
    that an exported file imports unchanged."""
    return cell[1:] if cell.startswith("'") and _needs_guard(cell[1:]) else cell


def _needs_guard(value: str) -> bool:
    # Apostrophes already in front of a formula count as part of it: such a value gets one more,
    # so that dropping one on import gives back exactly what was stored.
    return value.lstrip("'").startswith(FORMULA_PREFIXES)


def format_topics(choices: Iterable[tuple[str, int]]) -> str:
    """The topics cell for (slug or name, level) pairs: `ai-automation:3;project-tools:2`."""
    return ";".join(f"{key}:{level}" for key, level in choices)
