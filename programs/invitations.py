"""Invitations by email: HR brings people into a program with a signed, expiring link that
creates or links the account when its owner accepts it.

A link carries the enrolment's public id and its current `invitation_key`. The signature makes
it tamper-proof and dates it (it expires after INVITATION_MAX_AGE); the key makes it single-use
and lets a resend void every older link, because accepting or resending replaces the key.
"""

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentorship.accounts.models import User
from mentorship.mail import send_templated_mail
from programs.addresses import addresses_of_other_accounts
from programs.models import Enrolment, EnrolmentStatus, Program, ProgramStatus

INVITATION_MAX_AGE = timedelta(days=14)
INVITATION_SALT = "programs.invitation"
INVITATION_MAIL = "programs/email/invitation"

# Invitations go out only while the program takes participants (Program.takes_participants);
# one sent already can be accepted until the program has ended.
CLOSED_PROGRAM_STATUSES = (ProgramStatus.COMPLETED, ProgramStatus.ARCHIVED)

# Statuses that count as "already in the program": inviting them again would undo a decision
# (approved), pre-empt HR's own decision (applied) or duplicate a pending mail (invited; HR
# resends instead). Withdrawn and declined people may be invited again.
ENROLLED_STATUSES = (EnrolmentStatus.INVITED, EnrolmentStatus.APPLIED, EnrolmentStatus.APPROVED)


# --- What can go wrong with a link -----------------------------------------------------------


class InvitationError(Exception):
    """A link that cannot be accepted; `message` says why, in words the invitee understands."""

    message = gettext_lazy("This invitation cannot be accepted.")

    def __str__(self) -> str:
        return str(self.message)


class InvitationInvalid(InvitationError):
    """Tampered with, cut short, or naming nothing that exists."""

    message = gettext_lazy(
        "This invitation link is not valid. Check that you opened the whole link from the "
        "email, or ask your HR team to send you a new invitation."
    )


class InvitationExpired(InvitationError):
    message = gettext_lazy(
        "This invitation link has expired: links work for 14 days. Ask your HR team to send "
        "you a new invitation."
    )


class InvitationUsed(InvitationError):
    """Accepted already, or replaced by a newer mail, or the enrolment changed since."""

    message = gettext_lazy(
        "This invitation link has already been used or was replaced by a newer one. If you "
        "accepted it, sign in to reach the program; otherwise use the latest invitation email."
    )


class InvitationClosed(InvitationError):
    message = gettext_lazy("This program has ended, so its invitations can no longer be accepted.")


class InvitationForAnotherAccount(InvitationError):
    message = gettext_lazy(
        "This invitation belongs to another account. Sign out, then open the link again and "
        "sign in with the address the invitation was sent to."
    )


# --- Sending ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class InviteRow:
    email: str
    full_name: str = ""


@dataclass
class InviteResult:
    invited: list[Enrolment] = field(default_factory=list)
    # People who were in the program already (invited, applied or approved): left untouched.
    already_enrolled: list[Enrolment] = field(default_factory=list)
    accounts_created: int = 0


def invitation_token(enrolment: Enrolment) -> str:
    return signing.dumps(
        {"e": str(enrolment.public_id), "k": enrolment.invitation_key}, salt=INVITATION_SALT
    )


def invitation_url(request: HttpRequest, enrolment: Enrolment) -> str:
    return request.build_absolute_uri(
        reverse("programs:invitation_accept", args=[invitation_token(enrolment)])
    )


def invitation_expires_at(enrolment: Enrolment) -> datetime:
    return enrolment.invited_at + INVITATION_MAX_AGE


def closed_reason(program: Program) -> str | None:
    """Why nobody can be invited to `program` now, or None when it takes participants."""
    if program.takes_participants:
        return None
    if program.status == ProgramStatus.DRAFT:
        return _("Open enrolment first: a draft program takes nobody in yet.")
    return _("This program has ended: nobody can be invited to it any more.")


