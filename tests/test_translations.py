"""The catalogues are complete: every user-facing string is marked, translated into Vietnamese
and Turkish and compiled; seeded data speaks all three languages; pages format numbers and
dates for the reader's locale; allauth's pages are in Vietnamese too (locale_allauth/)."""

import ast
import datetime
import gettext
import html
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType
from django.urls import reverse

from mentorship.accounts.models import User
from tests.conftest import IN_CI
from tests.dashboard.conftest import TODAY, small_program  # noqa: F401 (a fixture)

BASE_DIR = Path(__file__).resolve().parent.parent
LANGUAGES = ("vi", "tr")
OUR_CATALOGUES = {
    lang: BASE_DIR / "locale" / lang / "LC_MESSAGES" / "django.po" for lang in LANGUAGES
}
ALLAUTH_VI = BASE_DIR / "locale_allauth" / "vi" / "LC_MESSAGES" / "django.po"
ALL_CATALOGUES = [
    *sorted((BASE_DIR / "locale").glob("*/LC_MESSAGES/django.po")),
    ALLAUTH_VI,
]


# --- A tiny .po reader (the project venv has no polib) -----------------------------------------


@dataclass
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values()) and "fuzzy" not in self.flags


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text.strip()[1:-1])


def read_po(path: Path) -> list[Entry]:
    """The live entries of a .po file, header excluded."""
    entries: list[Entry] = []
    current: Entry | None = None
    flags: set[str] = set()
    references: list[str] = []
    target: tuple[str, int | None] | None = None

    def finish():
        if current is not None and current.msgid:
            entries.append(current)

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("#~") or not line:
            continue
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#:"):
            references += line[2:].split()
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += _unquote(line)
            else:
                setattr(current, name, (getattr(current, name) or "") + _unquote(line))
            continue
        keyword, _, value = line.partition(" ")
        # An entry starts at its msgctxt, or at its msgid when it has no context.
        if keyword == "msgctxt" or (keyword == "msgid" and (target or ("",))[0] != "msgctxt"):
            finish()
            current = Entry(msgid="", flags=flags, references=references)
            flags, references = set(), []
        if keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if "[" in keyword else 0
            current.msgstr[index] = _unquote(value)
            target = ("msgstr", index)
        else:
            setattr(current, keyword, _unquote(value))
            target = (keyword, None)
    finish()
    return entries


def catalog_of(entries: list[Entry]) -> dict:
    """The entries as Python's gettext module keys a compiled catalogue."""
    catalog = {}
    for entry in entries:
        if not entry.translated:
            continue
        msgid = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            for index, text in entry.msgstr.items():
                catalog[(msgid, index)] = text
        else:
            catalog[msgid] = entry.msgstr[0]
    return catalog


# --- a. The committed catalogues --------------------------------------------------------------


@pytest.mark.parametrize("path", OUR_CATALOGUES.values(), ids=OUR_CATALOGUES.keys())
def test_our_catalogues_have_no_untranslated_or_fuzzy_entry(path):
    entries = read_po(path)
    assert len(entries) > 500
    assert [e.msgid for e in entries if "fuzzy" in e.flags] == []
    assert [e.msgid for e in entries if not e.translated] == []


