"""Walks every URL of the product for every role: a page answers 200 only to the roles that may
see it. A new URL fails this test until its row below says who may open it."""

import datetime
import uuid
from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from feedback import links
from feedback.models import Delivery
from matching.models import ActionItem, MatchRun, Pair, PairRule, Session, SessionLog
from programs.models import Enrolment, ParticipantImport, Topic
from tests.factories import EnrolmentFactory, ProgramFactory, UserFactory
from tests.feedback.factories import SurveyInvitationFactory, SurveyScheduleFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "inactive", "mentor", "mentee", "other_pair", "executive", "hr_admin"]
SIGNED_IN = {"mentor", "mentee", "other_pair", "executive", "hr_admin"}
HR = {"hr_admin"}
PAIR = {"mentor", "mentee"}
NOBODY: set[str] = set()  # POST-only URLs: a GET is refused for everyone
OUR_NAMESPACES = ("accounts:", "audit:", "programs:", "matching:", "feedback:")
OUR_NAMES = {"home", "dashboard", "dashboard_csv", "dashboard_pdf", "set_language", "healthz"}


def pair_with_history(program, *, mentor=None, mentee=None) -> SimpleNamespace:
    """A pair with a session to come, a held and logged one, and an open action item."""
    mentor = mentor or EnrolmentFactory(program=program, role="mentor")
    mentee = mentee or EnrolmentFactory(program=program, role="mentee")
    pair = Pair.objects.create(program=program, mentor=mentor, mentee=mentee)
    planned = Session.objects.create(
        pair=pair, starts_at=timezone.now() + datetime.timedelta(days=5), duration_minutes=60
    )
    held = Session.objects.create(
        pair=pair,
        starts_at=timezone.now() - datetime.timedelta(days=5),
        duration_minutes=60,
        status=Session.Status.HELD,
    )
    SessionLog.objects.create(session=held, outcome="held", private_notes="secret")
    item = ActionItem.objects.create(pair=pair, text="Try a tool", owner=mentee)
    return SimpleNamespace(pair=pair, planned=planned, held=held, item=item)


@pytest.fixture
def world(program, mentor, mentee, other_participant, hr_admin):
    program.status = "active"
    program.save()
    mentor_enrolment = Enrolment.objects.get(user=mentor)
    mentee_enrolment = Enrolment.objects.get(user=mentee)
    ours = pair_with_history(program, mentor=mentor_enrolment, mentee=mentee_enrolment)
    pair, planned, held, item = ours.pair, ours.planned, ours.held, ours.item
    other_mentee = Enrolment.objects.get(user=other_participant)
    other_mentor = EnrolmentFactory(program=other_mentee.program, role="mentor")
    Pair.objects.create(program=other_mentee.program, mentor=other_mentor, mentee=other_mentee)
    upload = ParticipantImport.objects.create(
        program=program, uploaded_by=hr_admin, filename="x.csv", content="email\n"
    )
    rule = PairRule.objects.create(
        program=program, mentor=mentor_enrolment, mentee=mentee_enrolment, kind="exclude"
    )
    schedule = SurveyScheduleFactory(program=program)
    invitation = SurveyInvitationFactory(schedule=schedule, enrolment=mentee_enrolment)
    failed = Delivery.objects.create(
        key="survey:failed",
        kind=Delivery.Kind.SURVEY,
        recipient=mentee,
        object_id=invitation.pk,
        due_at=timezone.now(),
        status=Delivery.Status.FAILED,
    )
    return {
        "program": program,
        "pair": pair,
        "schedule": schedule,
        "survey_token": links.survey_token(invitation.public_id),
        "unsubscribe_token": links.unsubscribe_token(mentee.pk, "survey_reminders"),
        "failed_delivery": failed,
        "planned": planned,
        "held": held,
        "item": item,
        "mentee_enrolment": mentee_enrolment,
        "run": MatchRun.objects.create(program=program),
        "rule": rule,
        "upload": upload,
        "topic": Topic.objects.first(),
        "person": mentor,
    }


