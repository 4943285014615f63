"""Work on accounts that has side effects: creating one (with its welcome mail), changing roles,
asking for erasure and anonymising an account."""

import re

from allauth.account.adapter import get_adapter
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session as WebSession
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from feedback.models import Answer, Delivery
from matching.models import ActionItem, Pair, Session, SessionLog
from mentorship.accounts.models import ErasureRequest, User
from mentorship.accounts.tasks import send_erasure_request_mail, send_welcome_mail
from mentorship.audit.services import audit_record
from programs.models import ParticipantImport


@transaction.atomic
def account_create(
    *,
    request: HttpRequest,
    created_by: User,
    email: str,
    full_name: str,
    preferred_language: str,
    time_zone: str,
    is_hr_admin: bool = False,
    is_executive: bool = False,
) -> User:
    """Create an account without a password and mail its owner a link to choose one."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("An account with this email address already exists.")})
    user = User.objects.create_user(
        email=email,
        password=None,
        full_name=full_name,
        preferred_language=preferred_language,
        time_zone=time_zone,
        is_hr_admin=is_hr_admin,
        is_executive=is_executive,
    )
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    set_password_url = _set_password_url(request, user)
    send_welcome_mail.delay_on_commit(user.pk, created_by.pk, set_password_url)
    # The account's number, not its name: the log is append-only and must hold no personal
    # data that an erasure could not remove.
    audit_record(
        actor=created_by,
        action="created",
        target=user,
        label=f"#{user.pk}",
        hr_admin=is_hr_admin,
        executive=is_executive,
    )
    return user


def _set_password_url(request: HttpRequest, user: User) -> str:
    # allauth's own password-reset link: it expires and works once, and using it verifies the
    # address (see receivers.py).
    key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
    with translation.override(user.preferred_language):
        return get_adapter(request).get_reset_password_from_key_url(key)


@transaction.atomic
def account_set_roles(
    *, changed_by: User, user: User, is_hr_admin: bool, is_executive: bool
) -> User:
    """Give or take the site-wide roles. An HR admin cannot drop their own HR role, so a
    company can never lock itself out of its programs by a slip of the mouse."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.pk == changed_by.pk and user.is_hr_admin and not is_hr_admin:
        raise ValidationError(
            _("You cannot remove your own HR admin role. Ask another HR admin to do it.")
        )
    before = {"hr_admin": user.is_hr_admin, "executive": user.is_executive}
    user.is_hr_admin = is_hr_admin
    user.is_executive = is_executive
    user.save(update_fields=["is_hr_admin", "is_executive"])
    after = {"hr_admin": is_hr_admin, "executive": is_executive}
    if after != before:
        audit_record(
            actor=changed_by,
            action="roles_changed",
            target=user,
            label=f"#{user.pk}",
            **{
                role: f"{before[role]} → {after[role]}"
                for role in after
                if after[role] != before[role]
            },
        )
    return user


