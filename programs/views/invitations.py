"""Invitations: HR invites people in bulk or mails one invitation again; the invitee opens the
mailed link and accepts (choosing a first password when the invitation created the account)."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from mentorship.ratelimits import sending_mail_limited, signed_link_limited
from programs import invitations
from programs.access import get_enrolment_for_hr, get_program_for_hr
from programs.forms_invitations import InvitationPasswordForm, InviteForm
from programs.invitations import (
    InvitationError,
    InvitationForAnotherAccount,
    InvitationInvalid,
    InviteResult,
)

# The invitee's first sign-in happens here, not through allauth's login form: the link has
# proved the mailbox, and the account has no second factor yet.
SIGN_IN_BACKEND = "django.contrib.auth.backends.ModelBackend"


@require_http_methods(["GET", "POST"])
@login_required
@sending_mail_limited
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_program_for_hr(request.user, slug)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = invitations.invitations_send(
                program=program,
                rows=form.cleaned_data["people"],
                role=form.cleaned_data["role"],
                language=form.cleaned_data["language"],
                invited_by=request.user,
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _invite_summary(result))
            return redirect("programs:participant_list", slug=program.slug)
    return render(
        request,
        "programs/invite.html",
        {
            "program": program,
            "form": form,
            "closed_reason": invitations.closed_reason(program),
        },
    )


def _invite_summary(result: InviteResult) -> str:
    invited = len(result.invited)
    summary = ngettext("%(count)d person invited.", "%(count)d people invited.", invited) % {
        "count": invited
    }
    skipped = len(result.already_enrolled)
    if skipped:
        summary += " " + ngettext(
            "%(count)d was already in the program and was left as is.",
            "%(count)d were already in the program and were left as they are.",
            skipped,
        ) % {"count": skipped}
    return summary


@require_POST
@login_required
@sending_mail_limited
def invitation_resend(request: HttpRequest, slug: str, public_id) -> HttpResponse:
    enrolment = get_enrolment_for_hr(request.user, slug, public_id)
    try:
        invitations.invitation_resend(enrolment=enrolment, request=request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("A new invitation was sent to %(email)s. Links in earlier emails no longer work.")
            % {"email": enrolment.user.email},
        )
    return redirect("programs:participant_detail", slug=slug, public_id=enrolment.public_id)


@require_http_methods(["GET", "POST"])
@never_cache
@sensitive_post_parameters("password1", "password2")
@signed_link_limited
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        enrolment = invitations.invitation_check(token)
        if request.user.is_authenticated and request.user.pk != enrolment.user_id:
            raise InvitationForAnotherAccount
    except InvitationError as error:
        return _problem(request, error)
    invitee = enrolment.user

    if invitee.has_usable_password():
        # The account existed before the invitation: its owner proves who they are by signing
        # in as usual (with their second factor), then comes back here.
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        form = None
    else:
        form = InvitationPasswordForm(invitee, request.POST or None)

    if request.method == "POST" and (form is None or form.is_valid()):
        password = form.cleaned_data["password1"] if form is not None else None
        try:
            invitations.invitation_accept(enrolment=enrolment, user=invitee, password=password)
        except InvitationError as error:
            return _problem(request, error)
        if password is not None:
            login(request, invitee, backend=SIGN_IN_BACKEND)
        # The next page speaks the invitee's language, so the message should too.
        with translation.override(invitee.preferred_language):
            messages.success(
                request,
                _("Welcome to %(program)s. Please complete your profile.")
                % {"program": enrolment.program.name},
            )
        return redirect("programs:my_profile", slug=enrolment.program.slug)

    return render(
        request,
        "programs/invitation_accept.html",
        {"enrolment": enrolment, "program": enrolment.program, "invitee": invitee, "form": form},
    )


def _problem(request: HttpRequest, error: InvitationError) -> HttpResponse:
    # 400 for a link that was never valid, 403 for somebody else's, 410 for one that was valid
    # once (expired, used, replaced, or its program ended).
    if isinstance(error, InvitationInvalid):
        status = 400
    elif isinstance(error, InvitationForAnotherAccount):
        status = 403
    else:
        status = 410
    return render(
        request, "programs/invitation_problem.html", {"message": error.message}, status=status
    )
