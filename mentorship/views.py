"""Cross-app pages: the home page, the language switch and the health check (the dashboard is
in mentorship/dashboard/)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from feedback.answering import invitations_waiting_for
from feedback.links import survey_token
from matching.models import Pair
from mentorship import health
from mentorship.accounts.models import User
from mentorship.permissions import (
    can_manage_people,
    can_run_programs,
    can_view_dashboards,
)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "mentorship/landing.html")
    return render(
        request,
        "mentorship/home.html",
        {
            "can_manage_people": can_manage_people(request.user),
            "can_run_programs": can_run_programs(request.user),
            "can_view_dashboards": can_view_dashboards(request.user),
            "pairs": Pair.objects.for_participant(request.user),
            "waiting_surveys": [
                {
                    "invitation": invitation,
                    "url": reverse(
                        "feedback:survey_answer", args=[survey_token(invitation.public_id)]
                    ),
                }
                for invitation in invitations_waiting_for(request.user)
            ],
        },
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also remembers the choice on the person's account."""
    language = request.POST.get("language", "")
    response = django_set_language(request)
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        User.objects.filter(pk=request.user.pk).update(preferred_language=language)
    return response


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    status = health.check_all()
    healthy = all(value == health.OK for value in status.values())
    return JsonResponse(status, status=200 if healthy else 503)
