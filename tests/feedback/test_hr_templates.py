"""HR's survey templates: the list, creating and editing a template with its questions, the
lock on a template that has been sent, duplicating, who may do any of it, and what the back
office offers."""

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback import services
from feedback.models import (
    Answer,
    Question,
    SurveyInvitation,
    SurveyResponse,
    SurveySchedule,
    SurveyTemplate,
)
from tests.factories import EnrolmentFactory, UserFactory
from tests.feedback.factories import (
    SurveyInvitationFactory,
    SurveyResponseFactory,
    SurveyScheduleFactory,
    builtin,
)

REFUSED_ROLES = ["mentor", "mentee", "other_mentee", "other_mentor", "executive"]
LIST = reverse("feedback:template_list")
CREATE = reverse("feedback:template_create")
# An extra row left as the page shows it: no kind chosen, "required" ticked by default.
BLANK_ROW = {"kind": ""}


def _edit(template) -> str:
    return reverse("feedback:template_edit", args=[template.pk])


def _duplicate(template) -> str:
    return reverse("feedback:template_duplicate", args=[template.pk])


def _data(name="Quarterly check", *, anonymous=False, questions=(), initial=0, **names) -> dict:
    """POST data of the template form: `questions` are dicts of question fields (an "id" for an
    existing question, "ORDER" and "DELETE" as the formset reads them)."""
    data = {
        "name": name,
        "name_vi": names.get("name_vi", ""),
        "name_tr": names.get("name_tr", ""),
        "questions-TOTAL_FORMS": str(len(questions)),
        "questions-INITIAL_FORMS": str(initial),
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    if anonymous:
        data["is_anonymous"] = "on"
    for index, question in enumerate(questions):
        row = {"kind": "likert", "text": "", "required": "on", **question}
        for field, value in row.items():
            if value not in (None, False):
                data[f"questions-{index}-{field}"] = value
    return data


def _existing(template) -> list[dict]:
    """The template's questions as the edit page posts them back unchanged."""
    return [
        {
            "id": question.pk,
            "kind": question.kind,
            "text": question.text,
            "text_vi": question.text_vi,
            "text_tr": question.text_tr,
            "choices": question.choices,
            "choices_vi": question.choices_vi,
            "choices_tr": question.choices_tr,
            "key": question.key,
            "required": "on" if question.required else None,
            "ORDER": str(question.position),
        }
        for question in template.questions.all()
    ]


def _questions(template) -> list[tuple]:
    return list(template.questions.values_list("position", "kind", "text", "choices", "key"))


def _send(template, program):
    """Make `template` used: a schedule of it has invited someone."""
    schedule = SurveyScheduleFactory(program=program, template=template)
    enrolment = EnrolmentFactory(program=program, topics=[])
    return SurveyInvitationFactory(schedule=schedule, enrolment=enrolment)


# --- Access ------------------------------------------------------------------------------------


def test_hr_opens_the_template_pages(client_for, hr_admin):
    client = client_for(hr_admin)
    for url in (LIST, CREATE, _edit(builtin("mid-program"))):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_other_roles_are_refused_and_change_nothing(client_for, people, role):
    template = builtin("mid-program")
    client = client_for(people[role])
    for url in (LIST, CREATE, _edit(template)):
        assert client.get(url).status_code == 403, url
    assert client.post(CREATE, _data(questions=[{"text": "Sneaky?"}])).status_code == 403
    assert client.post(_edit(template), _data("Renamed", initial=3)).status_code == 403
    assert client.post(_duplicate(template)).status_code == 403
    assert SurveyTemplate.objects.count() == 3
    assert SurveyTemplate.objects.get(pk=template.pk).name == "Mid-program check-in"


@pytest.mark.parametrize("who", ["anonymous", "inactive"])
def test_signed_out_and_inactive_visitors_are_sent_to_sign_in(client_for, inactive_user, who):
    client = client_for(inactive_user if who == "inactive" else None)
    for url in (LIST, CREATE, _edit(builtin("mid-program"))):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login"))
    assert client.post(_duplicate(builtin("mid-program"))).status_code == 302
    assert SurveyTemplate.objects.count() == 3


def test_wrong_methods_are_405(client_for, hr_admin):
    client = client_for(hr_admin)
    assert client.post(LIST).status_code == 405
    assert client.get(_duplicate(builtin("mid-program"))).status_code == 405
    assert client.delete(_edit(builtin("mid-program"))).status_code == 405


def test_an_unknown_template_is_404(client_for, hr_admin):
    client = client_for(hr_admin)
    assert client.get(reverse("feedback:template_edit", args=[999_999])).status_code == 404
    assert client.post(reverse("feedback:template_duplicate", args=[999_999])).status_code == 404


# --- The list ----------------------------------------------------------------------------------


def test_the_list_counts_questions_and_schedules(client_for, hr_admin, program):
    SurveyScheduleFactory(program=program, template=builtin("end-of-program"))
    SurveyScheduleFactory(program=program, template=builtin("end-of-program"))
    response = client_for(hr_admin).get(LIST)
    rows = {template.key: template for template in response.context["templates"]}
    assert (rows["end-of-program"].question_count, rows["end-of-program"].schedule_count) == (4, 2)
    assert (rows["mid-program"].question_count, rows["mid-program"].schedule_count) == (3, 0)
    content = response.content.decode()
    assert "2 schedules" in content and "Anonymous" in content and "Named" in content


def test_the_list_queries_do_not_grow_with_templates_and_schedules(client_for, hr_admin, program):
    client = client_for(hr_admin)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    few = queries()
    for number in range(15):
        template = services.survey_template_duplicate(template=builtin("mid-program"), by=hr_admin)
        SurveyScheduleFactory(program=program, template=template, offset_days=number)
    assert queries() == few


# --- Creating and editing --------------------------------------------------------------------


def test_hr_creates_a_template_with_questions_in_three_languages(client_for, hr_admin):
    questions = [
        {"kind": "likert", "text": "Useful?", "text_vi": "Hữu ích?", "key": "usefulness"},
        {
            "kind": "choice",
            "text": "Which format?",
            "choices": " In person \n\nOnline\n",
            "choices_tr": "Yüz yüze\nÇevrimiçi",
        },
        {"kind": "text", "text": "Anything else?", "required": None},
        BLANK_ROW,  # ignored
    ]
    data = _data("Format check", anonymous=True, questions=questions, name_tr="Biçim")
    response = client_for(hr_admin).post(CREATE, data)
    template = SurveyTemplate.objects.get(name="Format check")
    assert response.status_code == 302
    assert response["Location"] == _edit(template)
    assert (template.is_anonymous, template.name_tr, template.created_by) == (
        True,
        "Biçim",
        hr_admin,
    )
    assert template.key is None
    assert _questions(template) == [
        (1, "likert", "Useful?", "", "usefulness"),
        (2, "choice", "Which format?", "In person\nOnline", ""),
        (3, "text", "Anything else?", "", ""),
    ]
    assert template.questions.get(position=2).choices_tr == "Yüz yüze\nÇevrimiçi"
    assert template.questions.get(position=3).required is False


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ({"kind": "choice", "text": "Pick one"}, "at least two options"),
        (
            {"kind": "choice", "text": "Pick", "choices": "A\nB\nC", "choices_vi": "A\nB"},
            "same number of options as English (3)",
        ),
        ({"kind": "likert", "text": ""}, "This field is required."),
    ],
)
def test_bad_questions_are_explained_and_save_nothing(client_for, hr_admin, question, message):
    response = client_for(hr_admin).post(CREATE, _data("Broken", questions=[question]))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SurveyTemplate.objects.filter(name="Broken").exists()


