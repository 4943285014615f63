"""The audit log: who created, changed, approved, exported or deleted what, and when. Rows are
only ever added: saving an existing row, deleting one, or a bulk update or delete raises."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AppendOnly(Exception):
    """An attempt to change or remove an audit event."""


# The kinds of things the log names, as the pages say them.
KINDS = {
    "program": _("Program"),
    "enrolment": _("Enrolment"),
    "user": _("Account"),
    "matchrun": _("Matching run"),
    "pair": _("Pair"),
    "surveyschedule": _("Survey schedule"),
    "dashboard": _("Dashboard"),
}


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("The audit log cannot be changed.")

    def delete(self):
        raise AppendOnly("The audit log cannot be deleted from.")


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        CHANGED = "changed", _("Changed")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        IMPORTED = "imported", _("Imported")
        EXPORTED = "exported", _("Exported")
        DELETED = "deleted", _("Deleted")
        ROLES_CHANGED = "roles_changed", _("Roles changed")

    at = models.DateTimeField(
        pgettext_lazy("audit", "when"), default=timezone.now, db_index=True, editable=False
    )
    # An account with entries cannot be deleted (erasure anonymises it instead): deleting it
    # would rewrite "by" on every entry it made.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("audit", "by"),
    )
    action = models.CharField(
        pgettext_lazy("audit", "action"), max_length=20, choices=Action.choices
    )
    # What was acted on: a kind ("program", "enrolment", ...), its id and a label at the time.
    target_type = models.CharField(pgettext_lazy("audit", "what"), max_length=40)
    target_id = models.CharField(max_length=40, blank=True)
    target_label = models.CharField(pgettext_lazy("audit", "which"), max_length=200, blank=True)
    details = models.JSONField(pgettext_lazy("audit", "details"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        # Django's own updates and deletes of related rows go through the base manager: the
        # guarded one.
        base_manager_name = "objects"
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type} {self.target_label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("The audit log cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("The audit log cannot be deleted from.")

    @property
    def kind_label(self) -> str:
        """What was acted on, in the reader's language (the stored kind is a model name)."""
        return str(KINDS.get(self.target_type, self.target_type))