@pytest.mark.parametrize("path", ALL_CATALOGUES, ids=lambda p: str(p.relative_to(BASE_DIR)))
def test_compiled_catalogues_match_their_po_files(path):
    with open(path.with_suffix(".mo"), "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    # `_catalog` is what the .mo holds; the header ("" msgid) is not an entry of the .po.
    held = {key: text for key, text in compiled._catalog.items() if key != ""}
    assert held == catalog_of(read_po(path)), f"run `make messages` to recompile {path}"


# --- b. makemessages finds nothing new --------------------------------------------------------

MAKEMESSAGES = [
    "makemessages",
    "-l",
    "en",
    "-l",
    "vi",
    "-l",
    "tr",
    "--no-obsolete",
    "--ignore=.venv",
    "--ignore=var",
    "--ignore=tests",
    "--ignore=bench",
]


@pytest.mark.skipif(
    shutil.which("xgettext") is None and not IN_CI, reason="GNU gettext is not installed"
)
def test_makemessages_leaves_no_new_entry(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(
        BASE_DIR,
        project,
        ignore=lambda folder, names: [
            name
            for name in names
            if name in {"__pycache__", "node_modules"}
            or (Path(folder) == BASE_DIR and name in {".venv", "var", ".git"})
        ],
    )
    env = {
        **os.environ,
        "DEBUG": "true",
        "SECRET_KEY": "makemessages-check",
        "VAR_DIR": str(tmp_path / "var"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for lang in ("en", *LANGUAGES):
        relative = Path("locale") / lang / "LC_MESSAGES" / "django.po"
        fresh = read_po(project / relative)
        committed = read_po(BASE_DIR / relative)
        added = {e.key for e in fresh} - {e.key for e in committed}
        gone = {e.key for e in committed} - {e.key for e in fresh}
        assert (added, gone) == (set(), set()), f"{relative}: run `make messages` and translate"
        if lang != "en":
            assert [e.msgid for e in fresh if not e.translated] == [], relative


# --- c. Templates: no human text outside the translate tags ------------------------------------

TEMPLATE_DIRS = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]] + [
    BASE_DIR / app / "templates" for app in ("mentorship", "programs", "matching", "feedback")
]
# data-label: the column name a phone shows beside each table cell.
HUMAN_ATTRIBUTES = ("alt", "title", "placeholder", "aria-label", "aria-description", "data-label")
# Filters and tags whose string arguments are shown to the reader.
SHOWN_FILTER_ARGUMENT = re.compile(r"\|(?:default|default_if_none|yesno):(\"[^\"]*\"|'[^']*')")
SHOWN_KEYWORD_ARGUMENT = re.compile(
    r"\b(?:label|title|heading|text|caption|help|message|placeholder)=(\"[^\"]*\"|'[^']*')"
)
MASK = "\x00"  # stands for a tag or variable: not text, but it separates words
# Text that reads the same in every language (a file format's name, say), each with its reason.
# None is needed today: "CSV", "PDF" and "NPS" sit inside translated sentences, and the
# language switch prints each language's own name from Django's language info.
TEMPLATE_ALLOWLIST: set[str] = set()


def template_files() -> list[Path]:
    files = []
    for folder in TEMPLATE_DIRS:
        if folder.is_dir():
            files += sorted(p for p in folder.rglob("*") if p.suffix in {".html", ".txt"})
    return files


def _has_words(text: str) -> bool:
    return re.search(r"[^\W\d_]", text) is not None


def untranslated_text(source: str) -> list[str]:
    """The pieces of human text of a template that no translate tag covers."""
    parts: list[str] = []
    inside: str | None = None  # the end tag we are waiting for
    for token in Lexer(source).tokenize():
        contents = token.contents
        if token.token_type == TokenType.BLOCK:
            name = contents.split()[0] if contents else ""
            if inside is not None:
                if name == inside:
                    inside = None
                continue
            if name in ("blocktranslate", "blocktrans", "comment", "verbatim"):
                inside = "end" + name
            elif name in ("with", "include"):
                parts += [m.group(1)[1:-1] for m in SHOWN_KEYWORD_ARGUMENT.finditer(contents)]
            parts.append(MASK)
        elif inside is not None or token.token_type == TokenType.COMMENT:
            continue
        elif token.token_type == TokenType.VAR:
            shown = [m.group(1)[1:-1] for m in SHOWN_FILTER_ARGUMENT.finditer(contents)]
            parts.append(MASK + " ".join(shown) + MASK)
        else:
            parts.append(contents)
    text = "".join(parts)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S | re.I)
    # Code (CSV column names, file names) reads the same in every language.
    text = re.sub(r"<(code|kbd|samp)\b[^>]*>.*?</\1>", MASK, text, flags=re.S | re.I)
    found = []
    for tag in re.findall(r"<[^<>]*>", text):
        for _name, value in re.findall(
            r"\b(" + "|".join(HUMAN_ATTRIBUTES) + r")\s*=\s*(\"[^\"]*\"|'[^']*')", tag
        ):
            if _has_words(value):
                found.append(value[1:-1].replace(MASK, "…"))
        # An input button shows its value; a <button> shows its content, not its value.
        if re.match(r"<input\b", tag, re.I) and re.search(
            r"\btype\s*=\s*[\"']?(submit|button|reset)", tag, re.I
        ):
            found += [
                v[1:-1]
                for v in re.findall(r"\bvalue\s*=\s*(\"[^\"]*\"|'[^']*')", tag)
                if _has_words(v)
            ]
    text = re.sub(r"<[^<>]*>", MASK, text)
    text = re.sub(r"&(?:#\d+|#x[0-9a-fA-F]+|\w+);", " ", text)
    for piece in text.split(MASK):
        piece = " ".join(piece.split())
        if _has_words(piece) and piece not in TEMPLATE_ALLOWLIST:
            found.append(piece)
    return found


def test_the_template_linter_finds_what_it_should():
    assert untranslated_text('{% load i18n %}<p>{% translate "Hi" %} there</p>') == ["there"]
    assert untranslated_text('<img alt="A chart" src="x.png">') == ["A chart"]
    assert untranslated_text("<b title='{% translate \"T\" %}'>{{ x }}</b> 3 · 4%") == []
    assert untranslated_text("{% blocktranslate %}Hello {{ n }}{% endblocktranslate %}") == []
    assert untranslated_text('{{ v|default:"none yet" }}{{ v|date:"j F" }}') == ["none yet"]
    assert untranslated_text('{% include "a.html" with label="Go" kind="pin" %}') == ["Go"]
    assert untranslated_text("{% comment %}Why{% endcomment %}<!-- note -->&nbsp;—") == []
    assert untranslated_text('<td data-label="Due">x</td><code>job_title</code>') == ["Due", "x"]
    assert untranslated_text('<input type="submit" value="Go"><input value="v">') == ["Go"]


def test_templates_have_no_untranslated_text():
    assert template_files()
    problems = {}
    for path in template_files():
        found = untranslated_text(path.read_text(encoding="utf-8"))
        if found:
            problems[str(path.relative_to(BASE_DIR))] = found
    assert problems == {}


# --- d. Python: user-facing literals are wrapped in gettext -------------------------------------

APPS = ("mentorship", "programs", "matching", "feedback")
TRANSLATORS = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
MESSAGE_FUNCTIONS = {
    "success": 1,
    "error": 1,
    "warning": 1,
    "info": 1,
    "debug": 1,
    "add_message": 2,
}
EXCEPTIONS = {"ValidationError", "PermissionDenied"}
HUMAN_KEYWORDS = {
    "label",
    "help_text",
    "verbose_name",
    "verbose_name_plural",
    "empty_label",
    "empty_value_display",
}
HUMAN_WIDGET_ATTRS = {"placeholder", "title", "aria-label", "aria-description"}


def python_files() -> list[Path]:
    files = []
    for app in APPS:
        for path in sorted((BASE_DIR / app).rglob("*.py")):
            if "migrations" not in path.parts:
                files.append(path)
    return files


def _is_human_literal(node: ast.AST) -> bool:
    """A string written in the code (plain, f-string, %- or .format()-ed) with words in it."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _has_words(node.value)
    if isinstance(node, ast.JoinedStr):
        return any(_is_human_literal(value) for value in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        return _is_human_literal(node.left) or _is_human_literal(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "format" and _is_human_literal(node.func.value)
    return False


def _name_of(func: ast.AST) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _is_choices_class(node: ast.ClassDef) -> bool:
    return any(
        _name_of(base) in {"TextChoices", "IntegerChoices", "Choices"} for base in node.bases
    )


def untranslated_literals(source: str) -> list[tuple[int, str]]:
    """(line, what) of literals shown to people without going through gettext."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = _name_of(node.func)
            caller = node.func.value if isinstance(node.func, ast.Attribute) else None
            if name in TRANSLATORS:
                continue
            if name in MESSAGE_FUNCTIONS and _name_of(caller) == "messages":
                index = MESSAGE_FUNCTIONS[name]
                arguments = [*node.args[index : index + 1]]
                arguments += [k.value for k in node.keywords if k.arg == "message"]
                found += [(a.lineno, f"messages.{name}") for a in arguments if _is_human_literal(a)]
            if name in EXCEPTIONS and node.args and _is_human_literal(node.args[0]):
                found.append((node.lineno, name))
            for keyword in node.keywords:
                if keyword.arg in HUMAN_KEYWORDS and _is_human_literal(keyword.value):
                    found.append((keyword.value.lineno, f"{keyword.arg}="))
                if keyword.arg == "choices" and isinstance(keyword.value, ast.List | ast.Tuple):
                    for choice in keyword.value.elts:
                        if (
                            isinstance(choice, ast.Tuple)
                            and len(choice.elts) == 2
                            and _is_human_literal(choice.elts[1])
                        ):
                            found.append((choice.lineno, "choices="))
                if keyword.arg == "error_messages" and isinstance(keyword.value, ast.Dict):
                    found += [
                        (value.lineno, "error_messages=")
                        for value in keyword.value.values
                        if _is_human_literal(value)
                    ]
                if keyword.arg == "attrs" and isinstance(keyword.value, ast.Dict):
                    for key, value in zip(keyword.value.keys, keyword.value.values, strict=True):
                        if (
                            isinstance(key, ast.Constant)
                            and key.value in HUMAN_WIDGET_ATTRS
                            and _is_human_literal(value)
                        ):
                            found.append((value.lineno, f"attrs[{key.value!r}]"))
        elif isinstance(node, ast.ClassDef):
            for statement in node.body:
                if not isinstance(statement, ast.Assign):
                    continue
                targets = [_name_of(t) for t in statement.targets]
                value = statement.value
                if (
                    node.name == "Meta"
                    and set(targets) & HUMAN_KEYWORDS
                    and _is_human_literal(value)
                ):
                    found.append((value.lineno, f"Meta.{targets[0]}"))
                if (
                    _is_choices_class(node)
                    and isinstance(value, ast.Tuple)
                    and len(value.elts) >= 2
                    and _is_human_literal(value.elts[-1])
                ):
                    found.append((value.lineno, f"{node.name}.{targets[0]} label"))
    return sorted(found)


def test_the_python_check_finds_what_it_should():
    source = """
messages.success(request, "Saved.")
messages.add_message(request, messages.INFO, f"Hi {name}")
messages.error(request, _("Fine."))
raise ValidationError("Bad %s" % x)
raise PermissionDenied(_("No."))
forms.CharField(label="Name", help_text=_("ok"), widget=TextInput(attrs={"placeholder": "Type"}))
models.CharField(verbose_name="x-ray", choices=[("a", "Apple"), ("b", _("Banana"))])
forms.ChoiceField(error_messages={"required": "Pick one.", "invalid": _("No.")})
class Meta:
    verbose_name = "thing"
class Colour(models.TextChoices):
    RED = "red", "Red"
    BLUE = "blue", _("Blue")
"""
    assert sorted(what for _line, what in untranslated_literals(source)) == sorted(
        [
            "messages.success",
            "messages.add_message",
            "ValidationError",
            "label=",
            "attrs['placeholder']",
            "verbose_name=",
            "choices=",
            "error_messages=",
            "Meta.verbose_name",
            "Colour.RED label",
        ]
    )


def test_user_facing_python_strings_are_marked_for_translation():
    problems = []
    for path in python_files():
        for line, what in untranslated_literals(path.read_text(encoding="utf-8")):
            problems.append(f"{path.relative_to(BASE_DIR)}:{line}: {what}")
    assert problems == []


# --- e. Seeded data in every language ----------------------------------------------------------


@pytest.mark.django_db
def test_seeded_topics_have_vietnamese_and_turkish_names():
    from programs.models import Topic
    from programs.topic_catalogue import SEED_TOPICS

    topics = Topic.objects.filter(slug__in=[slug for slug, _name in SEED_TOPICS])
    assert topics.count() == len(SEED_TOPICS)
    for topic in topics:
        assert topic.name_vi and topic.name_vi != topic.name, topic.slug
        assert topic.name_tr and topic.name_tr != topic.name, topic.slug


@pytest.mark.django_db
def test_builtin_survey_templates_have_vietnamese_and_turkish_texts():
    from feedback.models import SurveyTemplate

    builtins = SurveyTemplate.objects.exclude(key=None).prefetch_related("questions")
    assert builtins.count() >= 3
    for template in builtins:
        for lang in LANGUAGES:
            assert getattr(template, f"name_{lang}"), (template.key, lang)
        for question in template.questions.all():
            for lang in LANGUAGES:
                assert getattr(question, f"text_{lang}"), (template.key, question.key, lang)
                options = getattr(question, f"choices_{lang}").splitlines()
                assert len(options) == len(question.choices.splitlines()), (question.key, lang)


# --- f. Numbers and dates in the reader's locale -----------------------------------------------


@pytest.fixture
def dashboard_program(request):
    """The dashboard tests' small program, whose figures are known (tests/dashboard)."""
    return request.getfixturevalue("small_program")


TODAY_NOON = datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC)


