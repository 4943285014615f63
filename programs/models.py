"""Programs, the topic catalogue, and enrolments with the profile each participant fills in."""

import calendar
import datetime
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Exists, ExpressionWrapper, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from mentorship.accounts.models import validate_time_zone

MIN_ANONYMITY_THRESHOLD = 3


class Topic(models.Model):
    """Something a mentor can teach and a mentee wants to learn. HR edits the catalogue; the name
    is kept in each shipped language (English is the fallback)."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name (English)"), max_length=120, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=120, blank=True)
    name_tr = models.CharField(_("name (Turkish)"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(
        _("offered"), default=True, help_text=_("Retired topics stay on old programs only.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the language of the person reading."""
        language = (translation.get_language() or "en").split("-")[0]
        # A stored name first (HR may have edited it), then the catalogue, which knows the
        # seeded topics, then the English name.
        return getattr(self, f"name_{language}", "") or translation.gettext(self.name)


class ProgramStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ENROLMENT = "enrolment", _("Enrolment")
    MATCHING = "matching", _("Matching")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    ARCHIVED = "archived", _("Archived")


class ProgramQuerySet(models.QuerySet):
    def for_hr_list(self) -> "ProgramQuerySet":
        """Programs with the enrolment counts the HR list shows, in one query."""
        approved = Q(enrolments__status=EnrolmentStatus.APPROVED)
        complete_profiles = (
            Enrolment.objects.filter(program=OuterRef("pk"), status=EnrolmentStatus.APPROVED)
            .filter(profile_complete_condition())
            .values("program")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return self.annotate(
            mentors=Count("enrolments", filter=approved & Q(enrolments__role=Role.MENTOR)),
            mentees=Count("enrolments", filter=approved & Q(enrolments__role=Role.MENTEE)),
            invited=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.INVITED)),
            applied=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.APPLIED)),
            complete=Coalesce(Subquery(complete_profiles), 0),
        ).order_by("-start_date", "name")

    def open_for_applications(self) -> "ProgramQuerySet":
        today = timezone.localdate()
        return self.filter(status=ProgramStatus.ENROLMENT, allow_applications=True).filter(
            Q(enrolment_deadline__isnull=True) | Q(enrolment_deadline__gte=today)
        )


