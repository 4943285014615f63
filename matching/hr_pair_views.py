"""HR's view of a program's pairs: sessions held against the cadence, the last session, which
pairs are at risk, and ending a pair so that its mentee can be matched again. HR sees metadata
only: no takeaways, no private notes."""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, F, IntegerField, Max, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from matching import cadence, pair_lifecycle
from matching.models import Pair, Session
from mentorship.permissions import hr_admin_required
from programs.access import get_program_for_hr
from programs.models import Program


class PairFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *Pair.Status.choices],
    )
    risk = forms.BooleanField(label=gettext_lazy("At risk only"), required=False)


class PairEndForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why does the pair end?"),
        max_length=pair_lifecycle.REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


@dataclass(frozen=True)
class PairRow:
    pair: Pair
    cadence: cadence.Cadence


def pairs_for_hr_list(program: Program) -> QuerySet[Pair]:
    """Every pair of the program, active first, with its held sessions counted and its last
    held session found in the same query. The last session is dated by its log's actual start
    (SessionLog.held_on) when the log gives one, else by the time it was planned for."""
    held = Q(sessions__status=Session.Status.HELD)
    return (
        Pair.objects.filter(program=program)
        .select_related("mentor__user", "mentee__user")
        .annotate(
            held_count=Count("sessions", filter=held),
            last_held_at=Max(
                Coalesce(F("sessions__log__held_on"), F("sessions__starts_at")), filter=held
            ),
            active_first=Case(
                When(status=Pair.Status.ACTIVE, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("active_first", "mentee__user__full_name", "pk")
    )


def _row(pair: Pair, program: Program, today) -> PairRow:
    # An ended pair is measured up to the day it ended.
    as_of = min(today, timezone.localdate(pair.ended_at)) if pair.ended_at else today
    last_held = timezone.localdate(pair.last_held_at) if pair.last_held_at else None
    return PairRow(
        pair=pair,
        cadence=cadence.cadence_status(
            program_start=program.start_date,
            cadence_weeks=program.cadence_weeks,
            pair_start=timezone.localdate(pair.started_at),
            today=as_of,
            held=pair.held_count,
            last_held=last_held,
            program_end=program.end_date,
        ),
    )


@require_GET
@hr_admin_required
def pair_list(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_program_for_hr(request.user, slug)
    filters = PairFilterForm(request.GET or None)
    pairs = pairs_for_hr_list(program)
    risk_only = False
    if filters.is_valid():
        if filters.cleaned_data["status"]:
            pairs = pairs.filter(status=filters.cleaned_data["status"])
        risk_only = filters.cleaned_data["risk"]
    today = timezone.localdate()
    rows = [_row(pair, program, today) for pair in pairs]
    if risk_only:
        rows = [
            row for row in rows if row.pair.status == Pair.Status.ACTIVE and row.cadence.at_risk
        ]
    return render(
        request,
        "matching/hr_pairs.html",
        {
            "program": program,
            "filters": filters,
            "rows": rows,
            "end_form": PairEndForm(),
        },
    )


@require_POST
@hr_admin_required
def pair_end(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    program = get_program_for_hr(request.user, slug)
    pair = get_object_or_404(
        Pair.objects.select_related("mentor__user", "mentee__user"), pk=pk, program=program
    )
    form = PairEndForm(request.POST)
    if not form.is_valid():
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, message)
        return redirect("matching:hr_pairs", slug=program.slug)
    try:
        pair_lifecycle.pair_end(pair=pair, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _(
                "The pair of %(mentor)s and %(mentee)s has ended. %(mentee)s can be matched "
                "again from the matching review."
            )
            % {"mentor": pair.mentor.user.full_name, "mentee": pair.mentee.user.full_name},
        )
    return redirect("matching:hr_pairs", slug=program.slug)