def test_a_template_needs_a_question_and_distinct_measures(client_for, hr_admin):
    client = client_for(hr_admin)
    response = client.post(CREATE, _data("Empty", questions=[BLANK_ROW, BLANK_ROW]))
    assert "A survey needs at least one question." in response.content.decode()
    twice = [{"text": "One?", "key": "score"}, {"text": "Two?", "key": "score"}]
    response = client.post(CREATE, _data("Twice", questions=twice))
    assert "Each measure can be used by only one question" in response.content.decode()
    assert SurveyTemplate.objects.count() == 3


def test_hr_reorders_deletes_and_adds_questions(client_for, hr_admin):
    template = builtin("mid-program")  # learning, rhythm, free text
    rows = _existing(template)
    rows[0]["ORDER"] = "9"  # learning goes last
    rows[1]["DELETE"] = "on"  # rhythm goes
    rows.append({"kind": "nps", "text": "Recommend?", "ORDER": "1"})  # a new one goes first
    response = client_for(hr_admin).post(
        _edit(template), _data(template.name, anonymous=True, questions=rows, initial=3)
    )
    assert response.status_code == 302
    assert [
        (position, kind, key) for position, kind, _text, _choices, key in _questions(template)
    ] == [
        (1, "nps", ""),
        (2, "text", ""),
        (3, "likert", "learning"),
    ]


