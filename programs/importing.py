"""Bringing people into a program from an HR-system CSV: a preview of what would change, and
applying it in one transaction, so that a file with any bad row saves nothing.

The upload page and the `import_participants` command both come through here. The file is the
truth for the columns it fills in: importing it again changes nothing, and a changed row updates
that person and their enrolment. What people decided or wrote themselves stays: a withdrawn or
declined enrolment is skipped, and an empty profile cell leaves the stored value alone.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mentorship.audit.services import audit_record
from programs import csv_format
from programs.addresses import addresses_of_other_accounts
from programs.csv_format import RowError
from programs.models import (
    Enrolment,
    EnrolmentStatus,
    LearnTopic,
    ParticipantImport,
    Program,
    ProgramStatus,
    Role,
    TeachTopic,
    Topic,
)

logger = logging.getLogger(__name__)

MAX_IMPORT_BYTES = 2 * 1024 * 1024
# Keeps each `IN (...)` list well under SQLite's limit on query parameters.
LOOKUP_CHUNK = 500
BULK_BATCH = 500

CREATE, UPDATE, UNCHANGED, SKIPPED = "create", "update", "unchanged", "skipped"

# The person's own decision (withdrawn) or HR's (declined): a file from the HR system, which
# knows nothing of either, does not undo it. Invited and applied people are approved: HR
# importing them is HR deciding.
KEPT_STATUSES = (EnrolmentStatus.WITHDRAWN, EnrolmentStatus.DECLINED)


class ImportRejected(ValidationError):
    """The file has problems; `row_errors` says which, row by row. Nothing was saved."""

    def __init__(self, errors: Iterable[RowError]):
        self.row_errors = list(errors)
        super().__init__([str(error) for error in self.row_errors])


class ImportAlreadyApplied(Exception):
    """The import was confirmed before (another tab, a double click, another HR admin)."""


@dataclass(frozen=True)
class PlannedTopic:
    topic: Topic  # not saved yet when the import creates it
    level: int

    @property
    def is_new(self) -> bool:
        return self.topic.pk is None

    def __str__(self) -> str:
        return f"{self.topic.label} ({self.level})"


@dataclass
class PlannedRow:
    """What importing will do with one row of the file."""

    row: csv_format.Row
    action: str
    changes: list[str]
    user: object | None  # the existing account, if any
    enrolment: Enrolment | None  # the existing enrolment in this program, if any
    topics: list[PlannedTopic]
    enrolment_changes: bool = False
    # Whether the enrolment's topic rows are replaced by `topics`.
    replace_topics: bool = False
    # Why a skipped row is skipped.
    reason: str = ""

    @property
    def number(self) -> int:
        return self.row.number

    @property
    def email(self) -> str:
        return self.row.email

    @property
    def full_name(self) -> str:
        return self.row.full_name

    @property
    def role_label(self) -> str:
        return Role(self.row.role).label if self.row.role else ""

    @property
    def action_label(self) -> str:
        return {
            CREATE: _("create"),
            UPDATE: _("update"),
            UNCHANGED: _("unchanged"),
            SKIPPED: _("skipped"),
        }[self.action]


@dataclass
class ImportPlan:
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    new_topics: list[Topic] = field(default_factory=list)
    # The accounts the file names (people and managers) by lower-cased email, for applying.
    people: dict = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(1 for planned in self.rows if planned.action == action)

    @property
    def created(self) -> int:
        return self.count(CREATE)

    @property
    def updated(self) -> int:
        return self.count(UPDATE)

    @property
    def unchanged(self) -> int:
        return self.count(UNCHANGED)

    @property
    def skipped(self) -> int:
        return self.count(SKIPPED)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    skipped: int
    topics_created: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        return _(
            "created %(created)s, updated %(updated)s, unchanged %(unchanged)s, skipped %(skipped)s"
        ) % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
        }


def decode_upload(data: bytes) -> str:
    """The text of an uploaded file, or ImportRejected when it is too large or not UTF-8."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRejected([too_large_error(len(data))])
    try:
        return csv_format.decode(data)
    except csv_format.EncodingProblem as problem:
        raise ImportRejected([problem.error]) from problem


