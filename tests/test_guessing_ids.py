"""Ids that cannot be guessed into another pair's or another program's data.

Every URL that names an object is tried with the id of an object that exists but belongs to
another pair or another program, in an otherwise valid URL, for every role and both methods:
it opens nothing, changes nothing, and answers exactly what a made-up id answers, so that an
answer never tells whether an id exists. A pair is named by its UUID, never its sequential pk.
"""

import re
import uuid
from types import SimpleNamespace

import pytest
from django.urls import reverse

from feedback.models import SurveySchedule
from matching.models import ActionItem, MatchRun, Pair, PairRule, Session, SessionLog
from programs.models import Enrolment, ParticipantImport
from tests import test_every_url
from tests.feedback.factories import SurveyScheduleFactory
from tests.test_every_url import named_url_patterns, pair_with_history

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "inactive", "mentor", "mentee", "other_pair", "executive", "hr_admin"]
# What every POST sends: enough for each form to be valid, so that a view which validated its
# form before loading its object would still reach the lookup (and act, if it were unscoped).
PLAUSIBLE = {
    "decision": "decline",
    "reason": "Guessing.",
    "end-reason": "Guessing.",
    "action-text": "Guessing",
    "outcome": "held",
}
# URLs whose ids are not inside a pair or a program: people, the topic catalogue, survey
# templates and deliveries are site-wide and HR-only; tokens are signed capabilities.
SITE_WIDE = {
    "accounts:person_edit",
    "accounts:person_roles",
    "accounts:person_erase_confirm",
    "accounts:person_anonymise",
    "programs:topic_edit",
    "feedback:template_edit",
    "feedback:template_duplicate",
    "feedback:delivery_retry",
}
SIGNED_TOKENS = {"feedback:survey_answer", "feedback:unsubscribe", "programs:invitation_accept"}
PAIR_URLS = {
    "matching:my_pair",
    "matching:pair_end",
    "matching:action_add",
    "matching:session_propose",
}
PAIR_SESSION_URLS = {
    "matching:session_edit",
    "matching:session_cancel",
    "matching:session_ics",
    "matching:session_log",
    "matching:session_confirm",
}
MADE_UP_PK = 2_000_000_000


@pytest.fixture
def world(program, mentor, mentee, other_participant, hr_admin):
    """Program A with the cast's pair and a neighbouring pair; program B with the other pair
    and one of each object HR works on."""
    far_mentee = Enrolment.objects.get(user=other_participant)
    other = far_mentee.program
    for each in (program, other):
        each.status = "active"
        each.save()
    mine = pair_with_history(
        program,
        mentor=Enrolment.objects.get(user=mentor),
        mentee=Enrolment.objects.get(user=mentee),
    )
    neighbour = pair_with_history(program)
    far = pair_with_history(other, mentee=far_mentee)
    return SimpleNamespace(
        program=program,
        other=other,
        pairs={"mine": mine, "neighbour": neighbour, "far": far},
        # Program B's objects, to be put under program A's slug.
        run=MatchRun.objects.create(program=other),
        rule=PairRule.objects.create(
            program=other, mentor=far.pair.mentor, mentee=far.pair.mentee, kind="exclude"
        ),
        upload=ParticipantImport.objects.create(
            program=other, uploaded_by=hr_admin, filename="x.csv", content="email\n"
        ),
        schedule=SurveyScheduleFactory(program=other),
        enrolment=far_mentee,
    )


# The same cast as the walk over every URL, one per role.
people = test_every_url.people


# The pair each role belongs to: any other pair's id is foreign to them.
OWN_PAIR = {"mentor": "mine", "mentee": "mine", "other_pair": "far"}


