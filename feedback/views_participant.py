"""Pages of participants: answering a survey from the link in its mail (the signed link is the
permission, no sign-in needed), the mail preferences, and unsubscribing from one kind of mail
(one-click from a mail client too)."""

import zoneinfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from feedback import links
from feedback.answering import respondent_topics, survey_submit
from feedback.forms_answer import NPS_HIGH, NPS_LOW, SurveyAnswerForm
from feedback.forms_preferences import MailPreferencesForm
from feedback.models import MailPreferences, Question, SurveyInvitation
from mentorship.accounts.models import User
from mentorship.ratelimits import signed_link_limited

# Shown after a successful answer, so that the page that follows says "thank you", not "already".
JUST_ANSWERED_TAG = "survey-answered"


def _invitation_from_link(request: HttpRequest, token: str) -> SurveyInvitation:
    """The invitation a survey link names, for its invitee only: a forged or unknown link and an
    invitee who left are 404; another signed-in person is refused. (A closed survey says so.)"""
    try:
        public_id = links.survey_public_id(token)
    except (signing.BadSignature, ValueError):
        raise Http404 from None
    invitation = get_object_or_404(SurveyInvitation.objects.for_answer_page(), public_id=public_id)
    invitee = invitation.enrolment.user
    if not invitee.is_active:
        raise Http404
    if request.user.is_authenticated and request.user.pk != invitee.pk:
        raise PermissionDenied
    return invitation


def _zone_of(user: User) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(user.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@signed_link_limited
def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation_from_link(request, token)
    invitee = invitation.enrolment.user
    # The link may be opened signed out or on a shared computer: the page speaks the
    # invitee's language and shows times in their zone, whatever the browser says.
    with translation.override(invitee.preferred_language), timezone.override(_zone_of(invitee)):
        return _answer_page(request, invitation)


def _answer_page(request: HttpRequest, invitation: SurveyInvitation) -> HttpResponse:
    template = invitation.schedule.template
    context = {
        "invitation": invitation,
        "program": invitation.schedule.program,
        "survey": template,
        "nps_low": NPS_LOW,
        "nps_high": NPS_HIGH,
    }
    if invitation.answered:
        just_answered = any(
            JUST_ANSWERED_TAG in message.tags for message in messages.get_messages(request)
        )
        return render(
            request,
            "feedback/answer.html",
            {**context, "state": "answered", "just_answered": just_answered},
        )
    if timezone.now() >= invitation.closes_at:
        return render(request, "feedback/answer.html", {**context, "state": "closed"}, status=410)

    questions = list(template.questions.all())
    rates_topics = any(q.kind == Question.Kind.TOPIC_CONFIDENCE for q in questions)
    topics = respondent_topics(enrolment=invitation.enrolment) if rates_topics else []
    form = SurveyAnswerForm(
        request.POST if request.method == "POST" else None, questions=questions, topics=topics
    )
    if form.is_bound and form.is_valid():
        try:
            survey_submit(invitation=invitation, answers=form.answers())
        except ValidationError:
            # Answered in another tab, or closed between the page and the click: the page
            # that follows says which, in the same words.
            pass
        else:
            messages.success(
                request, _("Thank you, your answers were saved."), extra_tags=JUST_ANSWERED_TAG
            )
        return redirect(request.path)
    return render(
        request,
        "feedback/answer.html",
        {**context, "state": "open", "form": form, "groups": form.groups()},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    current = MailPreferences.objects.filter(user=request.user).first()
    form = MailPreferencesForm(
        request.POST if request.method == "POST" else None,
        instance=current or MailPreferences(user=request.user),
        user=request.user,
    )
    if form.is_bound and form.is_valid():
        MailPreferences.objects.update_or_create(user=request.user, defaults=form.choices())
        messages.success(request, _("Your mail preferences were saved."))
        return redirect("feedback:preferences")
    return render(request, "feedback/preferences.html", {"form": form})


def _preference_label(preference: str) -> str:
    return MailPreferences._meta.get_field(preference).verbose_name


# Mail clients unsubscribe with a bare POST (RFC 8058 one-click: the body is
# "List-Unsubscribe=One-Click" and there is no CSRF token); the signed token is the
# permission, and it only ever turns mail off.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
@signed_link_limited
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user_id, preference = links.unsubscribe_target(token)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        user_id, preference = None, None
    language = (
        User.objects.filter(pk=user_id).values_list("preferred_language", flat=True).first()
        if user_id is not None
        else None
    )
    if language is None:
        return render(request, "feedback/unsubscribe.html", {"state": "invalid"}, status=400)
    # In the language of the mail the link came from, even when opened signed out.
    with translation.override(language):
        context = {"what": _preference_label(preference)}
        # A GET changes nothing: mail scanners open every link of a message.
        if request.method == "GET":
            return render(request, "feedback/unsubscribe.html", {**context, "state": "confirm"})
        MailPreferences.objects.update_or_create(user_id=user_id, defaults={preference: False})
        return render(request, "feedback/unsubscribe.html", {**context, "state": "done"})