def _table(w) -> dict[str, tuple[dict, set[str]]]:
    """URL name -> (its arguments, the roles that may GET it with a 200)."""
    slug = w["program"].slug
    pair, mentee = w["pair"].public_id, w["mentee_enrolment"].public_id
    return {
        "home": ({}, set(ROLES)),
        "dashboard": ({}, {"executive", "hr_admin"}),
        "dashboard_csv": ({}, {"executive", "hr_admin"}),
        "dashboard_pdf": ({}, {"executive", "hr_admin"}),
        "set_language": ({}, NOBODY),
        "accounts:people": ({}, HR),
        "accounts:person_create": ({}, HR),
        "accounts:person_edit": ({"pk": w["person"].pk}, HR),
        "accounts:person_roles": ({"pk": w["person"].pk}, NOBODY),
        "accounts:profile": ({}, SIGNED_IN),
        "accounts:my_data": ({}, SIGNED_IN),
        "accounts:erasure_confirm": ({}, SIGNED_IN),
        "accounts:erasure_request": ({}, NOBODY),
        "accounts:erasure_requests": ({}, HR),
        "accounts:person_erase_confirm": ({"pk": w["person"].pk}, HR),
        "accounts:person_anonymise": ({"pk": w["person"].pk}, NOBODY),
        "audit:list": ({}, HR),
        "programs:program_list": ({}, HR),
        "programs:program_create": ({}, HR),
        "programs:program_detail": ({"slug": slug}, HR),
        "programs:program_edit": ({"slug": slug}, HR),
        "programs:program_transition": ({"slug": slug}, NOBODY),
        "programs:program_duplicate": ({"slug": slug}, HR),
        "programs:participant_list": ({"slug": slug}, HR),
        "programs:participant_export": ({"slug": slug}, HR),
        "programs:participant_detail": ({"slug": slug, "public_id": mentee}, HR),
        "programs:participant_decide": ({"slug": slug, "public_id": mentee}, NOBODY),
        "programs:participant_withdraw": ({"slug": slug, "public_id": mentee}, NOBODY),
        "programs:invitation_resend": ({"slug": slug, "public_id": mentee}, NOBODY),
        "programs:invite": ({"slug": slug}, HR),
        "programs:import_upload": ({"slug": slug}, HR),
        "programs:import_preview": ({"slug": slug, "import_id": w["upload"].pk}, HR),
        "programs:topic_list": ({}, HR),
        "programs:topic_create": ({}, HR),
        "programs:topic_edit": ({"pk": w["topic"].pk}, HR),
        "programs:my_programs": ({}, SIGNED_IN),
        # Says "not open" or "already in" without details: nothing to hide, nothing shown.
        "programs:apply": ({"slug": slug}, SIGNED_IN),
        "programs:my_profile": ({"slug": slug}, PAIR),
        "programs:guidelines": ({"slug": slug}, PAIR),
        "programs:invitation_accept": ({"token": "not-a-real-token"}, NOBODY),
        "matching:review": ({"slug": slug}, HR),
        "matching:mentee": ({"slug": slug, "public_id": mentee}, HR),
        "matching:run": ({"slug": slug}, NOBODY),
        "matching:approve": ({"slug": slug, "run_id": w["run"].pk}, NOBODY),
        "matching:rule_add": ({"slug": slug}, NOBODY),
        "matching:rule_delete": ({"slug": slug, "pk": w["rule"].pk}, NOBODY),
        "matching:pair_add": ({"slug": slug}, NOBODY),
        "matching:hr_pairs": ({"slug": slug}, HR),
        "matching:hr_pair_end": ({"slug": slug, "public_id": pair}, NOBODY),
        "matching:my_pair": ({"public_id": pair}, PAIR),
        "matching:pair_end": ({"public_id": pair}, NOBODY),
        "matching:action_add": ({"public_id": pair}, NOBODY),
        "matching:action_done": ({"public_id": pair, "item_pk": w["item"].pk}, NOBODY),
        "matching:session_propose": ({"public_id": pair}, PAIR),
        "matching:session_edit": ({"public_id": pair, "session_pk": w["planned"].pk}, PAIR),
        "matching:session_cancel": ({"public_id": pair, "session_pk": w["planned"].pk}, NOBODY),
        "matching:session_ics": ({"public_id": pair, "session_pk": w["planned"].pk}, PAIR),
        "matching:session_log": ({"public_id": pair, "session_pk": w["held"].pk}, PAIR),
        "matching:session_confirm": ({"public_id": pair, "session_pk": w["held"].pk}, NOBODY),
        # The signed link is the capability: its invitee opens it signed out or signed in;
        # anyone else signed in is refused (an inactive account is not signed in at all).
        "feedback:survey_answer": (
            {"token": w["survey_token"]},
            {"anonymous", "inactive", "mentee"},
        ),
        "feedback:preferences": ({}, SIGNED_IN),
        # Whoever holds the mentee's signed link sees which mail it stops (a GET changes nothing).
        "feedback:unsubscribe": ({"token": w["unsubscribe_token"]}, set(ROLES)),
        "feedback:template_list": ({}, HR),
        "feedback:template_create": ({}, HR),
        "feedback:template_edit": ({"pk": w["schedule"].template_id}, HR),
        "feedback:template_duplicate": ({"pk": w["schedule"].template_id}, NOBODY),
        "feedback:schedule_list": ({"slug": slug}, HR),
        "feedback:schedule_create": ({"slug": slug}, HR),
        "feedback:schedule_add_recommended": ({"slug": slug}, NOBODY),
        "feedback:schedule_edit": ({"slug": slug, "pk": w["schedule"].pk}, HR),
        "feedback:results": ({"slug": slug, "pk": w["schedule"].pk}, HR),
        "feedback:delivery_list": ({}, HR),
        "feedback:delivery_retry": ({"pk": w["failed_delivery"].pk}, NOBODY),
    }


