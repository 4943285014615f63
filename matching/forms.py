"""HR's matching forms: the weights of a run, a pin or an exclusion, and a pair made by hand."""

from django import forms
from django.utils.translation import gettext_lazy as _

from matching.models import PairRule
from matching.scoring import Weights

MAX_WEIGHT = 10.0


def _weight_field(label: str, help_text: str) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        help_text=help_text,
        min_value=0,
        max_value=MAX_WEIGHT,
        error_messages={
            "required": _("Enter a weight from 0 to 10."),
            "invalid": _("Enter a number from 0 to 10, such as 1 or 0.5."),
            "min_value": _("A weight cannot be negative: 0 leaves this part out."),
            "max_value": _("A weight is at most 10."),
        },
    )


class WeightsForm(forms.Form):
    """How much each part of the score counts in a run (see matching.scoring)."""

    topic = _weight_field(
        _("Topics"), _("Per point of shared topics (mentor level × mentee priority).")
    )
    language = _weight_field(_("Languages"), _("For sharing one language (half) or two or more."))
    time_zone = _weight_field(_("Time zones"), _("For a working day fully in common."))
    department = _weight_field(_("Departments"), _("For coming from different departments."))

    @classmethod
    def for_run(cls, run, data=None) -> "WeightsForm":
        """Filled in with the weights of the given run, or the defaults when there is none."""
        initial = run.parameters.get("weights") if run is not None else None
        return cls(data, initial=initial or Weights().as_dict())

    def weights(self) -> Weights:
        return Weights(**self.cleaned_data)


class PairRuleForm(forms.Form):
    """Which pair HR pins or excludes, by the participants' public ids."""

    mentor = forms.UUIDField()
    mentee = forms.UUIDField()
    kind = forms.ChoiceField(choices=PairRule.Kind.choices)


class PairForm(forms.Form):
    """A mentor and a mentee to pair by hand, by their public ids."""

    mentor = forms.UUIDField()
    mentee = forms.UUIDField()
