"""Forms a participant fills in: an application to an open program, and the profile of an
enrolment (languages, time zone, goals and one row per topic the program offers)."""

import functools
import gettext
import unicodedata
import zoneinfo

import pycountry
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from programs.models import Role, Topic

# Most people in the programs speak one of these; listing them first spares a long scroll.
COMMON_LANGUAGES = ("en", "vi", "tr")

LEVEL_CHOICES = [(1, _("1 – the basics")), (2, _("2 – good")), (3, _("3 – expert"))]
PRIORITY_CHOICES = [
    (1, _("1 – nice to have")),
    (2, _("2 – important")),
    (3, _("3 – essential")),
]
CONFIDENCE_CHOICES = [
    ("", _("Choose…")),
    (1, _("1 – not at all")),
    (2, _("2 – a little")),
    (3, _("3 – somewhat")),
    (4, _("4 – quite")),
    (5, _("5 – very")),
]


def _sort_key(name: str) -> str:
    # Accents would otherwise sort "Ôn" or "Çeçen" after "z".
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


@functools.cache
def _language_names(language: str) -> dict[str, str]:
    """ISO 639-1 code -> the language's name in `language` (English where pycountry has none)."""
    catalogue = gettext.translation(
        "iso639-3", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )
    return {
        entry.alpha_2: catalogue.gettext(entry.name)
        for entry in pycountry.languages
        if hasattr(entry, "alpha_2")
    }


def language_names() -> dict[str, str]:
    """Names of the ISO 639-1 languages in the reader's language."""
    return _language_names((translation.get_language() or "en").split("-")[0])


def language_choices() -> list:
    names = language_names()
    common = [(code, names[code]) for code in COMMON_LANGUAGES]
    others = sorted(
        ((code, name) for code, name in names.items() if code not in COMMON_LANGUAGES),
        key=lambda choice: _sort_key(choice[1]),
    )
    return [(_("Most used"), common), (_("All other languages"), others)]


@functools.cache
def _time_zones() -> tuple[tuple[str, str], ...]:
    # available_timezones() walks the time zone database on disk on every call.
    return tuple((zone, zone.replace("_", " ")) for zone in sorted(zoneinfo.available_timezones()))


def time_zone_choices() -> list[tuple[str, str]]:
    return list(_time_zones())


