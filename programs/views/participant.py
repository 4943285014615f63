"""A participant's own pages: the programs they are in or may join, applying to one, their
profile in a program, and the guidelines they acknowledge before matching."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from programs import services
from programs.access import get_own_enrolment
from programs.forms_participant import ApplyForm, ProfileForm, language_names, topic_formset
from programs.models import Enrolment, EnrolmentStatus, Program

# Once a person has left or was not taken, their profile is a record, no longer a form.
CLOSED_STATUSES = (EnrolmentStatus.WITHDRAWN, EnrolmentStatus.DECLINED)


def _closed_notice(enrolment: Enrolment) -> str:
    if enrolment.status == EnrolmentStatus.WITHDRAWN:
        return _("You have left this program, so your profile in it can no longer be changed.")
    return _(
        "Your application to this program was not accepted, so your profile in it can no "
        "longer be changed."
    )


def _expected_sessions(start: date, end: date, cadence_weeks: int) -> int:
    """Roughly how many sessions fit between the dates at the program's cadence."""
    return max(1, (end - start).days // (7 * cadence_weeks))


@require_http_methods(["GET"])
@login_required
def my_programs(request: HttpRequest) -> HttpResponse:
    enrolments = (
        Enrolment.objects.for_user(request.user)
        # Prefetched, missing_profile_parts() reads the topic rows without a query per row.
        .prefetch_related("teach_topics", "learn_topics")
        .order_by("-program__start_date", "program__name")
    )
    rows = [
        {
            "enrolment": enrolment,
            "missing": enrolment.missing_profile_parts(),
            "closed": enrolment.status in CLOSED_STATUSES,
            "can_apply_again": enrolment.status == EnrolmentStatus.WITHDRAWN
            and enrolment.program.is_open_for_applications,
        }
        for enrolment in enrolments
    ]
    open_programs = (
        Program.objects.open_for_applications()
        .exclude(enrolments__user=request.user)
        .order_by(F("enrolment_deadline").asc(nulls_last=True), "start_date", "name")
    )
    return render(
        request, "programs/my_programs.html", {"rows": rows, "open_programs": open_programs}
    )


@require_http_methods(["GET", "POST"])
@login_required
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_object_or_404(Program, slug=slug)
    enrolment = Enrolment.objects.filter(program=program, user=request.user).first()
    # A person who withdrew may apply again; anyone else already has a place or an answer.
    refusal = None
    if enrolment is not None and enrolment.status == EnrolmentStatus.DECLINED:
        refusal = _("Your application to this program was not accepted this time.")
    elif enrolment is not None and enrolment.status != EnrolmentStatus.WITHDRAWN:
        refusal = _("You are already part of this program.")
    elif not program.is_open_for_applications:
        refusal = _("This program does not take applications now.")

    form = ApplyForm(
        request.POST if request.method == "POST" and refusal is None else None,
        initial={"role": enrolment.role if enrolment else None},
    )
    if form.is_bound and form.is_valid():
        try:
            # The "why" is the first draft of the person's goals.
            enrolment = services.enrolment_apply(
                program=program,
                user=request.user,
                role=form.cleaned_data["role"],
                goals=form.cleaned_data["why"],
            )
        except ValidationError as error:
            # The program closed or the person joined between the page and the click.
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _(
                    "Thank you, your application was sent to HR. While they look at it, "
                    "please complete your profile."
                ),
            )
            return redirect("programs:my_profile", slug=program.slug)
    return render(
        request,
        "programs/apply.html",
        {
            "program": program,
            "enrolment": enrolment,
            "refusal": refusal,
            # A closed program's details are not for everyone who guesses its address.
            "show_program": refusal is None or enrolment is not None,
            "form": form,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def my_profile(request: HttpRequest, slug: str) -> HttpResponse:
    enrolment = get_own_enrolment(request.user, slug)
    program = enrolment.program
    offered = sorted(program.topics.all(), key=lambda topic: topic.label.casefold())
    chosen_rows = enrolment.teach_topics if enrolment.is_mentor else enrolment.learn_topics
    current = {row.topic_id: row for row in chosen_rows.select_related("topic")}
    editable = enrolment.status not in CLOSED_STATUSES

    data = request.POST if request.method == "POST" and editable else None
    form = ProfileForm(
        data,
        role=enrolment.role,
        initial={
            "languages": enrolment.languages,
            "time_zone": enrolment.time_zone or request.user.time_zone,
            "goals": enrolment.goals,
        },
    )
    topics = topic_formset(role=enrolment.role, offered=offered, current=current, data=data)
    if data is not None and form.is_valid() and topics.is_valid():
        try:
            services.enrolment_update_profile(
                enrolment=enrolment, topics=topics.chosen_topics(), **form.cleaned_data
            )
        except ValidationError as error:
            # The service changed the object in memory before it refused; the database
            # rolled back, so read the profile as it really is.
            enrolment.refresh_from_db()
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Your profile was saved."))
            return redirect("programs:my_profile", slug=program.slug)

    names = language_names()
    return render(
        request,
        "programs/my_profile.html",
        {
            "enrolment": enrolment,
            "program": program,
            "form": form,
            "topics": topics,
            "editable": editable,
            "closed_notice": None if editable else _closed_notice(enrolment),
            "refused": request.method == "POST" and not editable,
            "has_errors": form.errors or topics.total_error_count(),
            "missing": enrolment.missing_profile_parts(),
            "language_labels": [names.get(code, code) for code in enrolment.languages],
            "chosen": sorted(current.values(), key=lambda row: row.topic.label.casefold()),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def guidelines(request: HttpRequest, slug: str) -> HttpResponse:
    enrolment = get_own_enrolment(request.user, slug)
    program = enrolment.program
    editable = enrolment.status not in CLOSED_STATUSES
    if request.method == "POST" and editable:
        services.enrolment_acknowledge_guidelines(enrolment=enrolment)
        messages.success(request, _("Thank you for reading the guidelines."))
        return redirect("programs:my_profile", slug=program.slug)
    return render(
        request,
        "programs/guidelines.html",
        {
            "enrolment": enrolment,
            "program": program,
            "editable": editable,
            "closed_notice": None if editable else _closed_notice(enrolment),
            "refused": request.method == "POST" and not editable,
            "sessions": _expected_sessions(
                program.start_date, program.end_date, program.cadence_weeks
            ),
        },
    )