def _read_as(client, user, language: str) -> None:
    User.objects.filter(pk=user.pk).update(preferred_language=language)
    client.force_login(user)


def _text(response) -> str:
    """The words a reader meets on a page: its text and its human attributes."""
    page = response.content.decode()
    attributes = re.findall(r'\b(?:placeholder|title|aria-label|alt)="([^"]*)"', page)
    text = re.sub(r"<[^>]+>", " ", page) + " " + " ".join(attributes)
    return " ".join(html.unescape(text).split())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "mean", "month"),
    [("en", "4.0", "January 2026"), ("vi", "4,0", "Tháng 1 2026"), ("tr", "4,0", "Ocak 2026")],
)
def test_the_dashboard_formats_numbers_and_months_for_the_locale(
    client, executive, dashboard_program, time_machine, language, mean, month
):
    time_machine.move_to(TODAY)
    _read_as(client, executive, language)
    response = client.get(reverse("dashboard"), {"program": dashboard_program.program.pk})
    assert response.status_code == 200
    text = _text(response)
    assert f"(1–5) {mean}" in text  # the average session rating, after its label
    assert month in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "date"),
    [("en", "Jan. 5, 2026"), ("vi", "Ngày 05 tháng 1 năm 2026"), ("tr", "05 Ocak 2026")],
)
def test_a_participant_page_shows_dates_in_the_locale(client, dashboard_program, language, date):
    pair = dashboard_program.pairs["A"]
    _read_as(client, pair.mentor.user, language)
    response = client.get(reverse("matching:my_pair", args=[pair.public_id]))
    assert response.status_code == 200
    assert date in _text(response)


