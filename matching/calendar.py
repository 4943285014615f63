"""Builds the iCalendar (RFC 5545) invitation of a session, with no database access.

One VCALENDAR holding one VEVENT: METHOD:REQUEST for a new or changed session (same UID, higher
SEQUENCE) and METHOD:CANCEL with STATUS:CANCELLED for a cancellation. Times are written in UTC
("Z"), which Outlook, Google Calendar and Apple Calendar all accept and show in the reader's zone.
"""

import datetime
from dataclasses import dataclass, field

from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//Reverse Mentoring//Sessions//EN"
REQUEST = "REQUEST"
CANCEL = "CANCEL"


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class Invitation:
    """What a calendar needs to know about one session."""

    uid: str
    sequence: int
    starts_at: datetime.datetime  # aware; converted to UTC
    duration: datetime.timedelta
    summary: str
    organizer: Person
    attendees: list[Person] = field(default_factory=list)
    location: str = ""
    description: str = ""
    cancelled: bool = False

    @property
    def method(self) -> str:
        return CANCEL if self.cancelled else REQUEST


def content_type(method: str) -> str:
    """The MIME type of the attachment, which mail clients read to offer accept/decline."""
    return f"text/calendar; method={method}; charset=UTF-8"


def _address(person: Person, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = vText(person.name)
    for key, value in params.items():
        address.params[key] = value
    return address


def build_ics(invitation: Invitation, *, now: datetime.datetime | None = None) -> bytes:
    """The .ics file of an invitation (or of its cancellation)."""
    if invitation.starts_at.tzinfo is None:
        raise ValueError("starts_at must be an aware datetime")
    if invitation.duration <= datetime.timedelta(0):
        raise ValueError("duration must be positive")
    start = invitation.starts_at.astimezone(datetime.UTC)
    stamp = (now or datetime.datetime.now(datetime.UTC)).astimezone(datetime.UTC)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", invitation.method)

    event = Event()
    event.add("uid", invitation.uid)
    event.add("sequence", invitation.sequence)
    event.add("dtstamp", stamp.replace(microsecond=0))
    event.add("dtstart", start.replace(microsecond=0))
    event.add("dtend", (start + invitation.duration).replace(microsecond=0))
    event.add("summary", invitation.summary)
    if invitation.location:
        event.add("location", invitation.location)
    if invitation.description:
        event.add("description", invitation.description)
    event.add("organizer", _address(invitation.organizer))
    for attendee in invitation.attendees:
        event.add(
            "attendee",
            _address(attendee, ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION", RSVP="TRUE"),
            encode=0,
        )
    event.add("status", "CANCELLED" if invitation.cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    return calendar.to_ical()
