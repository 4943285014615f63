"""The audit log page for HR admins: newest first, filtered by action and kind, paginated."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mentorship.audit.models import KINDS, AuditEvent
from mentorship.permissions import hr_admin_required

PAGE_SIZE = 50


@require_GET
@hr_admin_required
def audit_list(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.select_related("actor")
    action = request.GET.get("action", "")
    if action in AuditEvent.Action.values:
        events = events.filter(action=action)
    kinds = list(AuditEvent.objects.order_by().values_list("target_type", flat=True).distinct())
    kind = request.GET.get("what", "")
    if kind in kinds:
        events = events.filter(target_type=kind)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/list.html",
        {
            "page": page,
            "actions": AuditEvent.Action.choices,
            "action": action,
            "kinds": sorted((value, str(KINDS.get(value, value))) for value in kinds),
            "kind": kind,
            "page_query": query.urlencode(),
        },
    )
