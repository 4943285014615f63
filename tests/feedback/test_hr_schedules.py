"""HR's survey schedules of a program: the list with invitations sent and answered (in a
constant number of queries), creating and editing a schedule, the recommended schedules, and
who may do any of it."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback import services
from feedback.models import SurveySchedule
from feedback.results import describe_when
from tests.factories import EnrolmentFactory, ProgramFactory
from tests.feedback.factories import (
    SurveyInvitationFactory,
    SurveyResponseFactory,
    SurveyScheduleFactory,
    builtin,
)

REFUSED_ROLES = ["mentor", "mentee", "other_mentee", "other_mentor", "executive"]


def _form(template, trigger, **fields) -> dict:
    data = {
        "template": template.pk,
        "trigger": trigger,
        "offset_days": "0",
        "delay_hours": "2",
        "every_weeks": "",
        "audience": "both",
        "max_reminders": "2",
        "reminder_every_days": "3",
        "open_days": "14",
        "is_active": "on",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def _urls(program, schedule) -> dict[str, str]:
    slug = program.slug
    return {
        "list": reverse("feedback:schedule_list", args=[slug]),
        "create": reverse("feedback:schedule_create", args=[slug]),
        "edit": reverse("feedback:schedule_edit", args=[slug, schedule.pk]),
        "recommended": reverse("feedback:schedule_add_recommended", args=[slug]),
    }


def _invite(schedule, *, answered: bool, role="mentee"):
    enrolment = EnrolmentFactory(program=schedule.program, role=role, topics=[])
    return SurveyInvitationFactory(schedule=schedule, enrolment=enrolment, answered=answered)


# --- Access ------------------------------------------------------------------------------------


def test_hr_opens_every_schedule_page(client_for, hr_admin, program):
    schedule = SurveyScheduleFactory(program=program)
    client = client_for(hr_admin)
    urls = _urls(program, schedule)
    for name in ("list", "create", "edit"):
        response = client.get(urls[name])
        assert response.status_code == 200, name
        assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_other_roles_are_refused_and_change_nothing(client_for, people, program, role):
    schedule = SurveyScheduleFactory(program=program, is_active=True)
    client = client_for(people[role])
    urls = _urls(program, schedule)
    for name in ("list", "create", "edit"):
        assert client.get(urls[name]).status_code == 403, name
    form = _form(builtin("mid-program"), "from_start", offset_days="10", is_active=None)
    assert client.post(urls["create"], form).status_code == 403
    assert client.post(urls["edit"], form).status_code == 403
    assert client.post(urls["recommended"]).status_code == 403
    assert list(SurveySchedule.objects.values_list("pk", "is_active")) == [(schedule.pk, True)]


@pytest.mark.parametrize("who", ["anonymous", "inactive"])
def test_signed_out_and_inactive_visitors_are_sent_to_sign_in(
    client_for, inactive_user, program, who
):
    schedule = SurveyScheduleFactory(program=program)
    client = client_for(inactive_user if who == "inactive" else None)
    urls = _urls(program, schedule)
    for name in ("list", "create", "edit"):
        response = client.get(urls[name])
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("account_login"))
    assert client.post(urls["recommended"]).status_code == 302
    assert SurveySchedule.objects.count() == 1


def test_wrong_methods_are_405(client_for, hr_admin, program):
    schedule = SurveyScheduleFactory(program=program)
    client = client_for(hr_admin)
    urls = _urls(program, schedule)
    assert client.post(urls["list"]).status_code == 405
    assert client.get(urls["recommended"]).status_code == 405
    assert client.put(urls["edit"]).status_code == 405


def test_a_schedule_of_another_program_is_404(client_for, hr_admin, program):
    other = SurveyScheduleFactory(program=ProgramFactory(), is_active=True)
    client = client_for(hr_admin)
    edit = reverse("feedback:schedule_edit", args=[program.slug, other.pk])
    assert client.get(edit).status_code == 404
    form = _form(builtin("mid-program"), "from_start", is_active=None)
    assert client.post(edit, form).status_code == 404
    other.refresh_from_db()
    assert other.is_active


def test_the_program_page_links_to_its_surveys(client_for, hr_admin, program):
    response = client_for(hr_admin).get(reverse("programs:program_detail", args=[program.slug]))
    assert reverse("feedback:schedule_list", args=[program.slug]) in response.content.decode()


# --- Creating and editing --------------------------------------------------------------------


def test_hr_schedules_a_repeating_survey(client_for, hr_admin, program):
    url = reverse("feedback:schedule_create", args=[program.slug])
    form = _form(builtin("mid-program"), "every_weeks", every_weeks="4", audience="mentees")
    response = client_for(hr_admin).post(url, form)
    assert response.status_code == 302
    schedule = SurveySchedule.objects.get()
    assert (schedule.program, schedule.trigger, schedule.every_weeks) == (
        program,
        "every_weeks",
        4,
    )
    assert schedule.audience == "mentees" and schedule.created_by == hr_admin


def test_a_repeating_survey_needs_a_period(client_for, hr_admin, program):
    url = reverse("feedback:schedule_create", args=[program.slug])
    response = client_for(hr_admin).post(url, _form(builtin("mid-program"), "every_weeks"))
    assert response.status_code == 200
    assert "A repeating survey needs a period in weeks." in response.content.decode()
    assert not SurveySchedule.objects.exists()


def test_days_after_the_start_cannot_be_negative_but_days_from_the_end_can(
    client_for, hr_admin, program
):
    client = client_for(hr_admin)
    url = reverse("feedback:schedule_create", args=[program.slug])
    template = builtin("end-of-program")
    response = client.post(url, _form(template, "from_start", offset_days="-3"))
    assert "Days after the start cannot be negative." in response.content.decode()
    assert not SurveySchedule.objects.exists()
    assert client.post(url, _form(template, "from_end", offset_days="-7")).status_code == 302
    assert SurveySchedule.objects.get().offset_days == -7


def test_fields_the_trigger_does_not_use_are_ignored(client_for, hr_admin, program):
    url = reverse("feedback:schedule_create", args=[program.slug])
    form = _form(
        builtin("session-pulse"),
        "after_session",
        delay_hours="4",
        offset_days="-40",  # invalid for "from the start", but not used after sessions
        every_weeks="999",  # out of range, not used either
    )
    response = client_for(hr_admin).post(url, form)
    assert response.status_code == 302
    schedule = SurveySchedule.objects.get()
    assert (schedule.delay_hours, schedule.offset_days, schedule.every_weeks) == (4, 0, None)


def test_hr_turns_a_schedule_off_and_on(client_for, hr_admin, program):
    schedule = SurveyScheduleFactory(program=program, is_active=True)
    client = client_for(hr_admin)
    url = reverse("feedback:schedule_edit", args=[program.slug, schedule.pk])
    form = _form(schedule.template, "from_start", offset_days="30", is_active=None)
    assert client.post(url, form).status_code == 302
    schedule.refresh_from_db()
    assert not schedule.is_active
    assert client.post(url, _form(schedule.template, "from_start")).status_code == 302
    schedule.refresh_from_db()
    assert schedule.is_active and schedule.offset_days == 0


def test_a_schedule_that_has_sent_its_survey_keeps_it(client_for, hr_admin, program):
    schedule = SurveyScheduleFactory(program=program, template=builtin("mid-program"))
    _invite(schedule, answered=False)
    url = reverse("feedback:schedule_edit", args=[program.slug, schedule.pk])
    form = _form(builtin("end-of-program"), "from_start", offset_days="45")
    response = client_for(hr_admin).post(url, form)
    assert response.status_code == 302
    schedule.refresh_from_db()
    # The disabled fields keep the survey and its timing; the rest of the change is saved.
    assert schedule.template == builtin("mid-program") and schedule.offset_days == 30
    for change in ({"template": builtin("end-of-program")}, {"offset_days": 45}):
        with pytest.raises(ValidationError):
            services.survey_schedule_save(
                program=program,
                schedule=schedule,
                by=hr_admin,
                **{
                    "template": builtin("mid-program"),
                    "trigger": "from_start",
                    "offset_days": 30,
                    **change,
                },
            )
        schedule.refresh_from_db()
        assert (schedule.template, schedule.offset_days) == (builtin("mid-program"), 30)


def test_the_service_refuses_a_schedule_of_another_program(hr_admin, program):
    other = SurveyScheduleFactory(program=ProgramFactory())
    with pytest.raises(SurveySchedule.DoesNotExist):
        services.survey_schedule_save(
            program=program,
            schedule=other,
            by=hr_admin,
            template=other.template,
            trigger="from_start",
            offset_days=3,
        )


# --- Recommended schedules ---------------------------------------------------------------------


def test_the_recommended_schedules_are_added_once(client_for, hr_admin, program):
    client = client_for(hr_admin)
    url = reverse("feedback:schedule_add_recommended", args=[program.slug])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    rows = set(
        SurveySchedule.objects.filter(program=program).values_list(
            "template__key", "trigger", "offset_days", "delay_hours", "audience", "open_days"
        )
    )
    assert rows == {
        ("session-pulse", "after_session", 0, 2, "both", 14),
        ("mid-program", "from_start", 30, 2, "both", 14),
        ("end-of-program", "from_end", 0, 2, "both", 21),
    }


def test_recommended_schedules_add_only_what_is_missing(hr_admin, program):
    kept = SurveyScheduleFactory(
        program=program,
        template=builtin("mid-program"),
        trigger="from_start",
        offset_days=45,
        is_active=False,
    )
    added = services.survey_schedules_add_recommended(program=program, by=hr_admin)
    assert {schedule.template.key for schedule in added} == {"session-pulse", "end-of-program"}
    assert SurveySchedule.objects.filter(program=program).count() == 3
    kept.refresh_from_db()
    assert (kept.offset_days, kept.is_active) == (45, False)
    assert services.survey_schedules_add_recommended(program=program, by=hr_admin) == []


# --- The list ----------------------------------------------------------------------------------


def test_the_list_shows_when_to_whom_and_the_response_rate(client_for, hr_admin, program):
    schedule = SurveyScheduleFactory(
        program=program, template=builtin("end-of-program"), trigger="from_end", offset_days=-7
    )
    for answered in (True, True, True, False):
        _invite(schedule, answered=answered)
    SurveyScheduleFactory(program=program, trigger="every_weeks", every_weeks=3, offset_days=0)
    content = client_for(hr_admin).get(reverse("feedback:schedule_list", args=[program.slug]))
    content = content.content.decode()
    assert "7 days before the program ends" in content
    assert "Every 3 weeks" in content
    assert "3 / 4" in content and "75%" in content
    assert reverse("feedback:results", args=[program.slug, schedule.pk]) in content


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"trigger": "after_session", "delay_hours": 2}, "2 hours after each logged session"),
        ({"trigger": "after_session", "delay_hours": 1}, "1 hour after each logged session"),
        ({"trigger": "after_session", "delay_hours": 0}, "As soon as a session is logged"),
        ({"trigger": "from_start", "offset_days": 30}, "30 days after the program starts"),
        ({"trigger": "from_start", "offset_days": 0}, "On the day the program starts"),
        ({"trigger": "from_end", "offset_days": 0}, "On the program's last day"),
        ({"trigger": "from_end", "offset_days": -1}, "1 day before the program ends"),
        ({"trigger": "from_end", "offset_days": 3}, "3 days after the program ends"),
        ({"trigger": "every_weeks", "every_weeks": 1}, "Every week"),
    ],
)
def test_when_a_schedule_sends_reads_as_a_sentence(fields, expected):
    assert describe_when(SurveySchedule(**fields)) == expected


def test_the_list_queries_do_not_grow_with_schedules_and_invitations(
    client_for, hr_admin, program, django_assert_num_queries
):
    client = client_for(hr_admin)
    url = reverse("feedback:schedule_list", args=[program.slug])
    templates = [builtin("mid-program"), builtin("end-of-program"), builtin("session-pulse")]
    count = None
    for size in (2, 9):
        for index in range(program.survey_schedules.count(), size):
            schedule = SurveyScheduleFactory(program=program, template=templates[index % 3])
            for answered in (True, False, index % 2 == 0):
                _invite(schedule, answered=answered)
                if answered:
                    SurveyResponseFactory(schedule=schedule)
        if count is None:
            with CaptureQueriesContext(connection) as context:
                assert client.get(url).status_code == 200
            count = len(context.captured_queries)
        else:
            with django_assert_num_queries(count):
                assert client.get(url).status_code == 200
