"""Helpers of the form fuzz test (tests/test_fuzz_forms.py): the fields a page's form posts,
read from its HTML; hypothesis strategies of hostile values; and a snapshot of every table, to
tell what a request stored."""

import base64
import csv
import datetime
import io
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import strategies as st

from programs import csv_format
from programs.importing import MAX_IMPORT_BYTES

# --- The fields of a form, as the page renders them ---------------------------------------------


@dataclass
class Field:
    kind: str  # the input's type ("text", "checkbox", "file"...), "select" or "textarea"
    values: list[str] = field(default_factory=list)  # what the page offers or fills in
    multiple: bool = False


class _FormParser(HTMLParser):
    """Collects every POST form of a page: its action and its named fields."""

    def __init__(self, page_path: str):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[tuple[str, dict[str, Field]]] = []
        self._fields: dict[str, Field] | None = None
        self._select: Field | None = None
        self._option: str | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "form":
            if attrs.get("method", "get").lower() == "post":
                action = urlsplit(urljoin(self.page_path, attrs.get("action", ""))).path
                self._fields = {}
                self.forms.append((action, self._fields))
            return
        if self._fields is None:
            return
        if tag == "option":
            if self._select is not None:
                self._option = attrs.get("value")
                if self._option is not None:
                    self._select.values.append(self._option)
            return
        if tag not in {"input", "select", "textarea", "button"}:
            return
        name = attrs.get("name")
        if not name:
            return
        if tag == "select":
            self._select = self._fields.setdefault(
                name, Field("select", multiple="multiple" in attrs)
            )
        elif tag == "textarea":
            self._textarea = self._fields.setdefault(name, Field("textarea"))
        else:
            kind = attrs.get("type", "text").lower() if tag == "input" else "submit"
            entry = self._fields.setdefault(name, Field(kind))
            if kind in {"checkbox", "radio", "submit", "hidden"} or attrs.get("value"):
                entry.values.append(attrs.get("value", "on" if kind == "checkbox" else ""))
            entry.multiple = entry.multiple or kind == "checkbox"

    def handle_data(self, data):
        if self._textarea is not None and data.strip():
            self._textarea.values.append(data)
        if self._select is not None and self._option is None and data.strip():
            # An option without a value attribute posts its text.
            self._select.values.append(data.strip())
            self._option = data.strip()

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea":
            self._textarea = None


def form_fields(html: str, page_path: str, action: str) -> dict[str, Field]:
    """The fields of the page's POST forms that post to `action` (merged)."""
    parser = _FormParser(page_path)
    parser.feed(html)
    fields: dict[str, Field] = {}
    for form_action, form in parser.forms:
        if form_action == action:
            for name, entry in form.items():
                fields.setdefault(name, entry)
    fields.pop("csrfmiddlewaretoken", None)
    return fields


# --- Hostile values -----------------------------------------------------------------------------

# What must never reach a page unescaped.
SCRIPT = "<script>alert(1)</script>"
DANGEROUS_MARKUP = (SCRIPT, "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>")

HTML = [
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    f"</textarea>{SCRIPT}",
    f"</title>{SCRIPT}",
    "javascript:alert(1)",
    "{{ request }}{% debug %}",
    "%(name)s %s {0}",
]
SQL = [
    "'; DROP TABLE programs_program;--",
    "1' OR '1'='1",
    '" OR ""="',
    "1; SELECT pg_sleep(10)--",
    "%",
    "_",
    "\\",
    "' UNION SELECT password FROM accounts_user--",
]
ODD_UNICODE = [
    "\u202eevil\u202c",  # right-to-left override
    "\u200f\u200e\u200b\ufeff",  # direction marks, zero width space, byte order mark
    "👩🏽‍💻🇻🇳🇹🇷",
    "e\u0301" * 40,  # combining accents
    "Z̴̡̪͗a̸͚͝l̵̜̓g̶͙̈o̸̰͐",
    "\u2028\u2029",  # line and paragraph separators
    "İıŞşĞğ ẞ ǅ",  # case mappings that change length
    "ﷺ" * 50,
    "\U0010fffd",
]
NUMBERS = [
    "-1",
    "0",
    "2147483648",
    "9223372036854775808",
    "-99999999999999999999999",
    "1e309",
    "-1e-309",
    "1.5",
    "NaN",
    "inf",
    "0x10",
    " 7 ",
    "١٢",  # Arabic-Indic digits
    "1_000",
]
DATES = [
    "9999-99-99",
    "0000-00-00",
    "9999-12-31",
    "0001-01-01",
    "2024-02-30",
    "31/12/2024",
    "2024-13-01T25:61",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "1970-01-01T00:00:00+99:00",
    "24:00",
    "23:59:60",
    "99:99",
]
IDS = ["00000000-0000-0000-0000-000000000000", "not-a-uuid", "-1", "0", "999999999"]