def _foreign_urls(w, role: str) -> list[tuple[str, dict]]:
    """(URL name, arguments naming an object that is not the role's to reach through this
    URL): another pair's id, or a session or action item of another pair inside a pair's URL,
    or program B's object under program A's slug."""
    urls = []
    others = [key for key in w.pairs if key != OWN_PAIR.get(role)]
    for key in others:
        public_id = w.pairs[key].pair.public_id
        urls += [(name, {"public_id": public_id}) for name in sorted(PAIR_URLS)]
    # A session or an item of pair Y inside the URL of pair X is foreign to everyone.
    for x in w.pairs.values():
        for y in w.pairs.values():
            if x is y:
                continue
            public_id = x.pair.public_id
            urls.append(("matching:action_done", {"public_id": public_id, "item_pk": y.item.pk}))
            for name in sorted(PAIR_SESSION_URLS):
                logging = name in {"matching:session_log", "matching:session_confirm"}
                session = y.held if logging else y.planned
                urls.append((name, {"public_id": public_id, "session_pk": session.pk}))
    slug = w.program.slug
    enrolment = w.enrolment.public_id
    urls += [
        ("matching:hr_pair_end", {"slug": slug, "public_id": w.pairs["far"].pair.public_id}),
        ("matching:approve", {"slug": slug, "run_id": w.run.pk}),
        ("matching:rule_delete", {"slug": slug, "pk": w.rule.pk}),
        ("matching:mentee", {"slug": slug, "public_id": enrolment}),
        ("programs:import_preview", {"slug": slug, "import_id": w.upload.pk}),
        ("programs:participant_detail", {"slug": slug, "public_id": enrolment}),
        ("programs:participant_decide", {"slug": slug, "public_id": enrolment}),
        ("programs:participant_withdraw", {"slug": slug, "public_id": enrolment}),
        ("programs:invitation_resend", {"slug": slug, "public_id": enrolment}),
        ("feedback:schedule_edit", {"slug": slug, "pk": w.schedule.pk}),
        ("feedback:results", {"slug": slug, "pk": w.schedule.pk}),
    ]
    return urls


def _made_up(name: str, kwargs: dict) -> dict:
    """The same arguments with every id replaced by one that names nothing."""
    fake = {}
    for key, value in kwargs.items():
        if key == "slug":
            fake[key] = value
        elif isinstance(value, uuid.UUID):
            fake[key] = uuid.uuid4()
        else:
            fake[key] = MADE_UP_PK
    return fake


def _state(w) -> list:
    """Everything a POST to one of these URLs could change."""
    return [
        list(Pair.objects.order_by("pk").values_list("pk", "status", "ended_reason")),
        list(Session.objects.order_by("pk").values_list("pk", "status", "sequence", "starts_at")),
        list(SessionLog.objects.order_by("pk").values_list("pk", "confirmed_at", "outcome")),
        list(ActionItem.objects.order_by("pk").values_list("pk", "text", "done_at")),
        list(MatchRun.objects.order_by("pk").values_list("pk", "status")),
        list(PairRule.objects.order_by("pk").values_list("pk", "kind")),
        list(ParticipantImport.objects.order_by("pk").values_list("pk", "applied_at")),
        list(Enrolment.objects.order_by("pk").values_list("pk", "status")),
        list(SurveySchedule.objects.order_by("pk").values_list("pk", "offset_days")),
    ]


def _passes_role_gate(role: str, name: str) -> bool:
    """Whether the role gets past the view's role check to the lookup: pair pages look a pair
    up for anyone signed in (and find only their own); HR's pages refuse everyone else first,
    the same way whatever the id."""
    if role in {"anonymous", "inactive"}:
        return False
    if name in PAIR_URLS | PAIR_SESSION_URLS | {"matching:action_done"}:
        return True
    return role == "hr_admin"


def test_every_url_with_an_id_is_tried_here(world):
    # Our URLs whose arguments include anything but a program's slug.
    ours = {
        name
        for name, pattern in named_url_patterns()
        if name.split(":")[0] in {"accounts", "audit", "programs", "matching", "feedback"}
        and set(pattern.pattern.converters) - {"slug"}
    }
    tried = {name for name, _kwargs in _foreign_urls(world, "hr_admin")}
    # A new URL that names an object fails here until it is tried above or said to be site-wide.
    assert ours == tried | SITE_WIDE | SIGNED_TOKENS