def _refuse_closed_program(program: Program) -> None:
    reason = closed_reason(program)
    if reason is not None:
        raise ValidationError(reason)


@transaction.atomic
def invitations_send(
    *,
    program: Program,
    rows: list[InviteRow],
    role: str,
    invited_by: User,
    request: HttpRequest,
    language: str | None = None,
) -> InviteResult:
    """Invite each row to `program` as `role` and mail them, after commit, a link to accept.

    Unknown addresses get an account without a password (they choose one when accepting), whose
    language is `language`; existing accounts keep their own name and language. A person
    already in the program is skipped and reported, not an error. An address that another
    account holds as one of its own is refused: it would make a second account for that person.
    """
    # One invitation run per program at a time: two HR admins pasting overlapping lists would
    # otherwise race to create the same enrolments.
    program = Program.objects.select_for_update().get(pk=program.pk)
    _refuse_closed_program(program)
    by_email = {row.email.strip().lower(): row for row in rows}

    users = {
        user.email_lower: user
        for user in User.objects.annotate(email_lower=Lower("email")).filter(
            email_lower__in=by_email
        )
    }
    inactive = sorted(email for email, user in users.items() if not user.is_active)
    if inactive:
        raise ValidationError(
            _("These accounts are deactivated and cannot be invited: %(emails)s")
            % {"emails": ", ".join(inactive)}
        )
    taken = sorted(addresses_of_other_accounts(by_email.keys() - users.keys()))
    if taken:
        raise ValidationError(
            _("These addresses already belong to another account: %(emails)s")
            % {"emails": ", ".join(taken)}
        )

    result = InviteResult()
    for email, row in by_email.items():
        if email not in users:
            users[email] = _account_create(
                email=email,
                full_name=row.full_name or email.split("@", 1)[0],
                preferred_language=language,
            )
            result.accounts_created += 1

    enrolments = {
        enrolment.user_id: enrolment
        for enrolment in Enrolment.objects.filter(program=program, user__in=users.values())
    }
    now = timezone.now()
    for email in by_email:
        user = users[email]
        enrolment = enrolments.get(user.pk)
        if enrolment is not None and enrolment.status in ENROLLED_STATUSES:
            result.already_enrolled.append(enrolment)
            continue
        if enrolment is None:
            enrolment = Enrolment(program=program, user=user, time_zone=user.time_zone)
        elif enrolment.role != role:
            # Topics to teach mean nothing to a mentee, and the other way round.
            enrolment.teach_topics.all().delete()
            enrolment.learn_topics.all().delete()
        enrolment.role = role
        enrolment.status = EnrolmentStatus.INVITED
        enrolment.invitation_key = secrets.token_urlsafe(32)
        enrolment.invited_at = now
        # A re-invitation starts a new decision: the old withdrawal or refusal no longer holds.
        enrolment.decided_at = None
        enrolment.save()
        result.invited.append(enrolment)
        _mail_after_commit(enrolment=enrolment, invited_by=invited_by, request=request)
    return result


def _account_create(*, email: str, full_name: str, preferred_language: str | None) -> User:
    fields = {"preferred_language": preferred_language} if preferred_language else {}
    user = User.objects.create_user(email=email, password=None, full_name=full_name, **fields)
    # Unverified until the invitee uses the link, which proves they read this mailbox.
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    return user


def _mail_after_commit(*, enrolment: Enrolment, invited_by: User, request: HttpRequest) -> None:
    # The URL is built now, while the request is at hand; a Celery worker sends the mail once
    # the enrolment exists for everyone, retrying if the mail server is away (HR can resend).
    from programs.tasks import send_invitation_mail

    send_invitation_mail.delay_on_commit(
        enrolment.pk, invited_by.pk, invitation_url(request, enrolment), enrolment.invitation_key
    )


