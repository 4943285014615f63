"""Match runs and their suggestions, HR's pins and exclusions, and the approved pairs."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedTextField

from programs.models import Enrolment, Program


class MatchRun(models.Model):
    """One run of the optimiser over a program's cohort, kept with what it was given and what
    it suggested, so that HR can compare runs and see why a pair was proposed."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        SUPERSEDED = "superseded", _("Superseded")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="match_runs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    parameters = models.JSONField(default=dict)
    total_score = models.FloatField(default=0)
    solver_seconds = models.FloatField(default=0)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("match run")
        verbose_name_plural = _("match runs")

    def __str__(self) -> str:
        return f"{self.program} #{self.pk}"


class Suggestion(models.Model):
    """A pair the run proposes, with its score and the breakdown that explains it."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="suggestions")
    mentor = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    # Components of the score and the shared topic ids: read in the reader's language later.
    breakdown = models.JSONField(default=dict)
    pinned = models.BooleanField(default=False)

    class Meta:
        ordering = ["-score", "mentee_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "mentee"], name="one_suggestion_per_mentee"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor_id} → {self.mentee_id} ({self.score:.2f})"


class UnmatchedMentee(models.Model):
    """A mentee the run could not match, and why (a code and its details, put into words in the
    language of whoever reads it)."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="unmatched")
    mentee = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=40)
    details = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "mentee"], name="unmatched_once_per_run"),
        ]

    def __str__(self) -> str:
        return f"{self.mentee_id}: {self.reason}"


class PairRule(models.Model):
    """HR's word on one (mentor, mentee) pair: keep it whatever the score, or never propose it."""

    class Kind(models.TextChoices):
        PIN = "pin", _("Pinned")
        EXCLUDE = "exclude", _("Excluded")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="pair_rules")
    mentor = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mentor", "mentee"], name="one_rule_per_pair"),
            # A mentee has at most one pinned mentor.
            models.UniqueConstraint(
                fields=["mentee"], condition=Q(kind="pin"), name="one_pin_per_mentee"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.mentor_id} → {self.mentee_id}"


class PairQuerySet(models.QuerySet):
    def active(self) -> "PairQuerySet":
        return self.filter(status=Pair.Status.ACTIVE)

    def for_participant(self, user) -> "PairQuerySet":
        """The active pairs a person is part of, as mentor or mentee, with what a list shows."""
        return (
            self.active()
            .filter(Q(mentor__user=user) | Q(mentee__user=user))
            .select_related("program", "mentor__user", "mentee__user")
            .order_by("program__name", "pk")
        )


class Pair(models.Model):
    """A mentor and a mentee working together, from HR's approval until the pair ends."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    # What URLs name a pair by: a sequential id would tell how many pairs there are and invite
    # guessing another pair's pages.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="pairs")
    mentor = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="pairs_as_mentor")
    mentee = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="pairs_as_mentee")
    run = models.ForeignKey(
        MatchRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="pairs"
    )
    score = models.FloatField(default=0)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.TextField(blank=True)

    objects = PairQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mentee"], condition=Q(status="active"), name="one_active_pair_per_mentee"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor.user} & {self.mentee.user}"

    def get_absolute_url(self) -> str:
        """The pair page, which only the pair's two people can open."""
        return reverse("matching:my_pair", kwargs={"public_id": self.public_id})


class Session(models.Model):
    """A meeting of a pair: proposed with a time and place, then logged by either side.

    Times are stored in UTC; each person sees them in their own time zone. `uid` and
    `sequence` make the calendar invitation updatable and cancellable (RFC 5545).
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="sessions")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("length (minutes)"))
    location = models.CharField(_("place or video link"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["pair", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.pair} @ {self.starts_at:%Y-%m-%d %H:%M}"


class SessionLog(models.Model):
    """What happened in a session. Either side writes it, the other confirms or corrects.

    Takeaways and private notes are for the two people of the pair only: they are encrypted at
    rest and never shown to HR, executives, exports, mails or logs.
    """

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="log")
    outcome = models.CharField(_("what happened"), max_length=10, choices=Session.Status.choices)
    held_on = models.DateTimeField(_("actual start"), null=True, blank=True)
    actual_minutes = models.PositiveSmallIntegerField(_("actual length (minutes)"), default=0)
    topics_covered = models.ManyToManyField(
        "programs.Topic", verbose_name=_("topics covered"), blank=True, related_name="+"
    )
    takeaways = EncryptedTextField(_("takeaways"), null=True, blank=True)
    private_notes = EncryptedTextField(_("private notes"), null=True, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    logged_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"log of {self.session_id}: {self.outcome}"


class ActionItem(models.Model):
    """Something one side of the pair will do, agreed in a session."""

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="action_items")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items"
    )
    text = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        Enrolment, verbose_name=_("who"), on_delete=models.CASCADE, related_name="+"
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done_at", "due_on", "pk"]

    def __str__(self) -> str:
        return self.text
