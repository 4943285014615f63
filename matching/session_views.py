"""Pages where either side of a pair proposes, changes or cancels a session, and downloads its
calendar invitation. Everything loads through matching.access: anyone outside the pair gets 404."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from matching import calendar, scheduling
from matching.access import get_pair_for_member, get_session_for_member
from matching.forms_sessions import SessionForm
from matching.tasks_sessions import invitation_for


def _apply_errors(form: SessionForm, error: ValidationError) -> None:
    """Show a service's refusal on the field it is about, or above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _render_form(request: HttpRequest, *, form, pair, session=None) -> HttpResponse:
    return render(
        request,
        "matching/session_form.html",
        {"form": form, "pair": pair, "session": session, "time_zone": request.user.time_zone},
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_propose(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    pair = get_pair_for_member(request.user, public_id)
    form = SessionForm(
        request.POST or None,
        time_zone=request.user.time_zone,
        default_minutes=pair.program.session_minutes,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            scheduling.session_propose(
                pair=pair,
                by=request.user,
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                location=data["location"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Session proposed. You both get a calendar invitation."))
            return redirect(pair)
    return _render_form(request, form=form, pair=pair)


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, public_id: uuid.UUID, session_pk: int) -> HttpResponse:
    session = get_session_for_member(request.user, public_id, session_pk)
    pair = session.pair
    form = SessionForm(
        request.POST or None,
        initial=SessionForm.initial_for(session, request.user.time_zone),
        time_zone=request.user.time_zone,
        default_minutes=pair.program.session_minutes,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            scheduling.session_update(
                session=session,
                by=request.user,
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                location=data["location"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Session changed. You both get the updated invitation."))
            return redirect(pair)
    return _render_form(request, form=form, pair=pair, session=session)


@login_required
@require_POST
def session_cancel(request: HttpRequest, public_id: uuid.UUID, session_pk: int) -> HttpResponse:
    session = get_session_for_member(request.user, public_id, session_pk)
    try:
        scheduling.session_cancel(session=session, by=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Session cancelled. You both get the cancellation."))
    return redirect(session.pair)


@login_required
@require_GET
def session_ics(request: HttpRequest, public_id: uuid.UUID, session_pk: int) -> HttpResponse:
    session = get_session_for_member(request.user, public_id, session_pk)
    with translation.override(request.user.preferred_language):
        invitation = invitation_for(session)
    response = HttpResponse(
        calendar.build_ics(invitation), content_type=calendar.content_type(invitation.method)
    )
    response["Content-Disposition"] = 'attachment; filename="invite.ics"'
    return response
