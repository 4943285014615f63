"""The .ics of a session, parsed back with icalendar, and the local-time form around
daylight-saving changes. No database."""

import datetime
import types
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from matching.calendar import Invitation, Person, build_ics, content_type
from matching.forms_sessions import NonexistentLocalTime, SessionForm, aware_from_local

UTC = datetime.UTC
LONDON = ZoneInfo("Europe/London")
ISTANBUL = ZoneInfo("Europe/Istanbul")
MINH = Person("Minh Trần", "minh@example.com")
MEHMET = Person("Mehmet Kaya", "mehmet@example.com")


def invitation(**changes) -> Invitation:
    values = {
        "uid": "5f0c-session@reverse-mentoring",
        "sequence": 0,
        "starts_at": datetime.datetime(2027, 5, 4, 9, 0, tzinfo=UTC),
        "duration": datetime.timedelta(minutes=60),
        "summary": "Reverse mentoring: Minh Trần & Mehmet Kaya",
        "organizer": MINH,
        "attendees": [MINH, MEHMET],
        "location": "https://meet.example.com/abc",
        "description": "A session of Digital leaders 2027.",
    }
    values.update(changes)
    return Invitation(**values)


def parse(data: bytes):
    calendar = Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_request_has_one_event_with_utc_times_and_both_attendees():
    calendar, event = parse(build_ics(invitation()))

    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(event["UID"]) == "5f0c-session@reverse-mentoring"
    assert int(event["SEQUENCE"]) == 0
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == datetime.datetime(2027, 5, 4, 9, 0, tzinfo=UTC)
    assert end == datetime.datetime(2027, 5, 4, 10, 0, tzinfo=UTC)
    assert start.utcoffset() == datetime.timedelta(0)
    assert "TZID" not in event["DTSTART"].params
    assert b"DTSTART:20270504T090000Z" in build_ics(invitation())
    assert "DTSTAMP" in event
    assert str(event["SUMMARY"]) == "Reverse mentoring: Minh Trần & Mehmet Kaya"
    assert str(event["LOCATION"]) == "https://meet.example.com/abc"
    assert str(event["DESCRIPTION"]) == "A session of Digital leaders 2027."
    assert str(event["ORGANIZER"]) == "mailto:minh@example.com"
    assert event["ORGANIZER"].params["CN"] == "Minh Trần"
    attendees = event["ATTENDEE"]
    assert [str(a) for a in attendees] == ["mailto:minh@example.com", "mailto:mehmet@example.com"]
    assert [a.params["CN"] for a in attendees] == ["Minh Trần", "Mehmet Kaya"]
    assert all(a.params["ROLE"] == "REQ-PARTICIPANT" for a in attendees)
    assert str(event["STATUS"]) == "CONFIRMED"


def test_an_update_keeps_the_uid_and_raises_the_sequence():
    _, first = parse(build_ics(invitation()))
    moved = datetime.datetime(2027, 5, 5, 14, 30, tzinfo=UTC)
    _, second = parse(build_ics(invitation(sequence=1, starts_at=moved)))

    assert second["UID"] == first["UID"]
    assert int(second["SEQUENCE"]) == int(first["SEQUENCE"]) + 1
    assert second.decoded("DTSTART") == moved


def test_a_cancellation_is_method_cancel_with_status_cancelled():
    calendar, event = parse(build_ics(invitation(sequence=2, cancelled=True)))

    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 2
    assert content_type("CANCEL") == "text/calendar; method=CANCEL; charset=UTF-8"


def test_a_start_given_in_another_zone_is_written_as_the_same_instant_in_utc():
    local = datetime.datetime(2027, 5, 4, 12, 0, tzinfo=ISTANBUL)  # UTC+3 all year
    _, event = parse(build_ics(invitation(starts_at=local)))

    assert event.decoded("DTSTART") == local
    assert event.decoded("DTSTART").hour == 9
    assert event.decoded("DTSTART").tzinfo.utcoffset(None) == datetime.timedelta(0)