# --- g. allauth in Vietnamese ------------------------------------------------------------------

ALLAUTH_CATALOGUE = (
    Path(__import__("allauth").__file__).parent / "locale" / "tr" / "LC_MESSAGES" / "django.po"
)
ALLAUTH_SHOWN = (
    "account/",
    "mfa/",
    "templates/account/",
    "templates/mfa/",
    "templates/allauth/",
    # Single sign-on: the confirmation before leaving for the IdP, and its way back.
    "templates/socialaccount/login.html",
    "templates/socialaccount/login_cancelled.html",
    "templates/socialaccount/authentication_error.html",
)


def _allauth_vi() -> dict[str, str]:
    return {e.msgid: e.msgstr[0] for e in read_po(ALLAUTH_VI) if not e.msgid_plural}


def test_every_allauth_string_our_pages_can_show_has_a_vietnamese_translation():
    wanted = {
        e.key
        for e in read_po(ALLAUTH_CATALOGUE)
        if any(reference.startswith(ALLAUTH_SHOWN) for reference in e.references)
    }
    entries = read_po(ALLAUTH_VI)
    assert wanted - {e.key for e in entries} == set()
    assert [e.msgid for e in entries if not e.translated] == []


def _assert_vietnamese(response, *msgids: str) -> None:
    assert response.status_code == 200
    text = _text(response)
    vietnamese = _allauth_vi()
    for msgid in msgids:
        assert vietnamese[msgid] in text, msgid
    # No English sentence of allauth's on the page: every msgid with two words or more whose
    # translation differs (a plain "Email" reads the same in both).
    english = [
        msgid
        for msgid, translation in vietnamese.items()
        if len(msgid.split()) > 1 and translation != msgid and "%" not in msgid
        if msgid in text
    ]
    assert english == []