def named_url_patterns(patterns=None, namespace=None):
    """(full name, pattern) of every named URL of the project, namespaces included."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            yield from named_url_patterns(
                pattern.url_patterns,
                f"{namespace}:{inner}" if namespace and inner else inner or namespace,
            )
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name, pattern


def _our_url_names() -> set[str]:
    return {
        name
        for name, _pattern in named_url_patterns()
        if name.startswith(OUR_NAMESPACES) or name in OUR_NAMES
    }


def test_every_url_of_the_product_is_in_the_table(world):
    # healthz answers everyone by design (it names no person and no data).
    assert _our_url_names() - {"healthz"} == set(_table(world))


@pytest.fixture
def people(mentor, mentee, other_participant, executive, hr_admin):
    return {
        "anonymous": None,
        "inactive": UserFactory(is_active=False),
        "mentor": mentor,
        "mentee": mentee,
        "other_pair": other_participant,
        "executive": executive,
        "hr_admin": hr_admin,
    }


@pytest.mark.parametrize("role", ROLES)
def test_a_page_answers_200_only_to_the_roles_that_may_see_it(client, world, people, role):
    if people[role] is not None:
        client.force_login(people[role])
    leaks = []
    for name, (kwargs, allowed) in _table(world).items():
        response = client.get(reverse(name, kwargs=kwargs))
        if role in allowed:
            if response.status_code != 200:
                leaks.append(f"{name}: {response.status_code}, expected 200")
        elif response.status_code == 200:
            leaks.append(f"{name}: 200 for {role}")
        elif response.status_code == 302 and not response["Location"].startswith(
            "/accounts/login/"
        ):
            # The only redirect a refused visitor gets is to the sign-in page.
            leaks.append(f"{name}: redirected {role} to {response['Location']}")
    assert not leaks, leaks


def test_a_guessed_id_of_another_pair_is_404(client, world, other_participant):
    other_pair = Pair.objects.exclude(pk=world["pair"].pk).get()
    client.force_login(other_participant)
    assert client.get(reverse("matching:my_pair", args=[other_pair.public_id])).status_code == 200
    for name, kwargs in [
        ("matching:my_pair", {"public_id": world["pair"].public_id}),
        (
            "matching:session_log",
            {"public_id": other_pair.public_id, "session_pk": world["held"].pk},
        ),
        (
            "matching:session_ics",
            {"public_id": other_pair.public_id, "session_pk": world["planned"].pk},
        ),
    ]:
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 404, name


def test_an_unknown_program_or_participant_is_404_for_hr(client, world, hr_admin):
    client.force_login(hr_admin)
    other = ProgramFactory()
    foreign = EnrolmentFactory(program=other)
    slug = world["program"].slug
    assert client.get(f"/programs/{uuid.uuid4().hex}/").status_code == 404
    assert (
        client.get(
            reverse("programs:participant_detail", args=[slug, foreign.public_id])
        ).status_code
        == 404
    )
