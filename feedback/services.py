"""HR's work on surveys that crosses models or has side effects: saving and duplicating survey
templates under the lock that protects answered surveys, saving a program's schedules, adding
the recommended ones, and sending a failed mail again."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from feedback.models import (
    Delivery,
    Question,
    SurveyInvitation,
    SurveyResponse,
    SurveySchedule,
    SurveyTemplate,
)
from mentorship.audit.services import audit_record
from programs.models import Program

MIN_CHOICE_OPTIONS = 2
# Positions are unique per template: questions move out of the way before taking their new place.
_PARKING = 10_000


@dataclass(frozen=True)
class QuestionSpec:
    """One question as HR wants it, in order. `pk` names an existing question of the template
    (None for a new one)."""

    kind: str
    text: str
    text_vi: str = ""
    text_tr: str = ""
    choices: str = ""
    choices_vi: str = ""
    choices_tr: str = ""
    key: str = ""
    required: bool = True
    pk: int | None = None


def option_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def choice_problem(*, choices: str, choices_vi: str, choices_tr: str) -> str | None:
    """Why the options of a choice question cannot be saved, or None."""
    english = option_lines(choices)
    if len(english) < MIN_CHOICE_OPTIONS:
        return _("A choice question needs at least two options in English, one per line.")
    for translated in (choices_vi, choices_tr):
        lines = option_lines(translated)
        if lines and len(lines) != len(english):
            return _(
                "Each language needs the same number of options as English "
                "(%(count)d), in the same order; leave a language empty to use English."
            ) % {"count": len(english)}
    return None


def survey_template_is_locked(template: SurveyTemplate) -> bool:
    """Once a template has been sent or answered, its questions and anonymity are fixed: the
    answers already given must keep meaning what they meant, and anonymity promised to the
    people who answered cannot be taken back."""
    if template.pk is None:
        return False
    return (
        SurveyInvitation.objects.filter(schedule__template=template).exists()
        or SurveyResponse.objects.filter(schedule__template=template).exists()
    )


def survey_schedule_is_locked(schedule: SurveySchedule) -> bool:
    """A schedule that has sent invitations keeps its survey: results read one template."""
    if schedule.pk is None:
        return False
    return schedule.invitations.exists() or schedule.responses.exists()


def _normalised(spec: QuestionSpec) -> dict:
    fields = {
        "kind": spec.kind,
        "text": spec.text.strip(),
        "text_vi": spec.text_vi.strip(),
        "text_tr": spec.text_tr.strip(),
        "key": spec.key.strip(),
        "required": spec.required,
        "choices": "",
        "choices_vi": "",
        "choices_tr": "",
    }
    if spec.kind == Question.Kind.CHOICE:
        for field in ("choices", "choices_vi", "choices_tr"):
            fields[field] = "\n".join(option_lines(getattr(spec, field)))
    return fields


def _check_questions(questions: list[QuestionSpec]) -> None:
    if not questions:
        raise ValidationError(_("A survey needs at least one question."))
    kinds = set(Question.Kind.values)
    keys = [spec.key.strip() for spec in questions if spec.key.strip()]
    if len(keys) != len(set(keys)):
        raise ValidationError(_("Each measure can be used by only one question of a survey."))
    for number, spec in enumerate(questions, start=1):
        if spec.kind not in kinds:
            raise ValidationError(
                _("Question %(number)d has an unknown kind.") % {"number": number}
            )
        if not spec.text.strip():
            raise ValidationError(
                _("Question %(number)d needs its text in English.") % {"number": number}
            )
        if spec.kind == Question.Kind.CHOICE:
            problem = choice_problem(
                choices=spec.choices, choices_vi=spec.choices_vi, choices_tr=spec.choices_tr
            )
            if problem:
                raise ValidationError(
                    _("Question %(number)d: %(problem)s") % {"number": number, "problem": problem}
                )


@transaction.atomic
def survey_template_save(
    *,
    template: SurveyTemplate | None,
    by,
    name: str,
    name_vi: str = "",
    name_tr: str = "",
    is_anonymous: bool,
    questions: list[QuestionSpec] | None,
) -> SurveyTemplate:
    """Create a template (template=None) or change one. `questions` is the whole list in order
    (questions of the template left out are deleted); None leaves the questions as they are.

    A locked template (see survey_template_is_locked) takes new names only. Raises
    ValidationError, having changed nothing, on bad input or a change the lock forbids."""
    if not name.strip():
        raise ValidationError(_("A survey needs a name in English."))
    if template is not None:
        template = SurveyTemplate.objects.select_for_update().get(pk=template.pk)
        if survey_template_is_locked(template) and (
            questions is not None or is_anonymous != template.is_anonymous
        ):
            raise ValidationError(
                _(
                    "This survey has already been sent, so its questions and anonymity can no "
                    "longer change. Duplicate it to make a new version."
                )
            )
    if questions is not None:
        _check_questions(questions)
    if template is None:
        template = SurveyTemplate(created_by=by)
    template.name = name.strip()
    template.name_vi = name_vi.strip()
    template.name_tr = name_tr.strip()
    template.is_anonymous = is_anonymous
    template.save()
    if questions is not None:
        _replace_questions(template, questions)
    return template


def _replace_questions(template: SurveyTemplate, questions: list[QuestionSpec]) -> None:
    kept = {spec.pk for spec in questions if spec.pk is not None}
    existing = {question.pk: question for question in template.questions.all()}
    if kept - set(existing):
        raise ValidationError(_("A question of another survey cannot be moved into this one."))
    template.questions.exclude(pk__in=kept).delete()
    template.questions.update(position=F("position") + _PARKING)
    for position, spec in enumerate(questions, start=1):
        fields = _normalised(spec)
        if spec.pk is None:
            Question.objects.create(template=template, position=position, **fields)
        else:
            Question.objects.filter(pk=spec.pk).update(position=position, **fields)


@transaction.atomic
def survey_template_duplicate(*, template: SurveyTemplate, by) -> SurveyTemplate:
    """A new, unlocked custom template with the same names (marked as a copy), anonymity and
    questions."""
    names = {}
    for field, language in (("name", "en"), ("name_vi", "vi"), ("name_tr", "tr")):
        original = getattr(template, field)
        if original:
            with translation.override(language):
                names[field] = (_("%(name)s (copy)") % {"name": original})[:150]
        else:
            names[field] = ""
    copy = SurveyTemplate.objects.create(created_by=by, is_anonymous=template.is_anonymous, **names)
    Question.objects.bulk_create(
        Question(
            template=copy,
            position=question.position,
            kind=question.kind,
            key=question.key,
            text=question.text,
            text_vi=question.text_vi,
            text_tr=question.text_tr,
            choices=question.choices,
            choices_vi=question.choices_vi,
            choices_tr=question.choices_tr,
            required=question.required,
        )
        for question in template.questions.all()
    )
    return copy


# What each trigger reads; the other timing fields go back to their defaults.
TIMING_DEFAULTS = {"offset_days": 0, "delay_hours": 2, "every_weeks": None}
TIMING_FIELDS_OF = {
    SurveySchedule.Trigger.AFTER_SESSION: {"delay_hours"},
    SurveySchedule.Trigger.FROM_START: {"offset_days"},
    SurveySchedule.Trigger.FROM_END: {"offset_days"},
    SurveySchedule.Trigger.EVERY_WEEKS: {"every_weeks"},
}


def schedule_timing(*, trigger: str, offset_days, delay_hours, every_weeks) -> dict:
    """The timing fields a trigger uses, as given, and the defaults for the others."""
    given = {"offset_days": offset_days, "delay_hours": delay_hours, "every_weeks": every_weeks}
    used = TIMING_FIELDS_OF.get(trigger, set())
    return {field: given[field] if field in used else TIMING_DEFAULTS[field] for field in given}


def _check_timing(trigger: str, timing: dict) -> None:
    if trigger not in TIMING_FIELDS_OF:
        raise ValidationError(_("Choose when the survey is sent."))
    if trigger == SurveySchedule.Trigger.EVERY_WEEKS and not timing["every_weeks"]:
        raise ValidationError(_("A repeating survey needs a period in weeks."))
    if trigger == SurveySchedule.Trigger.FROM_START and (timing["offset_days"] or 0) < 0:
        raise ValidationError(_("Days after the start cannot be negative."))
    if trigger == SurveySchedule.Trigger.AFTER_SESSION and timing["delay_hours"] is None:
        raise ValidationError(_("Say how many hours after the session the survey goes out."))
    if "offset_days" in TIMING_FIELDS_OF[trigger] and timing["offset_days"] is None:
        raise ValidationError(_("Say on which day the survey goes out."))


@transaction.atomic
def survey_schedule_save(
    *,
    program: Program,
    schedule: SurveySchedule | None,
    by,
    template: SurveyTemplate,
    trigger: str,
    offset_days: int | None = 0,
    delay_hours: int | None = 2,
    every_weeks: int | None = None,
    audience: str = SurveySchedule.Audience.BOTH,
    max_reminders: int = 2,
    reminder_every_days: int = 3,
    open_days: int = 14,
    is_active: bool = True,
) -> SurveySchedule:
    """Create a schedule of the program (schedule=None) or change one. Timing fields the
    trigger does not use are ignored. A schedule that has sent invitations keeps its survey
    and its timing.
    Raises ValidationError, having changed nothing."""
    timing = schedule_timing(
        trigger=trigger, offset_days=offset_days, delay_hours=delay_hours, every_weeks=every_weeks
    )
    _check_timing(trigger, timing)
    if schedule is None:
        schedule = SurveySchedule(program=program, created_by=by)
    else:
        schedule = SurveySchedule.objects.select_for_update().get(pk=schedule.pk, program=program)
        if survey_schedule_is_locked(schedule):
            if schedule.template_id != template.pk:
                raise ValidationError(
                    _(
                        "This schedule has already sent its survey, so the survey cannot "
                        "change. Turn it off and add a new schedule instead."
                    )
                )
            # Its occurrences are counted from the timing: a new timing would send again
            # (or skip) what was sent under the old one.
            current = {field: getattr(schedule, field) for field in timing}
            if trigger != schedule.trigger or timing != current:
                raise ValidationError(
                    _(
                        "This schedule has already sent its survey, so when it is sent cannot "
                        "change. Turn it off and add a new schedule instead."
                    )
                )
    schedule.template = template
    schedule.trigger = trigger
    schedule.audience = audience
    schedule.max_reminders = max_reminders
    schedule.reminder_every_days = reminder_every_days
    schedule.open_days = open_days
    schedule.is_active = is_active
    for field, value in timing.items():
        setattr(schedule, field, value)
    schedule.full_clean(exclude=["program", "template", "created_by"])
    adding = schedule._state.adding
    schedule.save()
    audit_record(
        actor=by,
        action="created" if adding else "changed",
        target=schedule,
        label=f"{program.name}: {template}",
    )
    return schedule


# The norm the product follows: a pulse after each session, a first check-in about 30 days in,
# and an end-of-program survey that stays open three weeks.
RECOMMENDED_SCHEDULES = [
    {"template": "session-pulse", "trigger": "after_session", "delay_hours": 2},
    {"template": "mid-program", "trigger": "from_start", "offset_days": 30},
    {"template": "end-of-program", "trigger": "from_end", "offset_days": 0, "open_days": 21},
]


@transaction.atomic
def survey_schedules_add_recommended(*, program: Program, by) -> list[SurveySchedule]:
    """Add the recommended schedules the program does not have yet (the same built-in survey
    on the same trigger, active or not, counts as there). Returns those added; calling it
    again adds nothing."""
    # Two clicks at once must not both add: the program row serialises them.
    Program.objects.select_for_update().get(pk=program.pk)
    templates = SurveyTemplate.objects.in_bulk(
        [spec["template"] for spec in RECOMMENDED_SCHEDULES], field_name="key"
    )
    present = set(
        SurveySchedule.objects.filter(program=program).values_list("template__key", "trigger")
    )
    added = []
    for spec in RECOMMENDED_SCHEDULES:
        template = templates.get(spec["template"])
        if template is None or (template.key, spec["trigger"]) in present:
            continue
        fields = {key: value for key, value in spec.items() if key != "template"}
        added.append(
            SurveySchedule.objects.create(
                program=program,
                template=template,
                audience=SurveySchedule.Audience.BOTH,
                created_by=by,
                **fields,
            )
        )
    return added


def delivery_retry(*, delivery_id: int) -> bool:
    """Send a failed mail again: it goes back to waiting, due now, with its attempts reset.
    Only a failed delivery moves (a conditional UPDATE, so a retry never races a sender);
    returns whether it did."""
    return bool(
        Delivery.objects.failed()
        .filter(pk=delivery_id)
        .update(
            status=Delivery.Status.PENDING,
            due_at=timezone.now(),
            attempts=0,
            claim=None,
            lease_until=None,
            enqueued_at=None,
            last_error="",
        )
    )
