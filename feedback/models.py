"""Surveys (templates, questions, schedules, invitations, responses), the mail preferences of each
person, and the delivery rows that make every survey and reminder go out exactly once."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from matching.models import Session
from programs.models import Enrolment, Program, Role, Topic


def in_reader_language(obj, field: str) -> str:
    """A field kept in each shipped language (`text`, `text_vi`, `text_tr`), in the language of
    the person reading; English when there is no translation."""
    language = (translation.get_language() or "en").split("-")[0]
    return getattr(obj, f"{field}_{language}", "") or getattr(obj, field)


class SurveyTemplate(models.Model):
    """A questionnaire HR can reuse across programs. Built-in templates carry a `key`."""

    key = models.SlugField(max_length=40, unique=True, null=True, blank=True, editable=False)
    name = models.CharField(_("name (English)"), max_length=150)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=150, blank=True)
    name_tr = models.CharField(_("name (Turkish)"), max_length=150, blank=True)
    is_anonymous = models.BooleanField(
        _("anonymous"),
        default=False,
        help_text=_(
            "Answers are stored without any link to the person who gave them; free-text "
            "answers are shown only for large groups."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("survey template")
        verbose_name_plural = _("survey templates")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return in_reader_language(self, "name")

    @property
    def is_builtin(self) -> bool:
        return bool(self.key)


class Question(models.Model):
    class Kind(models.TextChoices):
        LIKERT = "likert", _("Agreement, 1 to 5")
        NPS = "nps", _("Recommendation, 0 to 10")
        CHOICE = "choice", _("One choice")
        TEXT = "text", _("Free text")
        TOPIC_CONFIDENCE = "topic_confidence", _("Confidence per topic, 1 to 5")

    template = models.ForeignKey(SurveyTemplate, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # What the dashboards read, such as "session_rating" or "program_nps"; blank for the rest.
    key = models.SlugField(_("measure"), max_length=40, blank=True)
    text = models.CharField(_("question (English)"), max_length=300)
    text_vi = models.CharField(_("question (Vietnamese)"), max_length=300, blank=True)
    text_tr = models.CharField(_("question (Turkish)"), max_length=300, blank=True)
    # One option per line, in the same order in every language; answers store the index.
    choices = models.TextField(_("options (English)"), blank=True)
    choices_vi = models.TextField(_("options (Vietnamese)"), blank=True)
    choices_tr = models.TextField(_("options (Turkish)"), blank=True)
    required = models.BooleanField(_("an answer is required"), default=True)

    class Meta:
        ordering = ["template", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "position"], name="one_question_per_position"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return in_reader_language(self, "text")

    @property
    def options(self) -> list[str]:
        """The options of a choice question in the reader's language (English for a language
        that lacks some of them)."""
        english = [line.strip() for line in self.choices.splitlines() if line.strip()]
        translated = [
            line.strip()
            for line in in_reader_language(self, "choices").splitlines()
            if line.strip()
        ]
        return translated if len(translated) == len(english) else english


class SurveySchedule(models.Model):
    """When a program sends a survey, and to whom."""

    class Trigger(models.TextChoices):
        AFTER_SESSION = "after_session", _("After each logged session")
        FROM_START = "from_start", _("Days after the program starts")
        FROM_END = "from_end", _("Days from the program's end")
        EVERY_WEEKS = "every_weeks", _("Every N weeks")

    class Audience(models.TextChoices):
        BOTH = "both", _("Mentors and mentees")
        MENTORS = "mentors", _("Mentors")
        MENTEES = "mentees", _("Mentees")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="survey_schedules")
    template = models.ForeignKey(
        SurveyTemplate,
        on_delete=models.PROTECT,
        related_name="schedules",
        verbose_name=_("survey"),
    )
    trigger = models.CharField(_("when"), max_length=16, choices=Trigger.choices)
    offset_days = models.SmallIntegerField(
        _("day offset"),
        default=0,
        validators=[MinValueValidator(-365), MaxValueValidator(365)],
        help_text=_("From the start: 30 is day 30. From the end: -7 is a week before it."),
    )
    delay_hours = models.PositiveSmallIntegerField(
        _("hours after the session is logged"),
        default=2,
        validators=[MaxValueValidator(24 * 14)],
    )
    every_weeks = models.PositiveSmallIntegerField(
        _("every N weeks"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
    )
    audience = models.CharField(
        _("sent to"), max_length=8, choices=Audience.choices, default=Audience.BOTH
    )
    max_reminders = models.PositiveSmallIntegerField(
        _("reminders at most"), default=2, validators=[MaxValueValidator(5)]
    )
    reminder_every_days = models.PositiveSmallIntegerField(
        _("days between reminders"), default=3, validators=[MinValueValidator(1)]
    )
    open_days = models.PositiveSmallIntegerField(
        _("days the survey stays open"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "pk"]
        verbose_name = _("survey schedule")
        verbose_name_plural = _("survey schedules")
        constraints = [
            models.CheckConstraint(
                condition=~Q(trigger="every_weeks") | Q(every_weeks__gte=1),
                name="every_weeks_schedule_has_a_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} ({self.get_trigger_display()})"

    def includes(self, role: str) -> bool:
        return self.audience == self.Audience.BOTH or self.audience == f"{role}s"


class SurveyInvitationQuerySet(models.QuerySet):
    def for_answer_page(self) -> "SurveyInvitationQuerySet":
        return self.select_related(
            "schedule__template", "schedule__program", "enrolment__user"
        ).prefetch_related("schedule__template__questions")


class SurveyInvitation(models.Model):
    """One person asked to answer one occurrence of a schedule (after session 12, on day 30, ...).

    The unique key (schedule, enrolment, occurrence) is what keeps a second dispatcher from
    asking anyone twice. For an anonymous survey only the fact that it was answered is kept here,
    never when: a time would let a query pair the invitation with its response.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    schedule = models.ForeignKey(
        SurveySchedule, on_delete=models.CASCADE, related_name="invitations"
    )
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    occurrence = models.CharField(max_length=40)
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closes_at = models.DateTimeField()
    answered = models.BooleanField(default=False)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = SurveyInvitationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "enrolment", "occurrence"], name="one_invitation_per_occurrence"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.schedule} → {self.enrolment_id} ({self.occurrence})"