def too_large_error(size: int) -> RowError:
    return RowError(
        None,
        None,
        _("The file is %(size)s; the limit is %(limit)s. Split it into smaller files.")
        % {"size": filesizeformat(size), "limit": filesizeformat(MAX_IMPORT_BYTES)},
    )


def closed_reason(program: Program) -> str | None:
    """Why nobody can be imported into `program` now, or None when it takes participants."""
    if program.takes_participants:
        return None
    if program.status == ProgramStatus.DRAFT:
        return _("Open enrolment first: a draft program takes nobody in yet.")
    return _("This program has ended: nobody can be imported into it any more.")


@transaction.atomic
def import_preview(*, program: Program, text: str, create_topics: bool) -> ImportPlan:
    """Check the file against the database and say, row by row, what importing would do."""
    reason = closed_reason(program)
    if reason is not None:
        return ImportPlan(errors=[RowError(None, None, reason)])
    parsed = csv_format.parse(text)
    plan = ImportPlan(errors=list(parsed.errors))
    rows = parsed.rows
    in_file = {row.email for row in rows}
    referenced = {row.manager_email for row in rows if row.manager_email} - in_file
    people = plan.people = _users_by_email(in_file | referenced)

    for row in rows:
        if row.manager_email and row.manager_email not in in_file | people.keys():
            plan.errors.append(
                RowError(
                    row.number,
                    "manager_email",
                    _(
                        "%(email)s is neither in this file nor the address of an existing "
                        "account. Add a row for the manager (the role may stay empty)."
                    )
                    % {"email": row.manager_email},
                )
            )
    plan.errors.extend(
        csv_format.manager_cycle_errors(
            rows, _org_chart_above(people, referenced & people.keys()), only_through_chart=True
        )
    )
    taken = addresses_of_other_accounts(in_file - people.keys())
    for row in rows:
        user = people.get(row.email)
        if user is not None and not user.is_active:
            plan.errors.append(
                RowError(
                    row.number,
                    "email",
                    _(
                        "The account of %(email)s is deactivated. Remove this row, or have the "
                        "account reactivated first."
                    )
                    % {"email": row.email},
                )
            )
        if row.email in taken:
            plan.errors.append(
                RowError(
                    row.number,
                    "email",
                    _("%(email)s is already an address of another account.") % {"email": row.email},
                )
            )

    topics_by_row, plan.new_topics = _resolve_topics(program, rows, create_topics, plan.errors)
    enrolments = _enrolments_by_user(program, [people[e] for e in in_file if e in people])

    for row in rows:
        user = people.get(row.email)
        enrolment = enrolments.get(user.pk) if user is not None and row.role else None
        plan.rows.append(_plan_row(row, user, enrolment, topics_by_row.get(row.number, [])))
    plan.errors.sort(key=lambda error: error.sort_key)
    return plan