def test_a_naive_start_is_refused():
    with pytest.raises(ValueError):
        build_ics(invitation(starts_at=datetime.datetime(2027, 5, 4, 9, 0)))


# --- Local times and daylight saving --------------------------------------------------------


def test_london_spring_forward_gap_does_not_exist():
    # 28 March 2027: London clocks jump from 01:00 to 02:00.
    with pytest.raises(NonexistentLocalTime):
        aware_from_local(datetime.date(2027, 3, 28), datetime.time(1, 30), LONDON)
    after = aware_from_local(datetime.date(2027, 3, 28), datetime.time(2, 30), LONDON)
    assert after == datetime.datetime(2027, 3, 28, 1, 30, tzinfo=UTC)


def test_london_autumn_fold_takes_the_first_occurrence():
    # 31 October 2027: 01:30 happens twice in London; fold=0 is the first, still on BST (UTC+1).
    instant = aware_from_local(datetime.date(2027, 10, 31), datetime.time(1, 30), LONDON)
    assert instant == datetime.datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_istanbul_has_no_daylight_saving():
    for day in (datetime.date(2027, 1, 15), datetime.date(2027, 3, 28), datetime.date(2027, 7, 1)):
        instant = aware_from_local(day, datetime.time(1, 30), ISTANBUL)
        assert instant == datetime.datetime.combine(day, datetime.time(22, 30), tzinfo=UTC) - (
            datetime.timedelta(days=1)
        )


def form(time_zone: str, **data) -> SessionForm:
    values = {"date": "2027-03-28", "time": "01:30", "duration_minutes": "60", "location": ""}
    values.update(data)
    return SessionForm(values, time_zone=time_zone, default_minutes=60)


def test_form_refuses_a_london_time_skipped_by_the_clock_change():
    bound = form("Europe/London")
    assert not bound.is_valid()
    assert "does not exist on 2027-03-28 in Europe/London" in bound.errors["time"][0]


def test_form_turns_the_local_time_into_utc():
    bound = form("Europe/Istanbul")
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["starts_at"] == datetime.datetime(2027, 3, 27, 22, 30, tzinfo=UTC)

    ambiguous = form("Europe/London", date="2027-10-31")
    assert ambiguous.is_valid(), ambiguous.errors
    assert ambiguous.cleaned_data["starts_at"] == datetime.datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_form_offers_the_program_length_by_default():
    unbound = SessionForm(time_zone="Asia/Ho_Chi_Minh", default_minutes=45)
    assert unbound["duration_minutes"].value() == 45


def _round_trip(time_zone: str, day: str, time: str):
    bound = form(time_zone, date=day, time=time)
    assert bound.is_valid(), bound.errors
    instant = bound.cleaned_data["starts_at"]
    stored = types.SimpleNamespace(starts_at=instant, duration_minutes=60, location="")
    initial = SessionForm.initial_for(stored, time_zone)
    return instant, initial["date"].isoformat(), initial["time"].strftime("%H:%M")


def test_london_autumn_fold_round_trips_through_the_form_as_bst():
    instant, day, time = _round_trip("Europe/London", "2027-10-31", "01:30")
    assert instant == datetime.datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert instant.astimezone(LONDON).tzname() == "BST"
    assert (day, time) == ("2027-10-31", "01:30")
    # An hour later on the wall clock is two hours later in UTC: the clocks went back between.
    later, _, _ = _round_trip("Europe/London", "2027-10-31", "02:30")
    assert later - instant == datetime.timedelta(hours=2)


@pytest.mark.parametrize("day", ["2027-01-15", "2027-03-28", "2027-07-01", "2027-10-31"])
def test_istanbul_round_trips_through_the_form_at_utc_plus_three(day):
    instant, back_day, back_time = _round_trip("Europe/Istanbul", day, "01:30")
    assert instant.utcoffset() == datetime.timedelta(0)
    assert instant.astimezone(ISTANBUL).utcoffset() == datetime.timedelta(hours=3)
    assert (back_day, back_time) == (day, "01:30")
