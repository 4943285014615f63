"""Mails a session's calendar invitation (or its cancellation) to one of the pair's two people,
in their language and time zone, with the .ics attached."""

import datetime
from email.mime.text import MIMEText

from celery import shared_task
from django.utils import translation
from django.utils.translation import gettext as _

from matching import calendar
from mentorship.mail import MAIL_RETRY, send_templated_mail


@shared_task(**MAIL_RETRY)
def send_session_mail(session_id: int, recipient_id: int, sequence: int) -> None:
    """Send the invitation as of `sequence`; a later change sends its own, so skip this one."""
    from matching.models import Session
    from mentorship.accounts.models import User

    session = (
        Session.objects.select_related(
            "pair__program", "pair__mentor__user", "pair__mentee__user", "proposed_by"
        )
        .filter(pk=session_id)
        .first()
    )
    if session is None or session.sequence != sequence:
        return
    recipient = User.objects.filter(pk=recipient_id, is_active=True).first()
    if recipient is None:
        return
    pair = session.pair
    partner = pair.mentee.user if recipient.pk == pair.mentor.user_id else pair.mentor.user
    cancelled = session.status == Session.Status.CANCELLED
    context = {
        "session": session,
        "pair": pair,
        "program": pair.program,
        "me": recipient,
        "partner": partner,
        "ends_at": session.starts_at + datetime.timedelta(minutes=session.duration_minutes),
        "cancelled": cancelled,
    }
    template_dir = "matching/email/session_cancel" if cancelled else "matching/email/session_invite"
    with translation.override(recipient.preferred_language):
        invitation = ics_attachment(invitation_for(session))
    send_templated_mail(template_dir, to=recipient, context=context, attachments=[invitation])


def ics_attachment(invitation: calendar.Invitation) -> MIMEText:
    """The .ics as a MIME part whose header reads exactly
    `text/calendar; method=REQUEST; charset=UTF-8` (Django's tuple form would add a second
    charset parameter)."""
    part = MIMEText(calendar.build_ics(invitation).decode(), "calendar", "UTF-8")
    part.replace_header("Content-Type", calendar.content_type(invitation.method))
    part.add_header("Content-Disposition", "attachment", filename="invite.ics")
    return part


def invitation_for(session) -> calendar.Invitation:
    """The calendar view of a session, its texts in the active language."""
    pair = session.pair
    mentor, mentee = pair.mentor.user, pair.mentee.user
    organizer = session.proposed_by or mentor
    return calendar.Invitation(
        uid=f"{session.uid}@reverse-mentoring",
        sequence=session.sequence,
        starts_at=session.starts_at,
        duration=datetime.timedelta(minutes=session.duration_minutes),
        summary=_("Reverse mentoring: %(mentor)s & %(mentee)s")
        % {"mentor": mentor.full_name, "mentee": mentee.full_name},
        description=_("A session of %(program)s.") % {"program": pair.program.name},
        location=session.location,
        organizer=calendar.Person(organizer.full_name, organizer.email),
        attendees=[
            calendar.Person(mentor.full_name, mentor.email),
            calendar.Person(mentee.full_name, mentee.email),
        ],
        cancelled=session.status == session.Status.CANCELLED,
    )
