"""The pages of a pair for its two people: the pair page, session logs and their confirmation,
action items, and ending the pair. Anyone else, HR and executives included, gets a 404."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from matching import session_logs
from matching.access import get_pair_for_member, get_session_for_member
from matching.cadence import cadence_status
from matching.forms_pairs import ActionItemForm, ActionItemFormSet, PairEndForm, SessionLogForm
from matching.models import ActionItem, Pair, Session, SessionLog
from programs.forms_participant import language_names
from programs.models import Enrolment, LearnTopic, TeachTopic, Topic


def _member_pair(request: HttpRequest, public_id: uuid.UUID) -> tuple[Pair, Enrolment, Enrolment]:
    """A pair of the signed-in person, active or ended, with their own side and their partner's."""
    pair = get_pair_for_member(request.user, public_id)
    if pair.mentor.user_id == request.user.pk:
        return pair, pair.mentor, pair.mentee
    return pair, pair.mentee, pair.mentor


def _active_pair(request: HttpRequest, public_id: uuid.UUID) -> tuple[Pair, Enrolment, Enrolment]:
    """The active pair of the signed-in person: an ended pair is read-only, its actions 404."""
    pair, me, partner = _member_pair(request, public_id)
    if pair.status != Pair.Status.ACTIVE:
        raise Http404
    return pair, me, partner


def _active_session(
    request: HttpRequest, public_id: uuid.UUID, session_pk: int
) -> tuple[Session, Pair]:
    session = get_session_for_member(request.user, public_id, session_pk)
    if session.pair.status != Pair.Status.ACTIVE:
        raise Http404
    return session, session.pair


def _languages(codes) -> str:
    names = language_names()
    return ", ".join(names.get(code, code) for code in codes)


def _sessions_of(pair: Pair):
    """Every session of the pair with its log and the log's topics, in a fixed number of queries."""
    return (
        Session.objects.filter(pair=pair)
        .select_related("log", "log__logged_by", "log__confirmed_by")
        .prefetch_related(Prefetch("log__topics_covered", queryset=Topic.objects.order_by("name")))
        .order_by("-starts_at", "-pk")
    )