@transaction.atomic
def account_update(
    *,
    user: User,
    full_name: str,
    department: str,
    job_title: str,
    preferred_language: str,
    time_zone: str,
    manager: User | None,
    by: User | None = None,
) -> User:
    """Save a person's profile and reporting line. A line may not loop: matching relies on it
    to keep every pair outside one reporting line."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if manager is not None:
        if manager.pk == user.pk:
            raise ValidationError({"manager_email": _("A person cannot be their own manager.")})
        managers = dict(User.objects.filter(manager__isnull=False).values_list("pk", "manager"))
        above, seen = manager.pk, set()
        while above is not None and above not in seen:
            if above == user.pk:
                raise ValidationError(
                    {
                        "manager_email": _(
                            "This would make a loop: %(manager)s reports to %(name)s."
                        )
                        % {"manager": manager, "name": user}
                    }
                )
            seen.add(above)
            above = managers.get(above)
    fields = {
        "full_name": full_name,
        "department": department,
        "job_title": job_title,
        "preferred_language": preferred_language,
        "time_zone": time_zone,
        "manager_id": manager.pk if manager is not None else None,
    }
    changed = sorted(name for name, value in fields.items() if getattr(user, name) != value)
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()
    if changed:
        # The names of the fields, not their values: the log keeps no personal data.
        audit_record(actor=by, action="changed", target=user, label=f"#{user.pk}", fields=changed)
    return user


def erasure_request_create(*, user: User) -> tuple[ErasureRequest, bool]:
    """Record that `user` asks for their data to be erased and tell every HR admin, each in
    their own language. Asking again while a request is open returns it and mails nobody."""
    existing = ErasureRequest.objects.open().filter(user=user).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            request = ErasureRequest.objects.create(user=user)
            for admin in User.objects.hr_admins().exclude(pk=user.pk):
                send_erasure_request_mail.delay_on_commit(request.pk, admin.pk)
    except IntegrityError:
        # Two clicks at once: the partial unique index let one through.
        return ErasureRequest.objects.open().get(user=user), False
    return request, True


# What the partner of an erased person still sees in place of an action item's text.
ERASED_TEXT = "[erased]"


@transaction.atomic
def account_anonymise(*, user: User, by: User) -> User:
    """Erase a participant's personal data while every figure that counted them still counts.

    Gone: name, address, job title, manager, password, sign-in addresses, single sign-on links
    (with the IdP's claims), authenticators, open sessions, goals, the takeaways and notes of
    their pairs' sessions (both sides': they are the pair's), the text of their pairs' action
    items and their named free-text survey answers, mail errors. Kept: the account row,
    department, enrolments, pairs, sessions, numeric answers.
    """
    if user.pk == by.pk:
        raise ValidationError(_("You cannot erase your own account. Ask another HR admin."))
    user = User.objects.select_for_update().get(pk=user.pk)
    # A CSV waiting for HR to confirm its preview may list them: it goes, HR can upload it again.
    ParticipantImport.objects.filter(
        pk__in=[
            pending.pk
            for pending in ParticipantImport.objects.filter(
                applied_at__isnull=True, content__icontains=user.email
            )
            if _lists_address(pending.content, user.email)
        ]
    ).delete()
    user.full_name = f"Erased person #{user.pk}"
    user.email = f"erased-{user.pk}@invalid.example"
    user.job_title = ""
    user.manager = None
    user.is_active = False
    user.is_hr_admin = user.is_executive = user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()
    _end_web_sessions(user)

    user.enrolments.update(goals="", invitation_key="")
    pairs = Pair.objects.filter(Q(mentor__user=user) | Q(mentee__user=user))
    pairs.exclude(ended_reason="").update(ended_reason="")
    Session.objects.filter(pair__in=pairs).exclude(location="").update(location="")
    # "" is stored as NULL by the encrypted fields: nothing is left in the columns.
    SessionLog.objects.filter(session__pair__in=pairs).update(takeaways="", private_notes="")
    ActionItem.objects.filter(pair__in=pairs).update(text=ERASED_TEXT)
    Answer.objects.filter(response__invitation__enrolment__user=user).exclude(text="").update(
        text=""
    )
    # An SMTP error can quote the address it refused.
    Delivery.objects.filter(recipient=user).exclude(last_error="").update(last_error="")
    # The back office's change history names the object as it was.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).update(object_repr=f"#{user.pk}", change_message="")
    ErasureRequest.objects.open().filter(user=user).update(handled_at=timezone.now(), handled_by=by)
    audit_record(actor=by, action="deleted", target=user, label=f"#{user.pk}", anonymised=True)
    return user


def _lists_address(text: str, address: str) -> bool:
    """Whether `address` stands whole in `text` (an@x.com is not in joan@x.com)."""
    return bool(re.search(rf"(?<![\w.+-]){re.escape(address)}(?![\w.-])", text, re.IGNORECASE))


def _end_web_sessions(user: User) -> None:
    # Sessions live in the database (the default SESSION_ENGINE) and store the user id only
    # inside their encoded data, so each live one is decoded.
    user_id = str(user.pk)
    for web_session in WebSession.objects.filter(expire_date__gt=timezone.now()).iterator():
        if web_session.get_decoded().get("_auth_user_id") == user_id:
            web_session.delete()
