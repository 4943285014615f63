"""The form to propose or change a session: a local date and time in the person's own time zone,
a length and a place, turned into one aware UTC instant in `clean()`."""

import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.forms import FIRST_YEAR

MIN_MINUTES = 15
MAX_MINUTES = 8 * 60
# Sessions are planned for the coming weeks. A date far off is a typing mistake, and at the ends
# of the calendar (0001-01-01, 9999-12-31) the conversion to UTC would overflow.
MAX_DAYS_AHEAD = 2 * 366


class NonexistentLocalTime(ValueError):
    """The wall-clock time is skipped by a daylight-saving change in that zone."""


def aware_from_local(
    day: datetime.date, time: datetime.time, zone: datetime.tzinfo
) -> datetime.datetime:
    """The instant a local date and time names in `zone`, in UTC.

    A time skipped when clocks go forward does not exist and raises NonexistentLocalTime. A time
    repeated when clocks go back is ambiguous; we take its first occurrence (fold=0, still on
    summer time), which is what most calendar applications do too.
    """
    local = datetime.datetime.combine(day, time.replace(tzinfo=None, fold=0), tzinfo=zone)
    instant = local.astimezone(datetime.UTC)
    # A skipped time does not survive the round trip back to wall-clock time.
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise NonexistentLocalTime(local)
    return instant


class SessionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(
        label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    duration_minutes = forms.IntegerField(
        label=_("Length (minutes)"),
        widget=forms.NumberInput(attrs={"step": 5, "min": MIN_MINUTES, "max": MAX_MINUTES}),
    )
    location = forms.CharField(
        label=_("Place or video link"),
        max_length=500,
        required=False,
        help_text=_("A meeting room, a café, or the link of a video call."),
    )

    def __init__(self, *args, time_zone: str, default_minutes: int, **kwargs):
        self.zone = ZoneInfo(time_zone)
        super().__init__(*args, **kwargs)
        self.fields["duration_minutes"].initial = default_minutes
        self.fields["time"].help_text = _("In your time zone: %(zone)s.") % {"zone": time_zone}

    def clean_date(self) -> datetime.date:
        day = self.cleaned_data["date"]
        # A time in the past is refused, with its own message, when the session is planned;
        # here only dates that cannot be meant (or converted to UTC) are.
        latest = timezone.localdate(timezone=datetime.UTC) + datetime.timedelta(days=MAX_DAYS_AHEAD)
        if day.year < FIRST_YEAR or day > latest:
            raise forms.ValidationError(_("Choose a date between today and two years from now."))
        return day

    @classmethod
    def initial_for(cls, session, time_zone: str) -> dict:
        """The values of an existing session, shown in the person's own time zone."""
        local = session.starts_at.astimezone(ZoneInfo(time_zone))
        return {
            "date": local.date(),
            "time": local.time().replace(second=0, microsecond=0),
            "duration_minutes": session.duration_minutes,
            "location": session.location,
        }

    def clean(self):
        cleaned = super().clean()
        day, time = cleaned.get("date"), cleaned.get("time")
        if day is not None and time is not None:
            try:
                cleaned["starts_at"] = aware_from_local(day, time, self.zone)
            except NonexistentLocalTime:
                self.add_error(
                    "time",
                    forms.ValidationError(
                        _(
                            "%(time)s does not exist on %(date)s in %(zone)s: the clocks "
                            "go forward then. Choose another time."
                        ),
                        code="nonexistent",
                        params={
                            "time": time.strftime("%H:%M"),
                            "date": day.isoformat(),
                            "zone": self.zone.key,
                        },
                    ),
                )
        return cleaned