@pytest.mark.django_db
def test_allauth_pages_for_visitors_are_in_vietnamese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    _assert_vietnamese(client.get(reverse("account_login")), "Password", "Forgot your password?")
    _assert_vietnamese(
        client.get(reverse("account_reset_password")),
        "Password Reset",
        "Reset My Password",
    )
    _assert_vietnamese(client.get(reverse("account_signup")), "Sign Up Closed")


@pytest.mark.django_db
def test_allauth_pages_for_a_signed_in_person_are_in_vietnamese(client, participant):
    _read_as(client, participant, "vi")
    _assert_vietnamese(
        client.get(reverse("mfa_index")),
        "Two-Factor Authentication",
        "An authenticator app is not active.",
        "Activate",
    )
    _assert_vietnamese(client.get(reverse("mfa_activate_totp"), follow=True), "Confirm Access")
    _assert_vietnamese(
        client.get(reverse("account_change_password"), follow=True), "Current Password"
    )
    _assert_vietnamese(client.get(reverse("account_logout")), "Are you sure you want to sign out?")


@pytest.mark.django_db
def test_hr_reads_the_reason_of_a_failed_mail_in_their_language(client, hr_admin, participant):
    from feedback.models import Delivery

    Delivery.objects.create(
        key="test:reason",
        kind="survey",
        recipient=participant,
        status="failed",
        due_at=TODAY_NOON,
        last_error="no attempt finished",
    )
    _read_as(client, hr_admin, "tr")
    text = _text(client.get(reverse("feedback:delivery_list")))
    assert "hiçbir deneme tamamlanmadı" in text
    assert "no attempt finished" not in text