@transaction.atomic
def import_apply(*, program: Program, text: str, create_topics: bool, by) -> ImportResult:
    """Check the file again and apply it, all or nothing; ImportRejected if any row is bad."""
    # One import at a time per program: two confirmed at once would both plan to create the
    # same person.
    program = Program.objects.select_for_update().get(pk=program.pk)
    plan = import_preview(program=program, text=text, create_topics=create_topics)
    if plan.errors:
        raise ImportRejected(plan.errors)
    now = timezone.now()

    for topic in plan.new_topics:
        topic.save()
    program.topics.add(*plan.new_topics)

    user_model = get_user_model()
    people = dict(plan.people)
    new_users = []
    for planned in plan.rows:
        if planned.user is None:
            row = planned.row
            user = user_model(
                email=row.email,
                full_name=row.full_name,
                department=row.department,
                job_title=row.job_title,
                time_zone=row.timezone or "UTC",
            )
            # People sign in after an invitation or a password reset, never with a password
            # chosen here.
            user.set_unusable_password()
            new_users.append(user)
            people[row.email] = user
    user_model.objects.bulk_create(new_users, batch_size=BULK_BATCH)
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, primary=True, verified=False) for u in new_users],
        batch_size=BULK_BATCH,
    )

    changed_users = []
    for planned in plan.rows:
        row, user = planned.row, people[planned.email]
        manager = people[row.manager_email] if row.manager_email else None
        values = {
            "full_name": row.full_name,
            "department": row.department,
            "job_title": row.job_title,
            "manager_id": manager.pk if manager else None,
        }
        if any(getattr(user, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(user, name, value)
            changed_users.append(user)
    user_model.objects.bulk_update(
        changed_users, ["full_name", "department", "job_title", "manager"], batch_size=BULK_BATCH
    )

    _apply_enrolments(program, plan, people, now)

    result = ImportResult(
        created=plan.created,
        updated=plan.updated,
        unchanged=plan.unchanged,
        skipped=plan.skipped,
        topics_created=tuple(topic.name for topic in plan.new_topics),
    )
    logger.info(
        "participant import into %s by %s: %s created, %s updated, %s unchanged, %s skipped",
        program.slug,
        getattr(by, "pk", None),
        result.created,
        result.updated,
        result.unchanged,
        result.skipped,
    )
    audit_record(
        actor=by,
        action="imported",
        target=program,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        skipped=result.skipped,
    )
    return result


@transaction.atomic
def import_confirm(*, participant_import: ParticipantImport, by) -> ImportResult:
    """Apply an uploaded import once. The claim is a conditional update, so a double click or
    a second HR admin cannot apply it twice; a rejected file releases the claim with the
    rollback.

    The claim also empties the stored file: it holds personal data that only the preview
    needed. The import stays as the record of who applied which file when.
    """
    text = participant_import.content
    claimed = ParticipantImport.objects.filter(
        pk=participant_import.pk, applied_at__isnull=True
    ).update(applied_at=timezone.now(), content="")
    if claimed != 1:
        raise ImportAlreadyApplied
    return import_apply(
        program=participant_import.program,
        text=text,
        create_topics=participant_import.create_topics,
        by=by,
    )


# --- Preview helpers ----------------------------------------------------------------------------


def _users_by_email(emails: set[str]) -> dict:
    """Accounts by lower-cased address (older accounts may keep the case they were typed in)."""
    found = {}
    emails_list = sorted(emails)
    for start in range(0, len(emails_list), LOOKUP_CHUNK):
        chunk = emails_list[start : start + LOOKUP_CHUNK]
        for user in (
            get_user_model()
            .objects.annotate(email_key=Lower("email"))
            .filter(email_key__in=chunk)
            .select_related("manager")
        ):
            found[user.email_key] = user
    return found


def _org_chart_above(people: dict, start: set[str]) -> dict[str, str | None]:
    """The reporting lines of existing people above the managers the file names, one level per
    query, so that a loop through people outside the file is found."""
    chart: dict[str, str | None] = {}
    frontier = {people[email] for email in start}
    while frontier:
        above = set()
        for user in frontier:
            manager_email = user.manager.email.lower() if user.manager else None
            chart[user.email.lower()] = manager_email
            if manager_email and manager_email not in chart:
                above.add(manager_email)
        loaded = _users_by_email(above - chart.keys())
        frontier = set(loaded.values())
    return chart


def _topic_index() -> dict[str, Topic]:
    """Every topic by its slug and each of its names, case-insensitively. Slugs win over names,
    and English names over translations, if two topics ever share a spelling."""
    topics = list(Topic.objects.all())
    index: dict[str, Topic] = {}
    for topic in topics:
        index.setdefault(_key(topic.slug), topic)
    for topic in topics:
        index.setdefault(_key(topic.name), topic)
    for topic in topics:
        for stored in (topic.name_vi, topic.name_tr):
            if stored:
                index.setdefault(_key(stored), topic)
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for topic in topics:
                index.setdefault(_key(translation.gettext(topic.name)), topic)
    return index


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _resolve_topics(
    program: Program, rows, create_topics: bool, errors: list[RowError]
) -> tuple[dict[int, list[PlannedTopic]], list[Topic]]:
    index = _topic_index()
    offered = set(program.topics.values_list("pk", flat=True))
    taken_slugs = {topic.slug for topic in index.values()}
    new_topics: dict[str, Topic] = {}
    by_row: dict[int, list[PlannedTopic]] = {}
    for row in rows:
        planned: list[PlannedTopic] = []
        for choice in row.topics:
            key = _key(choice.key)
            topic = index.get(key) or new_topics.get(key)
            if topic is None and create_topics:
                topic = Topic(name=choice.key, slug=_free_slug(choice.key, taken_slugs))
                new_topics[key] = topic
            if topic is None:
                errors.append(
                    RowError(
                        row.number,
                        row.topics_column,
                        _(
                            "“%(topic)s” is not in the topic catalogue. Check the spelling, or "
                            "allow the import to create missing topics."
                        )
                        % {"topic": choice.key},
                    )
                )
                continue
            if topic.pk is not None and topic.pk not in offered:
                errors.append(
                    RowError(
                        row.number,
                        row.topics_column,
                        _(
                            "This program does not offer “%(topic)s”. Add it to the program's "
                            "topics first, or remove it from this row."
                        )
                        % {"topic": topic.label},
                    )
                )
                continue
            if any(earlier.topic is topic for earlier in planned):
                errors.append(
                    RowError(
                        row.number,
                        row.topics_column,
                        _("“%(topic)s” is named twice.") % {"topic": topic.label},
                    )
                )
                continue
            planned.append(PlannedTopic(topic, choice.level))
        by_row[row.number] = planned
    return by_row, list(new_topics.values())


def _free_slug(name: str, taken: set[str]) -> str:
    base = slugify(name)[:70] or "topic"
    slug, suffix = base, 2
    while slug in taken:
        slug, suffix = f"{base}-{suffix}", suffix + 1
    taken.add(slug)
    return slug


def _enrolments_by_user(program: Program, users: list) -> dict[int, Enrolment]:
    found = {}
    user_ids = sorted(user.pk for user in users)
    for start in range(0, len(user_ids), LOOKUP_CHUNK):
        for enrolment in Enrolment.objects.filter(
            program=program, user_id__in=user_ids[start : start + LOOKUP_CHUNK]
        ).prefetch_related("teach_topics", "learn_topics"):
            found[enrolment.user_id] = enrolment
    return found


def _plan_row(row, user, enrolment: Enrolment | None, topics: list[PlannedTopic]) -> PlannedRow:
    """What importing does with one row: its action, and what it changes, in words."""

    def planned(action: str, changes: list[str], planned_topics=topics, **details) -> PlannedRow:
        return PlannedRow(row, action, changes, user, enrolment, planned_topics, **details)

    if user is None:
        return planned(
            CREATE,
            [_("new account")],
            enrolment_changes=bool(row.role),
            replace_topics=bool(row.role),
        )
    changes = []
    current_manager = user.manager.email.lower() if user.manager else ""
    for label, old, new in (
        (_("name"), user.full_name, row.full_name),
        (_("department"), user.department, row.department),
        (_("job title"), user.job_title, row.job_title),
        (_("manager"), current_manager, row.manager_email),
    ):
        if old != new:
            changes.append(label)
    if not row.role:
        return planned(UPDATE if changes else UNCHANGED, changes)
    if enrolment is None:
        return planned(
            CREATE, [_("new enrolment"), *changes], enrolment_changes=True, replace_topics=True
        )
    if enrolment.status in KEPT_STATUSES:
        # The enrolment stays as it is; the account still follows the HR system (the reporting
        # lines were checked with this row's manager).
        return planned(SKIPPED, changes, planned_topics=[], reason=_kept_reason(enrolment))
    enrolment_changes = []
    for label, old, new in (
        (_("role"), enrolment.role, row.role),
        (_("status"), enrolment.status, EnrolmentStatus.APPROVED),
        # An empty cell keeps what is stored, which the person may have written themselves.
        (_("languages"), list(enrolment.languages), list(row.languages or enrolment.languages)),
        (_("time zone"), enrolment.time_zone, row.timezone or enrolment.time_zone),
        (_("goals"), enrolment.goals, row.goals or enrolment.goals),
    ):
        if old != new:
            enrolment_changes.append(label)
    replace_topics = _topics_change(enrolment, row.role, topics)
    if replace_topics:
        enrolment_changes.append(_("topics"))
    return planned(
        UPDATE if changes or enrolment_changes else UNCHANGED,
        [*changes, *enrolment_changes],
        enrolment_changes=bool(enrolment_changes),
        replace_topics=replace_topics,
    )


def _kept_reason(enrolment: Enrolment) -> str:
    if enrolment.status == EnrolmentStatus.WITHDRAWN:
        return _("they withdrew from the program; their decision stands")
    return _("their application was declined; the decision stands")


def _topics_change(enrolment: Enrolment, role: str, topics: list[PlannedTopic]) -> bool:
    if enrolment.role != role:
        # Topics to teach mean nothing to a mentee, and the other way round: the old ones go,
        # even when the cell is empty.
        return bool(topics or enrolment.teach_topics.all() or enrolment.learn_topics.all())
    # An empty cell keeps the topics the person chose.
    return bool(topics) and _current_topics(enrolment, role) != _wanted_topics(topics)


def _current_topics(enrolment: Enrolment, role: str) -> dict[int, int]:
    if role == Role.MENTOR:
        return {item.topic_id: item.level for item in enrolment.teach_topics.all()}
    return {item.topic_id: item.priority for item in enrolment.learn_topics.all()}


def _wanted_topics(topics: list[PlannedTopic]) -> dict[int | None, int]:
    # A topic the import creates has no pk yet, so it can never equal a current one.
    return {planned.topic.pk or -index: planned.level for index, planned in enumerate(topics, 1)}


# --- Apply helpers ------------------------------------------------------------------------------


def _apply_enrolments(program: Program, plan: ImportPlan, people: dict, now) -> None:
    new, changed, retopic = [], [], []
    topics_of: dict[int, list[PlannedTopic]] = {}
    for planned in plan.rows:
        row = planned.row
        if not planned.enrolment_changes:
            continue
        enrolment = planned.enrolment or Enrolment(program=program, user=people[row.email])
        if enrolment.status != EnrolmentStatus.APPROVED:
            enrolment.decided_at = now
        enrolment.role = row.role
        enrolment.status = EnrolmentStatus.APPROVED
        # HR has decided: a pending invitation link has nothing left to accept.
        enrolment.invitation_key = ""
        # Empty cells keep what is stored (see _plan_row).
        enrolment.languages = list(row.languages) or enrolment.languages
        enrolment.time_zone = row.timezone or enrolment.time_zone
        enrolment.goals = row.goals or enrolment.goals
        # bulk_update skips auto_now, so the time of the change is set here.
        enrolment.updated_at = now
        (changed if planned.enrolment else new).append(enrolment)
        if planned.replace_topics:
            retopic.append(enrolment)
            topics_of[id(enrolment)] = planned.topics
    Enrolment.objects.bulk_create(new, batch_size=BULK_BATCH)
    Enrolment.objects.bulk_update(
        changed,
        [
            "role",
            "status",
            "invitation_key",
            "languages",
            "time_zone",
            "goals",
            "decided_at",
            "updated_at",
        ],
        batch_size=BULK_BATCH,
    )

    replaced = [enrolment for enrolment in changed if id(enrolment) in topics_of]
    # Confidence ratings belong to the mentee, not to the file: keep them for topics that stay.
    confidence = {
        (item.enrolment_id, item.topic_id): (item.confidence_start, item.confidence_end)
        for enrolment in replaced
        for item in enrolment.learn_topics.all()
    }
    old_ids = [enrolment.pk for enrolment in replaced]
    for start in range(0, len(old_ids), LOOKUP_CHUNK):
        chunk = old_ids[start : start + LOOKUP_CHUNK]
        TeachTopic.objects.filter(enrolment_id__in=chunk).delete()
        LearnTopic.objects.filter(enrolment_id__in=chunk).delete()
    teach, learn = [], []
    for enrolment in retopic:
        for planned in topics_of[id(enrolment)]:
            if enrolment.role == Role.MENTOR:
                teach.append(
                    TeachTopic(enrolment=enrolment, topic=planned.topic, level=planned.level)
                )
            else:
                start, end = confidence.get((enrolment.pk, planned.topic.pk), (None, None))
                learn.append(
                    LearnTopic(
                        enrolment=enrolment,
                        topic=planned.topic,
                        priority=planned.level,
                        confidence_start=start,
                        confidence_end=end,
                    )
                )
    TeachTopic.objects.bulk_create(teach, batch_size=BULK_BATCH)
    LearnTopic.objects.bulk_create(learn, batch_size=BULK_BATCH)