@pytest.mark.parametrize("role", ROLES)
def test_an_id_of_another_pair_or_program_opens_nothing(client, world, people, role):
    if people[role] is not None:
        client.force_login(people[role])
    before = _state(world)
    problems = []
    for name, kwargs in _foreign_urls(world, role):
        url = reverse(name, kwargs=kwargs)
        made_up = reverse(name, kwargs=_made_up(name, kwargs))
        statuses = set()
        for method in ("get", "post"):
            data = PLAUSIBLE if method == "post" else None
            response = getattr(client, method)(url, data)
            twin = getattr(client, method)(made_up, data)
            statuses.add(response.status_code)
            if response.status_code != twin.status_code:
                problems.append(
                    f"{method.upper()} {name}: {response.status_code}, "
                    f"a made-up id {twin.status_code}"
                )
            if response.status_code == 302 and not response["Location"].startswith(
                "/accounts/login/"
            ):
                problems.append(f"{method.upper()} {name}: redirected to {response['Location']}")
            elif response.status_code not in {302, 403, 404, 405}:
                problems.append(f"{method.upper()} {name}: {response.status_code}")
        # Past the role check, the lookup itself refuses: 404 (and 405 for the other method).
        if _passes_role_gate(role, name) and (404 not in statuses or statuses - {404, 405}):
            problems.append(f"{name}: {sorted(statuses)}, expected 404")
    assert not problems, "\n".join(problems)
    assert _state(world) == before


@pytest.mark.parametrize("role", ["mentor", "mentee", "hr_admin"])
def test_a_made_up_uuid_is_404(client, world, people, role):
    client.force_login(people[role])
    mine = world.pairs["mine"]
    slug = world.program.slug
    urls = [reverse(name, args=[uuid.uuid4()]) for name in sorted(PAIR_URLS)]
    urls += [
        reverse(name, args=[uuid.uuid4(), mine.planned.pk]) for name in sorted(PAIR_SESSION_URLS)
    ]
    urls += [
        reverse("matching:action_done", args=[uuid.uuid4(), mine.item.pk]),
        reverse("matching:hr_pair_end", args=[slug, uuid.uuid4()]),
        reverse("matching:mentee", args=[slug, uuid.uuid4()]),
        reverse("programs:participant_detail", args=[slug, uuid.uuid4()]),
        reverse("programs:import_preview", args=[slug, uuid.uuid4()]),
    ]
    for url in urls:
        answers = {client.get(url).status_code, client.post(url, PLAUSIBLE).status_code}
        if url.startswith("/my/") or role == "hr_admin":
            assert 404 in answers and answers <= {404, 405}, (url, answers)


def test_a_made_up_id_of_a_site_wide_object_is_404_for_hr(client, world, hr_admin):
    client.force_login(hr_admin)
    for name in sorted(SITE_WIDE):
        url = reverse(name, args=[MADE_UP_PK])
        answers = {client.get(url).status_code, client.post(url, PLAUSIBLE).status_code}
        assert 404 in answers and answers <= {404, 405}, (name, answers)


def test_pair_urls_name_the_pair_by_uuid_not_by_pk(client, world, people):
    pair = world.pairs["mine"].pair
    for name in sorted(PAIR_URLS):
        url = reverse(name, args=[pair.public_id])
        assert url.startswith(f"/my/pairs/{pair.public_id}/")
        assert not any(part.isdigit() for part in url.split("/")), url
    hr_url = reverse("matching:hr_pair_end", args=[world.program.slug, pair.public_id])
    assert not any(part.isdigit() for part in hr_url.split("/")), hr_url
    assert pair.get_absolute_url() == f"/my/pairs/{pair.public_id}/"
    # The pages that link to pairs: no link names a pair by a number.
    pages = [
        (people["mentee"], reverse("home")),
        (people["mentee"], pair.get_absolute_url()),
        (people["hr_admin"], reverse("matching:hr_pairs", args=[world.program.slug])),
    ]
    for person, url in pages:
        client.force_login(person)
        page = client.get(url).content.decode()
        assert str(pair.public_id) in page, url
        assert not re.search(r"/pairs/\d+/", page), url


def test_every_pair_has_its_own_public_id(world):
    public_ids = list(Pair.objects.values_list("public_id", flat=True))
    assert len(public_ids) == 3
    assert len(set(public_ids)) == 3