@pytest.mark.django_db
def test_allauths_password_reset_mail_is_in_vietnamese(client, participant, mailoutbox):
    User.objects.filter(pk=participant.pk).update(preferred_language="vi")
    client.post(reverse("account_reset_password"), {"email": participant.email})
    [mail] = mailoutbox
    vietnamese = _allauth_vi()
    assert mail.subject.endswith(vietnamese["Password Reset Email"])
    for words in re.split(r"%\(\w+\)s", vietnamese["Hello from %(site_name)s!"]):
        assert words.strip() in mail.body
    assert "password reset" not in mail.body


@pytest.mark.django_db
def test_allauths_two_factor_pages_are_in_vietnamese(client, participant, password):
    from allauth.mfa.totp.internal.auth import (
        SECRET_SESSION_KEY,
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    User.objects.filter(pk=participant.pk).update(preferred_language="vi")
    credentials = {"login": participant.email, "password": password}
    client.force_login(participant)
    # Confirming the password now opens the pages that ask for a recent one.
    client.post(reverse("account_reauthenticate"), {"password": password})
    _assert_vietnamese(
        client.get(reverse("mfa_activate_totp")),
        "Activate Authenticator App",
        "Authenticator secret",
    )
    secret = client.session[SECRET_SESSION_KEY]
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    client.post(reverse("mfa_activate_totp"), {"code": code})
    _assert_vietnamese(
        client.get(reverse("mfa_index")),
        "Authentication using an authenticator app is active.",
        "Deactivate",
    )
    _assert_vietnamese(client.get(reverse("mfa_view_recovery_codes")), "Download codes")
    _assert_vietnamese(
        client.get(reverse("mfa_generate_recovery_codes")),
        "This action will invalidate your existing codes.",
    )
    _assert_vietnamese(client.get(reverse("mfa_deactivate_totp")), "Deactivate Authenticator App")
    client.post(reverse("account_logout"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    _assert_vietnamese(
        client.post(reverse("account_login"), credentials, follow=True),
        "Your account is protected by two-factor authentication. Please enter an authenticator "
        "code:",
    )


@pytest.mark.django_db
def test_a_sentence_around_a_link_is_translated_whole(client, participant):
    # It was two msgids ("Download my data" + "first if you want to keep a copy."), which no
    # translation can put in Turkish or Vietnamese word order.
    _read_as(client, participant, "tr")
    page = client.get(reverse("accounts:erasure_confirm")).content.decode()
    link = f'<a href="{reverse("accounts:my_data")}">verilerinizi indirin</a>'
    assert f"Bir kopyasını saklamak istiyorsanız önce {link}." in page
