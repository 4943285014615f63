"""`seed_demo` creates one account per role, prints their password, and can run again."""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from matching.models import MatchRun, Pair, Session, SessionLog
from mentorship.accounts.models import User
from programs.models import Enrolment, Program

pytestmark = pytest.mark.django_db


def _seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def test_seed_demo_creates_an_account_for_each_role_and_prints_the_password(settings, client):
    settings.DEBUG = True
    output = _seed(password="a-demo-password-1")

    assert "a-demo-password-1" in output
    assert User.objects.get(email="hr@demo.example").is_hr_admin
    assert User.objects.get(email="exec@demo.example").is_executive
    assert (
        EmailAddress.objects.filter(user__email__endswith="@demo.example", verified=True).count()
        == 4
    )

    response = client.post(
        "/accounts/login/", {"login": "hr@demo.example", "password": "a-demo-password-1"}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_seed_demo_is_idempotent(settings):
    settings.DEBUG = True
    _seed()
    User.objects.filter(email="exec@demo.example").update(is_executive=False, full_name="Changed")
    counts = (User.objects.count(), EmailAddress.objects.count(), Enrolment.objects.count())
    output = _seed()

    assert (User.objects.count(), EmailAddress.objects.count(), Enrolment.objects.count()) == counts
    assert User.objects.get(email="exec@demo.example").is_executive
    assert "refreshed" in output


def test_seed_demo_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        _seed()
    assert not User.objects.exists()
    _seed(force=True)
    assert User.objects.filter(email__in=["hr@demo.example", "exec@demo.example"]).count() == 2


def test_seed_demo_builds_a_living_program_and_a_next_cohort_to_review(settings):
    settings.DEBUG = True
    _seed()
    program = Program.objects.get(slug="digital-leaders")
    assert program.status == "active"
    enrolments = Enrolment.objects.filter(program=program).with_profile_complete()
    assert enrolments.filter(role="mentor").count() == 6
    assert enrolments.filter(role="mentee").count() == 6
    assert all(enrolment.profile_is_complete for enrolment in enrolments)
    assert Pair.objects.active().filter(program=program).count() == 6
    mentee = User.objects.get(email="mentee@demo.example")
    assert mentee.manager.email == "ceo@demo.example"
    # Mehmet manages Quang: the matching never pairs them.
    assert not Pair.objects.filter(
        mentor__user__email="quang.do@demo.example", mentee__user=mentee
    ).exists()

    # Each pair met once (logged, with a private note only the pair reads) and planned the next.
    assert Session.objects.filter(pair__program=program, status="held").count() == 6
    assert Session.objects.filter(pair__program=program, status="scheduled").count() == 6
    assert SessionLog.objects.filter(session__pair__program=program).count() == 6

    next_cohort = Program.objects.get(slug="digital-leaders-next")
    assert next_cohort.status == "matching"
    assert MatchRun.objects.get(program=next_cohort).status == "proposed"
    assert not Pair.objects.filter(program=next_cohort).exists()


def test_seed_demo_schedules_surveys_with_half_of_the_check_in_answered(settings):
    from feedback.models import SurveyInvitation, SurveyResponse, SurveySchedule

    settings.DEBUG = True
    _seed()
    _seed()

    program = Program.objects.get(slug="digital-leaders")
    assert set(
        SurveySchedule.objects.filter(program=program).values_list("template__key", flat=True)
    ) == {"session-pulse", "mid-program", "end-of-program"}
    check_in = SurveyInvitation.objects.filter(schedule__template__key="mid-program")
    assert check_in.count() == 12
    assert check_in.filter(answered=True).count() == 6
    assert SurveyResponse.objects.filter(invitation=None).count() == 6  # anonymous
    # The demo mentor and mentee still have theirs to answer, from the mail the worker sends.
    assert set(
        check_in.filter(answered=False, enrolment__user__email__endswith="@demo.example")
        .filter(enrolment__user__email__in=["mentor@demo.example", "mentee@demo.example"])
        .values_list("enrolment__user__email", flat=True)
    ) == {"mentor@demo.example", "mentee@demo.example"}
