"""The audit log: who created, changed, approved, exported or deleted what, and when. Rows are
only ever added: saving an existing row, deleting one, or a bulk update or delete raises."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnly(Exception):
    """An attempt to change or remove an audit event."""


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

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True, editable=False)
    # An account with entries cannot be deleted (erasure anonymises it instead): deleting it
    # would rewrite "by" on every entry it made.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    # What was acted on: a kind ("program", "enrolment", ...), its id and a label at the time.
    target_type = models.CharField(_("what"), max_length=40)
    target_id = models.CharField(max_length=40, blank=True)
    target_label = models.CharField(_("which"), max_length=200, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

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