@require_GET
@login_required
def pair_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The pair page. Once the pair has ended its two people still read it, without any form."""
    pair, me, partner = _member_pair(request, public_id)
    read_only = pair.status != Pair.Status.ACTIVE
    teach = list(
        TeachTopic.objects.filter(enrolment=pair.mentor)
        .filter(topic__in=pair.program.topics.all())
        .select_related("topic")
    )
    learn = list(
        LearnTopic.objects.filter(enrolment=pair.mentee)
        .filter(topic__in=pair.program.topics.all())
        .select_related("topic")
    )
    learn_ids = {row.topic_id for row in learn}
    shared = sorted(
        (row.topic.label for row in teach if row.topic_id in learn_ids), key=str.casefold
    )
    sessions = list(_sessions_of(pair))
    now = timezone.now()
    held = [s for s in sessions if s.status == Session.Status.HELD]
    cadence = cadence_status(
        program_start=pair.program.start_date,
        cadence_weeks=pair.program.cadence_weeks,
        pair_start=timezone.localdate(pair.started_at),
        today=timezone.localdate(),
        held=len(held),
        last_held=timezone.localdate(max(s.starts_at for s in held)) if held else None,
        program_end=pair.program.end_date,
    )
    upcoming = [s for s in sessions if s.status == Session.Status.SCHEDULED and s.starts_at >= now]
    for session in sessions:
        # select_related loaded the log or its absence: no query here.
        session.log_or_none = getattr(session, "log", None)
    return render(
        request,
        "matching/pair.html",
        {
            "pair": pair,
            "program": pair.program,
            "me": me,
            "partner": partner,
            "languages": _languages(partner.languages),
            "time_zone": partner.time_zone or partner.user.time_zone,
            "shared_topics": shared,
            "mentor_teaches": sorted((r.topic.label for r in teach), key=str.casefold),
            "mentee_learns": sorted((r.topic.label for r in learn), key=str.casefold),
            "next_session": upcoming[-1] if upcoming else None,
            "cadence": cadence,
            "sessions": sessions,
            "logged": [s for s in sessions if s.log_or_none is not None],
            "action_items": list(
                ActionItem.objects.filter(pair=pair, done_at__isnull=True).select_related(
                    "owner__user"
                )
            ),
            "read_only": read_only,
            "action_form": None if read_only else ActionItemForm(pair=pair, prefix="action"),
            "end_form": None if read_only else PairEndForm(prefix="end"),
        },
    )


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("takeaways", "private_notes")
@login_required
def session_log(request: HttpRequest, public_id: uuid.UUID, session_pk: int) -> HttpResponse:
    session, pair = _active_session(request, public_id, session_pk)
    existing = SessionLog.objects.filter(session=session).prefetch_related("topics_covered").first()
    if request.method == "POST":
        form = SessionLogForm(request.POST, pair=pair)
        items = ActionItemFormSet(request.POST, pair=pair, prefix="items")
        if form.is_valid() and items.is_valid():
            data = form.cleaned_data
            drafts = [
                session_logs.ActionItemDraft(
                    text=row["text"], owner=row["owner"], due_on=row.get("due_on")
                )
                for row in items.cleaned_data
                if row
            ]
            try:
                result = session_logs.session_log_save(
                    session=session,
                    by=request.user,
                    outcome=data["outcome"],
                    held_on=data["held_on"],
                    actual_minutes=data["actual_minutes"],
                    topics_covered=list(data["topics_covered"]),
                    takeaways=data["takeaways"],
                    private_notes=data["private_notes"],
                    action_items=drafts,
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                if result.corrected:
                    messages.success(
                        request, _("Your correction is saved; your partner is asked to confirm it.")
                    )
                else:
                    messages.success(request, _("The session is logged."))
                return redirect(pair)
        status = 400
    else:
        initial = {"held_on": session.starts_at, "actual_minutes": session.duration_minutes}
        if existing is not None:
            initial = {
                "outcome": existing.outcome,
                "held_on": existing.held_on,
                "actual_minutes": existing.actual_minutes,
                "topics_covered": list(existing.topics_covered.all()),
                "takeaways": existing.takeaways or "",
                "private_notes": existing.private_notes or "",
            }
        form = SessionLogForm(initial=initial, pair=pair)
        items = ActionItemFormSet(pair=pair, prefix="items")
        status = 200
    return render(
        request,
        "matching/session_log.html",
        {
            "pair": pair,
            "program": pair.program,
            "session": session,
            "existing": existing,
            "form": form,
            "items": items,
        },
        status=status,
    )


@require_POST
@login_required
def session_confirm(request: HttpRequest, public_id: uuid.UUID, session_pk: int) -> HttpResponse:
    session, pair = _active_session(request, public_id, session_pk)
    try:
        session_logs.session_log_confirm(session=session, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("You confirmed the log of this session."))
    return redirect(pair)


@require_POST
@login_required
def action_add(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    pair, _me, _partner = _active_pair(request, public_id)
    form = ActionItemForm(request.POST, pair=pair, prefix="action")
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(pair)
    ActionItem.objects.create(
        pair=pair,
        text=form.cleaned_data["text"],
        owner=form.cleaned_data["owner"],
        due_on=form.cleaned_data["due_on"],
    )
    messages.success(request, _("The action item is added."))
    return redirect(pair)


@require_POST
@login_required
def action_done(request: HttpRequest, public_id: uuid.UUID, item_pk: int) -> HttpResponse:
    pair, _me, _partner = _active_pair(request, public_id)
    item = get_object_or_404(ActionItem, pair=pair, pk=item_pk)
    if session_logs.action_item_done(pair=pair, item_pk=item.pk):
        messages.success(request, _("Marked done: %(item)s") % {"item": item.text})
    else:
        messages.info(request, _("This action item was already done."))
    return redirect(pair)


@require_POST
@login_required
def pair_end(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    pair, _me, _partner = _member_pair(request, public_id)
    if pair.status != Pair.Status.ACTIVE:
        # A second "end" (another tab, or the partner first): say so rather than a bare 404.
        messages.info(request, _("This pair has ended already."))
        return redirect(pair)
    form = PairEndForm(request.POST, prefix="end")
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(pair)
    # Imported here: the pair's lifecycle (ending, cancelling invitations) is another module's
    # work, and this page only hands the request over to it.
    from matching.pair_lifecycle import pair_end as end_pair

    try:
        end_pair(pair=pair, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(pair)
    messages.success(request, _("The pair has ended. Thank you for taking part."))
    return redirect("home")