def invitation_mail_send(*, enrolment: Enrolment, invited_by: User | None, accept_url: str) -> None:
    send_templated_mail(
        INVITATION_MAIL,
        to=enrolment.user,
        context={
            "user": enrolment.user,
            "invited_by": invited_by,
            "program": enrolment.program,
            "enrolment": enrolment,
            "accept_url": accept_url,
            "expires_at": invitation_expires_at(enrolment),
        },
    )


@transaction.atomic
def invitation_resend(*, enrolment: Enrolment, request: HttpRequest) -> Enrolment:
    """Mail a pending invitation again with a fresh link; every older link stops working.

    The signed-in HR admin of `request` is named in the mail as the person inviting.
    """
    enrolment = (
        Enrolment.objects.select_for_update().select_related("program", "user").get(pk=enrolment.pk)
    )
    if enrolment.status != EnrolmentStatus.INVITED:
        raise ValidationError(_("Only a pending invitation can be sent again."))
    _refuse_closed_program(enrolment.program)
    enrolment.invitation_key = secrets.token_urlsafe(32)
    enrolment.invited_at = timezone.now()
    enrolment.save(update_fields=["invitation_key", "invited_at", "updated_at"])
    _mail_after_commit(enrolment=enrolment, invited_by=request.user, request=request)
    return enrolment


# --- Accepting -------------------------------------------------------------------------------


def invitation_check(token: str) -> Enrolment:
    """The pending enrolment a link names, or the InvitationError that says why not."""
    try:
        payload = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    except signing.SignatureExpired as error:
        raise InvitationExpired from error
    except signing.BadSignature as error:
        raise InvitationInvalid from error
    if not (
        isinstance(payload, dict)
        and isinstance(payload.get("e"), str)
        and isinstance(payload.get("k"), str)
    ):
        raise InvitationInvalid
    try:
        enrolment = Enrolment.objects.select_related("program", "user").get(public_id=payload["e"])
    except (Enrolment.DoesNotExist, ValidationError) as error:
        raise InvitationInvalid from error
    if not enrolment.user.is_active:
        raise InvitationInvalid
    if (
        enrolment.status != EnrolmentStatus.INVITED
        or not enrolment.invitation_key
        or not constant_time_compare(enrolment.invitation_key, payload["k"])
    ):
        raise InvitationUsed
    if enrolment.program.status in CLOSED_PROGRAM_STATUSES:
        raise InvitationClosed
    return enrolment


@transaction.atomic
def invitation_accept(
    *, enrolment: Enrolment, user: User, password: str | None = None
) -> Enrolment:
    """Approve the enrolment for its invitee. An account made by the invitation gets its first
    password here (required then, refused otherwise).

    Raises InvitationUsed when the link was accepted or replaced in the meantime, so that two
    clicks accept once.
    """
    if user.pk != enrolment.user_id:
        raise InvitationForAnotherAccount
    if user.has_usable_password() == (password is not None):
        raise ValueError("a password is required exactly when the account has none")
    now = timezone.now()
    accepted = (
        Enrolment.objects.filter(
            pk=enrolment.pk,
            status=EnrolmentStatus.INVITED,
            invitation_key=enrolment.invitation_key,
        )
        .exclude(invitation_key="")
        .update(status=EnrolmentStatus.APPROVED, invitation_key="", decided_at=now, updated_at=now)
    )
    if accepted != 1:
        raise InvitationUsed
    if password is not None:
        user.set_password(password)
        user.save(update_fields=["password"])
    # The link reached this mailbox only, so following it proves the address: the person can
    # sign in later without a separate verification mail.
    verified = EmailAddress.objects.filter(user=user, email__iexact=user.email).update(
        verified=True
    )
    if not verified:
        EmailAddress.objects.create(
            user=user,
            email=user.email,
            verified=True,
            primary=not EmailAddress.objects.filter(user=user, primary=True).exists(),
        )
    enrolment.refresh_from_db()
    return enrolment