class ApplyForm(forms.Form):
    role = forms.ChoiceField(
        label=_("How would you like to take part?"),
        choices=[
            (Role.MENTOR, _("As a mentor: I teach something I know well")),
            (Role.MENTEE, _("As a mentee: I learn from a colleague")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether you join as a mentor or as a mentee.")},
    )
    why = forms.CharField(
        label=_("Why do you want to join?"),
        help_text=_("A few sentences are enough. You can change them later in your profile."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Tell us in a sentence or two why you want to join.")},
    )

    def clean_why(self) -> str:
        # Pasted text often carries runs of blank lines; keep paragraphs, drop the padding.
        lines = [line.rstrip() for line in self.cleaned_data["why"].splitlines()]
        return "\n".join(lines).strip()


class ProfileForm(forms.Form):
    """The parts of the profile every participant has; topics come in TopicFormSet."""

    languages = forms.MultipleChoiceField(
        label=_("Languages you can hold a session in"),
        choices=language_choices,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Choose one or more. On a computer, hold Ctrl (⌘ on a Mac) to choose several."),
        error_messages={
            "required": _("Choose at least one language you can hold a session in."),
            "invalid_choice": _("“%(value)s” is not a language in the list."),
        },
    )
    time_zone = forms.ChoiceField(
        label=_("Your time zone"),
        choices=time_zone_choices,
        help_text=_("Session times are proposed in it, so that they suit both of you."),
        error_messages={
            "required": _("Choose your time zone."),
            "invalid_choice": _("“%(value)s” is not a known time zone."),
        },
    )
    goals = forms.CharField(
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write a sentence or two about your goals.")},
    )

    def __init__(self, *args, role: str, **kwargs):
        super().__init__(*args, **kwargs)
        goals = self.fields["goals"]
        if role == Role.MENTOR:
            goals.label = _("What you hope to get from mentoring")
            goals.help_text = _(
                "For example: practise explaining things to leaders, get to know another part "
                "of the company."
            )
        else:
            goals.label = _("What you want to learn, and why")
            goals.help_text = _(
                "For example: use AI tools in my weekly reporting; understand how our young "
                "customers choose products."
            )

    def clean_languages(self) -> list[str]:
        # The order a person chose in is kept; a code sent twice counts once.
        return list(dict.fromkeys(self.cleaned_data["languages"]))


class TopicRowForm(forms.Form):
    """One topic the program offers: chosen or not, with the numbers of the role."""

    topic = forms.IntegerField(widget=forms.HiddenInput)
    # The label sits after the box, where a colon would read oddly.
    chosen = forms.BooleanField(required=False, label_suffix="")

    def __init__(self, *args, offered: dict[int, Topic], **kwargs):
        super().__init__(*args, **kwargs)
        self.offered = offered

    @property
    def topic_object(self) -> Topic | None:
        try:
            return self.offered.get(int(self["topic"].value()))
        except (TypeError, ValueError):
            return None

    def clean_topic(self) -> Topic:
        topic = self.offered.get(self.cleaned_data["topic"])
        if topic is None:
            raise ValidationError(
                _("This program does not offer this topic. Choose from the topics listed here.")
            )
        return topic

    def numbers(self) -> dict[str, int | None]:
        raise NotImplementedError


class MentorTopicForm(TopicRowForm):
    level = forms.TypedChoiceField(
        label=_("Your level"),
        choices=LEVEL_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose a level from 1 to 3.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chosen"].label = _("I can teach this")

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("chosen") and cleaned.get("level") is None and "level" not in self.errors:
            self.add_error("level", _("Choose your level for this topic, from 1 to 3."))
        return cleaned

    def numbers(self) -> dict[str, int | None]:
        return {"level": self.cleaned_data["level"]}


class MenteeTopicForm(TopicRowForm):
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=PRIORITY_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose a priority from 1 to 3.")},
    )
    confidence = forms.TypedChoiceField(
        label=_("How confident are you today?"),
        # A question mark ends this label already.
        label_suffix="",
        choices=CONFIDENCE_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose how confident you are, from 1 to 5.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chosen"].label = _("I want to learn this")

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("chosen"):
            if cleaned.get("priority") is None and "priority" not in self.errors:
                self.add_error("priority", _("Choose how much this topic matters, from 1 to 3."))
            if cleaned.get("confidence") is None and "confidence" not in self.errors:
                self.add_error("confidence", _("Tell us how confident you are today, from 1 to 5."))
        return cleaned

    def numbers(self) -> dict[str, int | None]:
        return {
            "priority": self.cleaned_data["priority"],
            "confidence_start": self.cleaned_data["confidence"],
        }


class BaseTopicFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        topics = [form.cleaned_data["topic"] for form in self.forms if form.cleaned_data]
        if len(set(topics)) != len(topics):
            raise ValidationError(_("Each topic can be chosen once."))
        # A program without topics yet cannot ask for one; the profile shows the topic as
        # missing until HR adds some.
        if self.forms and not any(form.cleaned_data.get("chosen") for form in self.forms):
            raise ValidationError(_("Choose at least one topic."))

    def chosen_topics(self) -> dict[Topic, dict[str, int | None]]:
        """What enrolment_update_profile takes: each chosen topic with its numbers."""
        return {
            form.cleaned_data["topic"]: form.numbers()
            for form in self.forms
            if form.cleaned_data.get("chosen")
        }


def topic_formset(*, role: str, offered: list[Topic], current: dict, data=None) -> BaseTopicFormSet:
    """One row per topic the program offers, filled from the enrolment's current choices.

    `current` maps a topic id to the enrolment's TeachTopic or LearnTopic row for it.
    """
    is_mentor = role == Role.MENTOR
    form_class = MentorTopicForm if is_mentor else MenteeTopicForm
    # The rows are the program's topics, so no more may come back than it offers; and every
    # row that comes back is validated (min_num), even one left as it was.
    formset_class = forms.formset_factory(
        form_class,
        formset=BaseTopicFormSet,
        extra=0,
        min_num=len(offered),
        max_num=len(offered),
        absolute_max=len(offered),
        validate_max=True,
    )
    initial = []
    for topic in offered:
        row = current.get(topic.pk)
        if is_mentor:
            numbers = {"level": row.level if row else 2}
        else:
            numbers = {
                "priority": row.priority if row else 2,
                "confidence": row.confidence_start if row else None,
            }
        initial.append({"topic": topic.pk, "chosen": row is not None, **numbers})
    return formset_class(
        data,
        initial=initial,
        prefix="topics",
        form_kwargs={"offered": {topic.pk: topic for topic in offered}},
    )