def test_a_built_in_template_is_edited_like_any_other_until_it_is_sent(client_for, hr_admin):
    template = builtin("session-pulse")
    rows = _existing(template)
    rows[0]["text"] = "Was this session worth your time?"
    data = _data("Session pulse", questions=rows, initial=len(rows))
    assert client_for(hr_admin).post(_edit(template), data).status_code == 302
    template.refresh_from_db()
    assert template.key == "session-pulse"
    assert template.questions.get(position=1).text == "Was this session worth your time?"


# --- The lock ----------------------------------------------------------------------------------


def test_a_sent_template_keeps_its_questions_and_anonymity_but_can_be_renamed(
    client_for, hr_admin, program
):
    template = builtin("mid-program")
    _send(template, program)
    before = _questions(template)
    client = client_for(hr_admin)

    page = client.get(_edit(template)).content.decode()
    assert "already been sent" in page
    assert _duplicate(template) in page
    assert 'name="questions-TOTAL_FORMS"' not in page

    rows = _existing(template)
    rows[0]["DELETE"] = "on"
    rows[1]["text"] = "Changed?"
    data = _data("Check-in, day 30", anonymous=False, questions=rows, initial=len(rows))
    assert client.post(_edit(template), data).status_code == 302
    template.refresh_from_db()
    assert template.name == "Check-in, day 30"
    assert template.is_anonymous is True
    assert _questions(template) == before


def test_the_service_refuses_to_change_a_locked_template(hr_admin, program):
    template = builtin("end-of-program")
    schedule = SurveyScheduleFactory(program=program, template=template)
    SurveyResponseFactory(schedule=schedule)  # an anonymous answer, no invitation needed
    assert services.survey_template_is_locked(template)
    before = _questions(template)
    for change in (
        {"is_anonymous": False, "questions": None},
        {"is_anonymous": True, "questions": [services.QuestionSpec(kind="text", text="New?")]},
    ):
        with pytest.raises(ValidationError, match="Duplicate it"):
            services.survey_template_save(template=template, by=hr_admin, name="Renamed", **change)
    template.refresh_from_db()
    assert (template.name, template.is_anonymous) == ("End of program", True)
    assert _questions(template) == before


def test_duplicating_makes_an_unlocked_copy_with_the_same_questions(client_for, hr_admin, program):
    template = builtin("end-of-program")
    _send(template, program)
    response = client_for(hr_admin).post(_duplicate(template))
    copy = SurveyTemplate.objects.get(name="End of program (copy)")
    assert response.status_code == 302 and response["Location"] == _edit(copy)
    assert copy.key is None and copy.is_anonymous and copy.created_by == hr_admin
    assert copy.name_vi and copy.name_tr
    assert _questions(copy) == _questions(template)
    assert not services.survey_template_is_locked(copy)
    assert services.survey_template_is_locked(template)


# --- The back office ---------------------------------------------------------------------------


def test_the_admin_offers_no_way_to_join_answers_to_people():
    for model in (SurveyResponse, Answer, SurveyInvitation):
        assert not admin.site.is_registered(model), model
    assert admin.site.is_registered(SurveyTemplate)
    assert admin.site.is_registered(SurveySchedule)


@pytest.fixture
def superuser_request(rf, db):
    request = rf.get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    return request


def test_the_admin_keeps_a_sent_templates_questions(superuser_request, program):
    template = builtin("mid-program")
    model_admin = admin.site._registry[SurveyTemplate]
    inline = model_admin.get_inline_instances(superuser_request, template)[0]
    assert inline.model is Question
    assert inline.has_change_permission(superuser_request, template)
    assert "is_anonymous" not in model_admin.get_readonly_fields(superuser_request, template)
    _send(template, program)
    assert not inline.has_change_permission(superuser_request, template)
    assert not inline.has_add_permission(superuser_request, template)
    assert not inline.has_delete_permission(superuser_request, template)
    assert "is_anonymous" in model_admin.get_readonly_fields(superuser_request, template)