class Program(models.Model):
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    objectives = models.TextField(
        _("objectives"),
        help_text=_("What the program should achieve, one goal per paragraph or line."),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    enrolment_deadline = models.DateField(_("enrolment deadline"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ProgramStatus.choices, default=ProgramStatus.DRAFT
    )
    cadence_weeks = models.PositiveSmallIntegerField(
        _("a session every N weeks"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    session_minutes = models.PositiveSmallIntegerField(
        _("default session length (minutes)"),
        default=60,
        validators=[MinValueValidator(15), MaxValueValidator(480)],
    )
    mentor_capacity = models.PositiveSmallIntegerField(
        _("mentees per mentor"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    anonymity_threshold = models.PositiveSmallIntegerField(
        _("anonymity threshold"),
        default=5,
        validators=[MinValueValidator(MIN_ANONYMITY_THRESHOLD), MaxValueValidator(100)],
        help_text=_("Figures over fewer people than this are hidden on dashboards (at least 3)."),
    )
    allow_applications = models.BooleanField(_("people may apply themselves"), default=False)
    notes_retention_months = models.PositiveSmallIntegerField(
        _("keep private notes for (months)"),
        default=12,
        validators=[MaxValueValidator(120)],
        help_text=_(
            "Takeaways and private notes of sessions are erased this many months after the "
            "program ends (0: the day after it ends)."
        ),
    )
    topics = models.ManyToManyField(Topic, verbose_name=_("topics on offer"), blank=True)
    # Blank for programs made from the command line, where nobody is signed in.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")), name="program_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(anonymity_threshold__gte=MIN_ANONYMITY_THRESHOLD),
                name="program_anonymity_threshold_at_least_3",
            ),
            models.CheckConstraint(
                condition=Q(mentor_capacity__gte=1), name="program_mentor_capacity_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def notes_expire_on(self) -> datetime.date:
        """The first day on which the program's session notes are past their retention."""
        return add_months(self.end_date, self.notes_retention_months) + datetime.timedelta(days=1)

    @property
    def takes_participants(self) -> bool:
        """People can be invited or imported from enrolment until the program is active
        (late joiners included); a draft is still being written, a finished program is over."""
        return self.status in (
            ProgramStatus.ENROLMENT,
            ProgramStatus.MATCHING,
            ProgramStatus.ACTIVE,
        )

    @property
    def is_open_for_applications(self) -> bool:
        return (
            self.status == ProgramStatus.ENROLMENT
            and self.allow_applications
            and (self.enrolment_deadline is None or self.enrolment_deadline >= timezone.localdate())
        )


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day when it is shorter (31 Jan + 1 is
    28 or 29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


class Role(models.TextChoices):
    MENTOR = "mentor", _("Mentor")
    MENTEE = "mentee", _("Mentee")


class EnrolmentStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    APPLIED = "applied", _("Applied")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class EnrolmentQuerySet(models.QuerySet):
    def approved(self) -> "EnrolmentQuerySet":
        return self.filter(status=EnrolmentStatus.APPROVED)

    def with_profile_complete(self) -> "EnrolmentQuerySet":
        return self.annotate(
            profile_is_complete=ExpressionWrapper(
                profile_complete_condition(), output_field=models.BooleanField()
            )
        )

    def for_participant_table(self, program: Program) -> "EnrolmentQuerySet":
        return (
            self.filter(program=program)
            .select_related("user", "user__manager")
            .with_profile_complete()
        )

    def for_user(self, user) -> "EnrolmentQuerySet":
        return self.filter(user=user).select_related("program")


class Enrolment(models.Model):
    """A person in a program as mentor or mentee, with the profile matching reads."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="enrolments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="enrolments",
    )
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    status = models.CharField(_("status"), max_length=10, choices=EnrolmentStatus.choices)
    languages = models.JSONField(
        _("languages"), default=list, blank=True, help_text=_("ISO 639-1 codes, e.g. en, vi, tr.")
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, validators=[validate_time_zone]
    )
    goals = models.TextField(_("goals"), blank=True)
    guidelines_acknowledged_at = models.DateTimeField(
        _("guidelines acknowledged"), null=True, blank=True
    )
    # A fresh random key per invitation mail: resending replaces it, which voids older links.
    invitation_key = models.CharField(max_length=64, blank=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["program", "user"], name="one_enrolment_per_program"),
        ]
        indexes = [models.Index(fields=["program", "role", "status"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.program}"

    @property
    def is_mentor(self) -> bool:
        return self.role == Role.MENTOR

    def missing_profile_parts(self) -> list[str]:
        """What keeps the profile from counting as complete, in words a person understands."""
        missing = []
        if not self.languages:
            missing.append(_("at least one language"))
        if not self.time_zone:
            missing.append(_("a time zone"))
        if not self.goals.strip():
            missing.append(_("goals"))
        topics = self.teach_topics if self.is_mentor else self.learn_topics
        if not topics.exists():
            missing.append(_("at least one topic"))
        if self.guidelines_acknowledged_at is None:
            missing.append(_("acknowledging the guidelines"))
        return missing


class TeachTopic(models.Model):
    """A topic a mentor can teach, at a level from 1 (basics) to 3 (expert)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="teach_topics")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(
        _("level"), default=2, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "topic"], name="teach_topic_once"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=3), name="teach_level_1_3"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} ({self.level})"


class LearnTopic(models.Model):
    """A topic a mentee wants to learn, with a priority 1-3 and a self-rated confidence 1-5,
    asked at enrolment and again at the end (the learning gain)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="learn_topics")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+")
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=2, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    confidence_start = models.PositiveSmallIntegerField(
        _("confidence now"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    confidence_end = models.PositiveSmallIntegerField(
        _("confidence at the end"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "topic"], name="learn_topic_once"),
            models.CheckConstraint(
                condition=Q(priority__gte=1, priority__lte=3), name="learn_priority_1_3"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} ({self.priority})"


class ParticipantImport(models.Model):
    """An uploaded CSV waiting for HR to confirm its preview; applied at most once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255)
    content = models.TextField()
    create_topics = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.filename} → {self.program}"


def profile_complete_condition() -> Q:
    """The SQL twin of Enrolment.missing_profile_parts() == []."""
    has_teach = Exists(TeachTopic.objects.filter(enrolment=OuterRef("pk")))
    has_learn = Exists(LearnTopic.objects.filter(enrolment=OuterRef("pk")))
    return (
        ~Q(languages=[])
        & ~Q(time_zone="")
        & ~Q(goals="")
        & Q(guidelines_acknowledged_at__isnull=False)
        & ((Q(role=Role.MENTOR) & Q(has_teach)) | (Q(role=Role.MENTEE) & Q(has_learn)))
    )
