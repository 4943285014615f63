"""The dashboard's figures as CSV rows, one per figure, under the page's anonymity rules: a hidden
figure has an empty value and a note that says it is hidden. Like the page, it gives no group
sizes: sizes of different figures count the same people, and subtracted from one another they
would give away a group that the figures hide."""

import csv
from collections.abc import Iterable, Iterator
from typing import IO

from django.utils.translation import gettext as _

from mentorship.dashboard.metrics import Figure, Report
from programs.csv_format import neutralise_formula

# (section, measure, group, figure, unit)
Line = tuple[str, str, str, Figure | None, str]


def header() -> list[str]:
    return [_("Section"), _("Measure"), _("Group"), _("Value"), _("Note")]


def figure_lines(report: Report, participation: Iterable[tuple]) -> Iterator[Line]:
    """Every figure of the page, in its order; `participation` is views.participation_rows()."""
    section = _("Participation and sessions")
    for label, figure, suffix in participation:
        yield section, str(label), "", figure, suffix
    section = _("Satisfaction and surveys")
    for side, nps, rate in (
        (_("Mentors"), report.nps_mentors, report.response_rate_mentors),
        (_("Mentees"), report.nps_mentees, report.response_rate_mentees),
    ):
        yield section, _("NPS"), side, nps, ""
        yield section, _("Response rate"), side, rate, "%"
    section = _("Learning gain by topic")
    for row in report.learning:
        yield section, _("Mean confidence at enrolment (1–5)"), row.topic, row.start, ""
        yield section, _("Mean confidence at the end (1–5)"), row.topic, row.end, ""
        yield section, _("Gain"), row.topic, row.gain, ""
    section = _("Topic coverage")
    for row in report.coverage:
        yield section, _("Held sessions covering the topic"), row.topic, row.sessions, ""
    section = _("Trend by month")
    for row in report.months:
        month = row.month.strftime("%Y-%m")
        yield section, _("Sessions held"), month, row.sessions, ""
        yield section, _("Mentoring hours"), month, row.hours, ""


def cells(line: Line) -> list[str]:
    section, measure, group, figure, unit = line
    if unit:
        measure = f"{measure} ({unit})"
    if figure is None:
        value, note = "", _("No data yet")
    elif figure.hidden:
        # One wording whatever hid it: which rule did would say whether the group is small.
        value, note = "", _("Hidden to protect anonymity")
    elif figure.value is None:
        value, note = "", _("No data yet")
    else:
        value, note = str(figure.value), ""
    # Numbers are written by us (a negative NPS stays a number); text cells, topic names among
    # them, could start a spreadsheet formula.
    return [neutralise_formula(cell) for cell in (section, measure, group)] + [
        value,
        neutralise_formula(note),
    ]


def write_report(
    out: IO[str], report: Report | None, participation: Iterable[tuple], refusal: str
) -> None:
    """The CSV of `report`; a report refused (too small a selection), missing (bad filters) or
    empty gives the header and one line that says why, with no figure."""
    writer = csv.writer(out)
    writer.writerow(header())
    if report is None or not report.allowed or report.participants is None:
        writer.writerow(["", "", "", "", neutralise_formula(refusal)])
        return
    for line in figure_lines(report, participation):
        writer.writerow(cells(line))