class SurveyResponse(models.Model):
    """A submitted survey. For an anonymous survey it knows only the schedule, the side
    (mentor or mentee) and the day: no invitation, no person, no session, and a random id so
    that not even the order of rows points back to anyone."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    schedule = models.ForeignKey(SurveySchedule, on_delete=models.CASCADE, related_name="responses")
    role = models.CharField(max_length=8, choices=Role.choices)
    submitted_on = models.DateField()
    # Set only when the survey is not anonymous.
    invitation = models.OneToOneField(
        SurveyInvitation, null=True, blank=True, on_delete=models.CASCADE, related_name="response"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=[Role.MENTOR, Role.MENTEE]), name="response_role_is_a_side"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.schedule} ({self.submitted_on})"


class Answer(models.Model):
    # A random id, like the response's: the order of rows must not give away who answered when.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    # For "confidence per topic": one answer per topic of the respondent.
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    number = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            # Two conditional constraints instead of NULLS NOT DISTINCT, which SQLite lacks.
            models.UniqueConstraint(
                fields=["response", "question"],
                condition=Q(topic__isnull=True),
                name="one_answer_per_question",
            ),
            models.UniqueConstraint(
                fields=["response", "question", "topic"],
                condition=Q(topic__isnull=False),
                name="one_answer_per_question_and_topic",
            ),
        ]
        indexes = [models.Index(fields=["question", "number"])]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.number if self.number is not None else self.text[:20]}"


class TopicRatingTally(models.Model):
    """Confidence ratings given in anonymous surveys, counted per topic, side and value.

    An anonymous response never holds its respondent's topic ratings: the set of topics one
    person rates (their own learning or teaching topics) is nearly as good as their name. Each
    rating only adds one to a counter here, with nothing that says whose it was.
    """

    schedule = models.ForeignKey(SurveySchedule, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=8, choices=Role.choices)
    value = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "question", "topic", "role", "value"],
                name="one_tally_per_topic_side_and_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic_id} {self.role} {self.value}: {self.count}"


class MailPreferences(models.Model):
    """Which reminders a person wants. No row means every one of them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_preferences"
    )
    survey_invitations = models.BooleanField(_("surveys about my program"), default=True)
    survey_reminders = models.BooleanField(
        _("reminders of a survey I have not answered"), default=True
    )
    session_reminders = models.BooleanField(_("a session is coming (a day before)"), default=True)
    log_reminders = models.BooleanField(_("please log a session that has ended"), default=True)
    cadence_reminders = models.BooleanField(_("my pair is behind its rhythm"), default=True)
    hr_digest = models.BooleanField(_("weekly digest of pairs at risk (HR admins)"), default=True)

    class Meta:
        verbose_name = _("mail preferences")
        verbose_name_plural = _("mail preferences")

    def __str__(self) -> str:
        return str(self.user)


class DeliveryQuerySet(models.QuerySet):
    def failed(self) -> "DeliveryQuerySet":
        return self.filter(status=Delivery.Status.FAILED)


class Delivery(models.Model):
    """One mail to one person, planned before it is sent.

    `key` names what, to whom and which occurrence (`survey:812`,
    `session-soon:44:20270301T0900:7`) and is unique: a second beat, a retried task or a
    restarted worker finds the row and sends nothing again. The status is a small state
    machine that the sending task claims with a conditional UPDATE; a claim has a lease, so
    that what a killed worker was sending is taken up again, once, after the lease runs out.
    """

    class Kind(models.TextChoices):
        SURVEY = "survey", _("Survey")
        SURVEY_REMINDER = "survey_reminder", _("Survey reminder")
        SESSION_SOON = "session_soon", _("Session tomorrow")
        LOG_NUDGE = "log_nudge", _("Log your session")
        CADENCE_NUDGE = "cadence_nudge", _("Pair behind its rhythm")
        HR_DIGEST = "hr_digest", _("Weekly HR digest")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent")

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deliveries"
    )
    # The row the mail is about: an invitation, a session or a pair (by kind); none for digests.
    object_id = models.BigIntegerField(null=True, blank=True)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claim = models.UUIDField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["kind", "object_id"]),
        ]

    def __str__(self) -> str:
        return self.key