def _long_text(size: int, chunk: str) -> str:
    return (chunk * (size // len(chunk) + 1))[:size]


long_strings = st.builds(
    _long_text,
    st.integers(10_000, 100_000),
    st.sampled_from(["A", "é", "🙂", "<b>x</b>", "a\u0301", "' OR 1=1 -- ", "\r\n"]),
)
control_characters = st.one_of(
    st.sampled_from(["\x00", "a\x00b", "\x00" * 100, "\x1b[31mred\x1b[0m", "\r\nBcc: x@y.z"]),
    st.text(st.characters(categories=["Cc"]), min_size=1, max_size=20),
)
hostile_strings = st.one_of(
    long_strings,
    control_characters,
    st.sampled_from(ODD_UNICODE),
    st.sampled_from(HTML),
    st.sampled_from(SQL),
    st.sampled_from(NUMBERS),
    st.sampled_from(DATES),
    st.sampled_from(IDS),
    st.just(""),
    st.just(" "),
    st.text(max_size=40),
)


def plausible_value(name: str, entry: Field) -> str:
    """What a person would type or leave in the field, so that forms get past validation and
    the hostile value in one of their fields reaches the code that stores it."""
    offered = [value for value in entry.values if value]
    if offered:
        return offered[0]
    if entry.kind == "hidden" or name.endswith("key"):
        return ""
    if "email" in name or name == "login":
        return "fuzz.person@example.com"
    if "slug" in name:
        return "fuzz-slug"
    if "password" in name:
        return "a-Long-fuzz-password-42"
    if entry.kind == "date":
        # A program's dates in their order: deadline, start, end.
        days = 200 if "end" in name else 30 if "deadline" in name else 60
        return (datetime.date.today() + datetime.timedelta(days=days)).isoformat()
    return {
        "datetime-local": (datetime.datetime.now() - datetime.timedelta(days=1)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "time": "10:00",
        "number": "1",
        "email": "fuzz.person@example.com",
    }.get(entry.kind, "Fuzz value")


@st.composite
def hostile_value(draw, plausible: str, entry: Field, special: list[str] | None = None):
    """One field's hostile value: missing, one string, or the field repeated. `special`: the
    values that field's own parser fears most (a SAML response's XML bombs), tried more often."""
    known = st.sampled_from(sorted({*entry.values, plausible}))
    # A date or number field gets the dates and numbers that break arithmetic more often.
    typed = {"date": DATES, "datetime-local": DATES, "time": DATES, "number": NUMBERS}
    plain = st.one_of(
        st.sampled_from(special or typed.get(entry.kind, [*HTML, *SQL, "\x00", "a\x00b"])),
        hostile_strings,
        known,
        # A valid value carrying something after it.
        st.tuples(known, hostile_strings).map("".join),
    )
    return draw(
        st.one_of(
            st.none(),  # left out
            plain,
            st.lists(plain, min_size=2, max_size=3),
        )
    )


def fixed_examples(
    fields: dict[str, Field], plausible: dict[str, str], special: dict[str, list[str]] | None = None
) -> list[dict]:
    """Posts tried on every form before the random ones: the plausible form as it is, and with
    every field at once holding a NUL, script after its value, or the calendar's last day (each
    breaks a view that reads request.POST itself, or stores without escaping or date checks);
    then the plausible form with each of a field's `special` values in turn."""
    valid = {
        name: valid_upload() if entry.kind == "file" else plausible_value(name, entry)
        for name, entry in fields.items()
    }
    valid.update(plausible)

    def every(change) -> dict:
        return {
            name: value if fields[name].kind == "file" else change(name, value)
            for name, value in valid.items()
        }

    dated = {"date", "datetime-local"}
    return [
        valid,
        every(lambda name, value: f"{value}a\x00b"),
        every(lambda name, value: f'{value}{SCRIPT}"><img src=x onerror=alert(1)>'),
        every(
            lambda name, value: (
                ("9999-12-31" if fields[name].kind == "date" else "9999-12-31T23:59")
                if fields[name].kind in dated
                else value
            )
        ),
        *({**valid, name: value} for name, values in (special or {}).items() for value in values),
    ]


# Fields a form does not have, posted in the hope that a view reads or saves them.
INJECTED_NAMES = [
    "is_hr_admin",
    "is_executive",
    "is_staff",
    "is_superuser",
    "status",
    "role",
    "user",
    "program",
    "id",
    "pk",
    "next",
]


@st.composite
def form_data(
    draw,
    fields: dict[str, Field],
    plausible: dict[str, str],
    special: dict[str, list[str]] | None = None,
) -> dict:
    """A POST body: either the plausible form with one or two hostile fields, or every field
    hostile; sometimes with fields the form does not have."""
    special = special or {}
    names = sorted(fields)
    data = {
        name: valid_upload() if entry.kind == "file" else plausible_value(name, entry)
        for name, entry in fields.items()
    }
    data.update(plausible)
    for name in names:
        if fields[name].kind == "checkbox" and draw(st.booleans()):
            del data[name]
    # Mostly one bad field in a good form, which gets furthest into the code that stores it.
    mode = draw(st.sampled_from(["one", "one", "some", "all"])) if names else "none"
    if mode == "one":
        targets = [draw(st.sampled_from(names))]
    elif mode == "some":
        targets = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
    else:
        targets = names
    for name in targets:
        entry = fields[name]
        if entry.kind == "file":
            value = draw(upload())
        else:
            value = draw(hostile_value(str(data.get(name, "")), entry, special.get(name)))
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    extra = draw(
        st.dictionaries(
            st.one_of(st.sampled_from(INJECTED_NAMES), st.text(min_size=1, max_size=20)),
            hostile_strings,
            max_size=2,
        )
    )
    for name, value in extra.items():
        data.setdefault(name, value)
    return data


# --- SAML responses -----------------------------------------------------------------------------

SAML_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
# What a file-reading XXE would show of /etc/passwd.
PASSWD_LINE = "root:x:0:0"


def _b64(xml: str | bytes) -> str:
    return base64.b64encode(xml.encode() if isinstance(xml, str) else xml).decode()


def _with_doctype(xml: str, doctype: str) -> str:
    """The document with a DTD before its root element."""
    body = xml.split("?>", 1)[1] if xml.startswith("<?xml") else xml
    return f'<?xml version="1.0"?>\n{doctype}\n{body}'


def hostile_saml_responses(valid_xml: str, *, canary: str, stranger: str, owner: str) -> list[str]:
    """SAMLResponse values an attacker posts to the ACS URL: not base64, base64 of junk, huge,
    XML bombs, XXE that reads a file or calls `canary` (a URL whose log the test reads), and
    the IdP's genuine response spoiled: given a DTD, or re-addressed from `owner` to
    `stranger` (its signature no longer matches)."""
    laughs = "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' if n else '<!ENTITY lol0 "lol">'
        for n in range(10)
    )
    billion_laughs = f"<!DOCTYPE r [{laughs}]>"
    quadratic = f'<!DOCTYPE r [<!ENTITY a "{"a" * 50_000}">]>'
    bare = f'<samlp:Response xmlns:samlp="{SAML_PROTOCOL}">{{}}</samlp:Response>'
    return [
        "not base64 at all!",
        "====",
        "QQ",  # bad padding
        _b64(bytes(range(256)) * 4),
        _b64("<a/>"),
        _b64(zlib.compress(valid_xml.encode())[2:-4]),  # deflated, as the redirect binding
        _b64("A" * 1_500_000),  # huge, under Django's 2.5 MB limit
        "A" * 3_000_000,  # over it
        _b64(_with_doctype(bare.format("&lol9;"), billion_laughs)),
        _b64(_with_doctype(bare.format("&a;" * 50_000), quadratic)),
        _b64(_with_doctype(valid_xml, billion_laughs).replace(owner, "&lol9;")),
        _b64(_with_doctype(bare.format("&x;"), '<!DOCTYPE r [<!ENTITY x SYSTEM "/etc/passwd">]>')),
        _b64(
            _with_doctype(bare.format("&x;"), f'<!DOCTYPE r [<!ENTITY x SYSTEM "{canary}/xxe">]>')
        ),
        _b64(
            _with_doctype(valid_xml, f'<!DOCTYPE r [<!ENTITY % p SYSTEM "{canary}/xxe.dtd"> %p;]>')
        ),
        _b64(_with_doctype(valid_xml, f'<!DOCTYPE r SYSTEM "{canary}/xxe-external.dtd">')),
        _b64(valid_xml.replace(owner, stranger)),
    ]


RELAY_STATES = [
    "https://attacker.example/",
    "//attacker.example",
    "javascript:alert(1)",
    "/\\attacker.example",
    "x" * 100_000,
]


# --- Uploads ------------------------------------------------------------------------------------


def _csv(rows: list[list[str]], *, header: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    if header:
        writer.writerow(csv_format.COLUMNS)
    writer.writerows(rows)
    return out.getvalue()


_cells = st.one_of(
    st.sampled_from(
        ["new.person@example.com", "Nguyễn Văn An", "mentor", "mentee", "en;vi", "Asia/Ho_Chi_Minh"]
    ),
    hostile_strings.filter(lambda text: len(text) < 20_000),
    st.just('=HYPERLINK("http://x")'),
)
# A row the import accepts (a new mentee who learns the first seeded topic).
VALID_ROW = {
    "email": "new.person@example.com",
    "full_name": "Nguyễn Văn An",
    "role": "mentee",
    "department": "Sales",
    "job_title": "Director",
    "manager_email": "",
    "languages": "en;vi",
    "timezone": "Asia/Ho_Chi_Minh",
    "teach_topics": "",
    "learn_topics": "",
    "goals": "Learn how young customers shop.",
}


@st.composite
def _rows(draw) -> list[list[str]]:
    """A valid row with one or two hostile cells, or rows of anything."""
    if draw(st.booleans()):
        row = dict(VALID_ROW)
        for column in draw(st.lists(st.sampled_from(csv_format.COLUMNS), max_size=2)):
            row[column] = draw(_cells)
        return [[row.get(column, "") for column in csv_format.COLUMNS]]
    width = len(csv_format.COLUMNS)
    return draw(st.lists(st.lists(_cells, min_size=width, max_size=width), max_size=3))


def valid_upload() -> SimpleUploadedFile:
    text = _csv([[VALID_ROW[column] for column in csv_format.COLUMNS]], header=True)
    return SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")


@st.composite
def upload(draw) -> SimpleUploadedFile:
    """A CSV upload gone wrong: huge, binary, NUL bytes, another encoding, a wrong name or
    content type, or well-formed rows full of hostile cells."""
    text = draw(
        st.one_of(
            st.builds(_csv, _rows(), header=st.booleans()),
            st.text(max_size=200),
        )
    )
    content = draw(
        st.one_of(
            st.just(text.encode("utf-8")),
            st.just(b"\xef\xbb\xbf" + text.encode("utf-8")),
            st.just(text.encode("utf-16")),
            st.just(text.encode("utf-8", "replace").replace(b",", b"\x00,")),
            st.sampled_from(
                [
                    b"",
                    b"\x00" * 1000,
                    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
                    b"PK\x03\x04" + bytes(range(256)),
                    "email,full_name\néèà,ğüş".encode("latin-1", "replace"),
                    b"\xff\xfe\xfd",
                    b"a," * (MAX_IMPORT_BYTES // 2 + 10),
                ]
            ),
            st.binary(max_size=2000),
        )
    )
    name = draw(
        st.sampled_from(
            [
                "people.csv",
                "PEOPLE.CSV",
                "people.csv.exe",
                "people",
                "../../etc/passwd.csv",
                "x" * 300 + ".csv",
                "<script>alert(1)</script>.csv",
                "liste des employés 😀.csv",
            ]
        )
    )
    content_type = draw(
        st.sampled_from(["text/csv", "application/octet-stream", "image/png", "text/html", ""])
    )
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- What the database holds --------------------------------------------------------------------


def snapshot() -> dict[str, dict]:
    """Every row of every table (sessions aside), by model and primary key."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed or model is Session:
            continue
        key = model._meta.pk.attname
        tables[model._meta.label] = {
            row[key]: row for row in model._base_manager.order_by().values()
        }
    return tables


def changed_rows(before: dict[str, dict], after: dict[str, dict]) -> list[tuple[str, dict]]:
    """Rows added, changed or deleted between two snapshots (a deleted row as it was)."""
    return [
        (label, row)
        for label, rows in after.items()
        for pk, row in rows.items()
        if before.get(label, {}).get(pk) != row
    ] + [
        (f"{label} (deleted)", row)
        for label, rows in before.items()
        for pk, row in rows.items()
        if pk not in after.get(label, {})
    ]


def texts_in(value) -> list[str]:
    """Every string inside a stored value (JSON fields hold lists and dicts)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in texts_in(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in texts_in(item)]
    return []
