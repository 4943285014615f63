"""The navigation each role sees, built from the same predicates that guard the pages."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mentorship.permissions import can_manage_people, can_run_programs, can_view_dashboards


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [("home", _("Home")), ("programs:my_programs", _("My programs"))]
    if can_view_dashboards(user):
        items.append(("dashboard", _("Dashboard")))
    if can_run_programs(user):
        items.append(("programs:program_list", _("Programs")))
        items.append(("feedback:template_list", _("Surveys")))
    if can_manage_people(user):
        items.append(("accounts:people", _("People")))
    current = request.path
    nav_items = []
    for url_name, label in items:
        url = reverse(url_name)
        is_current = current == url if url == "/" else current.startswith(url)
        nav_items.append({"url": url, "label": label, "current": is_current})
    return {"nav_items": nav_items}
