"""Forms of the pair page: a session log with its action items, one action item, ending a pair."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matching.models import Pair, Session
from matching.pair_lifecycle import REASON_MAX_LENGTH
from matching.session_logs import MAX_SESSION_MINUTES, pair_topics
from programs.forms import FIRST_YEAR
from programs.models import Enrolment


class OwnerField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Enrolment) -> str:
        return f"{obj.user.full_name} ({obj.get_role_display()})"


def _owner_field(pair: Pair) -> OwnerField:
    return OwnerField(
        label=_("Who"),
        queryset=Enrolment.objects.filter(pk__in=[pair.mentor_id, pair.mentee_id]).select_related(
            "user"
        ),
        empty_label=_("Choose…"),
    )


class SessionLogForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What happened"),
        choices=[
            (Session.Status.HELD, Session.Status.HELD.label),
            (Session.Status.CANCELLED, Session.Status.CANCELLED.label),
            (Session.Status.NO_SHOW, Session.Status.NO_SHOW.label),
        ],
        widget=forms.RadioSelect,
    )
    held_on = forms.DateTimeField(
        label=_("Actual start"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In your own time zone."),
    )
    actual_minutes = forms.IntegerField(
        label=_("Actual length (minutes)"), min_value=0, max_value=MAX_SESSION_MINUTES, initial=0
    )
    topics_covered = forms.ModelMultipleChoiceField(
        label=_("Topics covered"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    takeaways = forms.CharField(
        label=_("Takeaways"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only the two of you can read this."),
    )
    private_notes = forms.CharField(
        label=_("Private notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only the two of you can read this: not HR, not executives."),
    )

    def __init__(self, *args, pair: Pair, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics_covered"].queryset = pair_topics(pair)
        self.fields["topics_covered"].error_messages["invalid_choice"] = _(
            "%(value)s is not a topic of your pair."
        )

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on is None:
            return held_on
        # Before this a date is a typing mistake; at year 1, stored in UTC, it would fall before
        # the calendar's start and break every page that reads the session.
        if held_on.year < FIRST_YEAR:
            raise forms.ValidationError(
                _("Enter a date from %(year)d onwards.") % {"year": FIRST_YEAR}
            )
        if held_on > timezone.now():
            raise forms.ValidationError(_("A session cannot be logged before it has happened."))
        return held_on

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == Session.Status.HELD:
            if not cleaned.get("held_on") and "held_on" not in self.errors:
                self.add_error("held_on", _("Say when the session took place."))
            if not cleaned.get("actual_minutes") and "actual_minutes" not in self.errors:
                self.add_error("actual_minutes", _("Say how long the session lasted."))
        return cleaned


class ActionItemForm(forms.Form):
    text = forms.CharField(label=_("Action"), max_length=300)
    due_on = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, pair: Pair, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _owner_field(pair)
        self.order_fields(["text", "owner", "due_on"])

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("Say what is to be done."))
        return text


class BaseActionItemFormSet(forms.BaseFormSet):
    """Optional action items under a log: rows left empty are ignored."""

    def __init__(self, *args, pair: Pair, **kwargs):
        self.pair = pair
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "pair": self.pair}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            pair=self.pair,
            renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form


ActionItemFormSet = forms.formset_factory(
    ActionItemForm, formset=BaseActionItemFormSet, extra=2, max_num=10, validate_max=True
)


class PairEndForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does the pair end?"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why the pair ends."))
        return reason
