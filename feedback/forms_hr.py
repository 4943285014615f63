"""HR's survey forms: a template's names and anonymity, its questions (a formset), and a
program's schedule. They validate and normalise; feedback.services saves."""

from django import forms
from django.forms.formsets import ORDERING_FIELD_NAME
from django.utils.translation import gettext_lazy as _

from feedback.models import Question, SurveySchedule, SurveyTemplate
from feedback.services import TIMING_DEFAULTS, TIMING_FIELDS_OF, QuestionSpec, choice_problem

QUESTION_FIELDS = [
    "kind",
    "text",
    "text_vi",
    "text_tr",
    "choices",
    "choices_vi",
    "choices_tr",
    "key",
    "required",
]


class SurveyTemplateForm(forms.ModelForm):
    class Meta:
        model = SurveyTemplate
        fields = ["name", "name_vi", "name_tr", "is_anonymous"]

    def __init__(self, *args, locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if locked:
            # A disabled field keeps the stored value whatever is posted.
            self.fields["is_anonymous"].disabled = True


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = QUESTION_FIELDS
        widgets = {
            "choices": forms.Textarea(attrs={"rows": 3}),
            "choices_vi": forms.Textarea(attrs={"rows": 3}),
            "choices_tr": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "choices": _("For a choice question: one option per line."),
            "choices_vi": _("Same options, same order; leave empty to show English."),
            "choices_tr": _("Same options, same order; leave empty to show English."),
            "key": _(
                "Optional: the measure dashboards read, such as session_rating or program_nps."
            ),
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Question.Kind.CHOICE:
            problem = choice_problem(
                choices=cleaned.get("choices", ""),
                choices_vi=cleaned.get("choices_vi", ""),
                choices_tr=cleaned.get("choices_tr", ""),
            )
            if problem:
                self.add_error("choices", problem)
        return cleaned

    def spec(self) -> QuestionSpec:
        data = self.cleaned_data
        return QuestionSpec(
            pk=self.instance.pk,
            kind=data["kind"],
            text=data["text"],
            text_vi=data.get("text_vi", ""),
            text_tr=data.get("text_tr", ""),
            choices=data.get("choices", ""),
            choices_vi=data.get("choices_vi", ""),
            choices_tr=data.get("choices_tr", ""),
            key=data.get("key", ""),
            required=bool(data.get("required")),
        )


class BaseQuestionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = self.kept_forms()
        if not kept:
            raise forms.ValidationError(_("A survey needs at least one question."))
        keys = [form.cleaned_data["key"] for form in kept if form.cleaned_data.get("key")]
        if len(keys) != len(set(keys)):
            raise forms.ValidationError(
                _("Each measure can be used by only one question of a survey.")
            )

    def kept_forms(self) -> list[QuestionForm]:
        """The questions to keep, in the order HR gave: by their order number, those without
        one last, ties in page order. Blank extra rows and rows marked to delete are left out."""
        kept = []
        for index, form in enumerate(self.forms):
            if index >= self.initial_form_count() and not form.has_changed():
                continue
            if self._should_delete_form(form):
                continue
            kept.append(form)

        def order(form):
            number = form.cleaned_data.get(ORDERING_FIELD_NAME)
            return (number is None, number or 0)

        return sorted(kept, key=order)

    def specs(self) -> list[QuestionSpec]:
        return [form.spec() for form in self.kept_forms()]


def question_formset(extra: int):
    return forms.inlineformset_factory(
        SurveyTemplate,
        Question,
        form=QuestionForm,
        formset=BaseQuestionFormSet,
        fields=QUESTION_FIELDS,
        extra=extra,
        can_order=True,
        can_delete=True,
    )


class SurveyScheduleForm(forms.ModelForm):
    """A schedule: which survey, when, to whom, reminders. Timing fields the chosen trigger does
    not use are ignored (not validated, stored as defaults)."""

    TIMING = ("offset_days", "delay_hours", "every_weeks")

    class Meta:
        model = SurveySchedule
        fields = [
            "template",
            "trigger",
            "offset_days",
            "delay_hours",
            "every_weeks",
            "audience",
            "max_reminders",
            "reminder_every_days",
            "open_days",
            "is_active",
        ]
        help_texts = {
            "delay_hours": _("Only for “after each logged session”."),
            "offset_days": _(
                "Only for a day from the start (30 is day 30) or from the end "
                "(-7 is a week before it, 0 the last day)."
            ),
            "every_weeks": _("Only for a repeating survey."),
        }

    def __init__(self, *args, template_locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = SurveyTemplate.objects.order_by("name")
        self.fields["template"].label_from_instance = lambda template: template.label
        for field in self.TIMING:
            self.fields[field].required = False
        if template_locked:
            # Results read one template, and occurrences are counted from the timing: a
            # schedule that has sent keeps both (a disabled field keeps the stored value).
            for field in ("template", "trigger", *self.TIMING):
                self.fields[field].disabled = True
            self.fields["template"].help_text = _(
                "This schedule has already sent its survey, so the survey and when it is sent "
                "cannot change."
            )

    def clean(self):
        cleaned = super().clean()
        trigger = cleaned.get("trigger")
        if trigger not in TIMING_FIELDS_OF:
            return cleaned
        used = TIMING_FIELDS_OF[trigger]
        for field in self.TIMING:
            if field not in used:
                # Irrelevant to this trigger: whatever was typed there is not an error.
                self._errors.pop(field, None)
                cleaned[field] = TIMING_DEFAULTS[field]
        if "every_weeks" in used and not cleaned.get("every_weeks"):
            self.add_error("every_weeks", _("A repeating survey needs a period in weeks."))
        if "delay_hours" in used and cleaned.get("delay_hours") is None:
            self._need(cleaned, "delay_hours", _("Say how many hours after the session."))
        if "offset_days" in used:
            if cleaned.get("offset_days") is None:
                self._need(cleaned, "offset_days", _("Say on which day the survey goes out."))
            elif trigger == SurveySchedule.Trigger.FROM_START and cleaned["offset_days"] < 0:
                self.add_error("offset_days", _("Days after the start cannot be negative."))
        return cleaned

    def _need(self, cleaned: dict, field: str, message) -> None:
        # A field that failed its own validation already says why.
        if field not in self._errors:
            self.add_error(field, message)
