"""Writing to the audit log, from the services that act (inside their transaction, so that an
action and its record commit or roll back together)."""

from django.db import models

from mentorship.audit.models import AuditEvent


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    label: str = "",
    **details,
) -> AuditEvent:
    """Records that `actor` (a user, or None for the system) did `action` to `target`. Details
    are plain values; never personal notes or answers."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target_type or (target._meta.model_name if target is not None else ""),
        target_id=str(target.pk) if target is not None else "",
        target_label=(label or (str(target) if target is not None else ""))[:200],
        details=details,
    )
