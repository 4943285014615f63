"""HR's view of a program's pairs: sessions held against the cadence, the last session, which
pairs are at risk, and ending a pair so that its mentee can be matched again. HR sees metadata
only: no takeaways, no private notes."""

import uuid
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from matching import cadence, pair_health, pair_lifecycle
from matching.models import Pair
from mentorship.permissions import hr_admin_required
from programs.access import get_program_for_hr


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


@require_GET
@hr_admin_required
def pair_list(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_program_for_hr(request.user, slug)
    filters = PairFilterForm(request.GET or None)
    pairs = pair_health.pairs_for_hr_list(program)
    risk_only = False
    if filters.is_valid():
        if filters.cleaned_data["status"]:
            pairs = pairs.filter(status=filters.cleaned_data["status"])
        risk_only = filters.cleaned_data["risk"]
    today = timezone.localdate()
    rows = [PairRow(pair, pair_health.cadence_of(pair, program, today)) for pair in pairs]
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
def pair_end(request: HttpRequest, slug: str, public_id: uuid.UUID) -> HttpResponse:
    program = get_program_for_hr(request.user, slug)
    pair = get_object_or_404(
        Pair.objects.select_related("mentor__user", "mentee__user"),
        public_id=public_id,
        program=program,
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
