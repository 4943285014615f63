"""The form that answers a survey: one field per question, and for "confidence per topic" one
field per topic of the respondent, labelled in the reader's language. Build it inside the
invitee's language: labels are read when the form is made."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from feedback.answering import AnswerDraft
from feedback.models import Question
from programs.models import Topic

TEXT_MAX_LENGTH = 2000

LIKERT_CHOICES = [
    (1, gettext_lazy("Strongly disagree")),
    (2, gettext_lazy("Disagree")),
    (3, gettext_lazy("Neither agree nor disagree")),
    (4, gettext_lazy("Agree")),
    (5, gettext_lazy("Strongly agree")),
]
# Only the two ends of the 0-10 scale carry words; the page shows them at the ends.
NPS_CHOICES = [(number, str(number)) for number in range(11)]
NPS_LOW = gettext_lazy("Not at all likely")
NPS_HIGH = gettext_lazy("Extremely likely")
CONFIDENCE_CHOICES = [
    (1, gettext_lazy("Not at all confident")),
    (2, gettext_lazy("A little confident")),
    (3, gettext_lazy("Somewhat confident")),
    (4, gettext_lazy("Quite confident")),
    (5, gettext_lazy("Very confident")),
]


def field_name(question: Question) -> str:
    return f"q{question.pk}"


def topic_field_name(question: Question, topic_pk: int) -> str:
    return f"q{question.pk}-topic-{topic_pk}"


class AnswerTextField(forms.CharField):
    """A free-text answer. Browsers send a line break as two characters but count it as one
    against `maxlength`; counting it as one here too keeps a full box from being refused."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if value else value


@dataclass
class QuestionGroup:
    """What the page renders for one question: the question, its fields (several for
    "confidence per topic", each with its topic) and the anchor the error summary links to."""

    question: Question
    number: int
    anchor: str
    fields: list[tuple[forms.BoundField, Topic | None]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.question.kind


class SurveyAnswerForm(forms.Form):
    def __init__(
        self, *args, questions: Sequence[Question], topics: Sequence[Topic], **kwargs
    ) -> None:
        kwargs.setdefault("auto_id", "id_%s")
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.topics = list(topics)
        for question in self.questions:
            if question.kind == Question.Kind.TOPIC_CONFIDENCE:
                for topic in self.topics:
                    self.fields[topic_field_name(question, topic.pk)] = self._scale(
                        question,
                        CONFIDENCE_CHOICES,
                        label=topic.label,
                        required_message=_("Please say how confident you feel in this topic."),
                        invalid_message=_("Choose how confident you feel, from 1 to 5."),
                    )
            else:
                self.fields[field_name(question)] = self._field_for(question)

    @staticmethod
    def _scale(question, choices, *, label, required_message, invalid_message):
        return forms.TypedChoiceField(
            label=label,
            choices=choices,
            coerce=int,
            empty_value=None,
            required=question.required,
            widget=forms.RadioSelect,
            error_messages={"required": required_message, "invalid_choice": invalid_message},
        )

    def _field_for(self, question: Question) -> forms.Field:
        required_message = _("Please answer this question.")
        if question.kind == Question.Kind.LIKERT:
            return self._scale(
                question,
                LIKERT_CHOICES,
                label=question.label,
                required_message=required_message,
                invalid_message=_("Choose an answer from 1 to 5."),
            )
        if question.kind == Question.Kind.NPS:
            return self._scale(
                question,
                NPS_CHOICES,
                label=question.label,
                required_message=required_message,
                invalid_message=_("Choose a number from 0 to 10."),
            )
        if question.kind == Question.Kind.CHOICE:
            return self._scale(
                question,
                list(enumerate(question.options)),
                label=question.label,
                required_message=_("Please choose one of the options."),
                invalid_message=_("Choose one of the options shown."),
            )
        return AnswerTextField(
            label=question.label,
            required=question.required,
            max_length=TEXT_MAX_LENGTH,
            widget=forms.Textarea(attrs={"rows": 5, "maxlength": TEXT_MAX_LENGTH}),
            error_messages={
                "required": required_message,
                "max_length": _(
                    "Please shorten your answer to at most %(limit_value)d characters "
                    "(it has %(show_value)d)."
                ),
            },
        )

    def clean(self):
        cleaned = super().clean()
        # Only the respondent's own topics have fields; a rating of any other topic was not
        # offered on the page, so it is refused rather than quietly dropped.
        for question in self.questions:
            if question.kind != Question.Kind.TOPIC_CONFIDENCE:
                continue
            pattern = re.compile(rf"^{re.escape(field_name(question))}-topic-")
            if any(pattern.match(key) and key not in self.fields for key in self.data):
                self.add_error(None, _("You can only rate your confidence in your own topics."))
        return cleaned

    def answers(self) -> list[AnswerDraft]:
        """The answers given (unanswered optional questions are left out); call after
        is_valid()."""
        drafts = []
        for question in self.questions:
            if question.kind == Question.Kind.TOPIC_CONFIDENCE:
                for topic in self.topics:
                    number = self.cleaned_data.get(topic_field_name(question, topic.pk))
                    if number is not None:
                        drafts.append(AnswerDraft(question=question, number=number, topic=topic))
            elif question.kind == Question.Kind.TEXT:
                text = self.cleaned_data.get(field_name(question), "")
                if text:
                    drafts.append(AnswerDraft(question=question, text=text))
            else:
                number = self.cleaned_data.get(field_name(question))
                if number is not None:
                    drafts.append(AnswerDraft(question=question, number=number))
        return drafts

    def groups(self) -> list[QuestionGroup]:
        """The questions in order, each with its bound fields, for the page."""
        groups = []
        for number, question in enumerate(self.questions, start=1):
            group = QuestionGroup(
                question=question, number=number, anchor=f"question-{question.pk}"
            )
            if question.kind == Question.Kind.TOPIC_CONFIDENCE:
                for topic in self.topics:
                    group.fields.append((self[topic_field_name(question, topic.pk)], topic))
            else:
                group.fields.append((self[field_name(question)], None))
            for bound, _topic in group.fields:
                group.errors.extend(bound.errors)
            groups.append(group)
        return groups

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(anchor, what, message) for every field error, in page order, for the summary that
        opens the page after a refused answer."""
        summary = []
        for group in self.groups():
            for bound, topic in group.fields:
                for message in bound.errors:
                    anchor = f"{group.anchor}-topic-{topic.pk}" if topic else group.anchor
                    # A topic's name says enough beside its question's number.
                    what = f"{group.number}. {topic.label if topic else group.question.label}"
                    summary.append((anchor, what, message))
        return summary
