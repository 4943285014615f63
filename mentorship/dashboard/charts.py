"""The dashboard's charts: server-side SVG drawn by pygal from a Report, with no script, and a
hidden figure never drawn (its bar is left out and its label says "hidden", or a topic whose
figures are all hidden is left out of the chart and counted in a note)."""

import base64
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pygal
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pygal.style import Style

from mentorship.dashboard.metrics import Figure, Report

# Drawn at this width, scaled to the page by CSS: at a phone's 343 px the text is still ~10 px.
WIDTH = 480
BAR_HEIGHT = 44  # per row of a horizontal bar chart
LABEL_LENGTH = 26  # longer labels are cut: the table under the chart has them in full
# site.css's ink, brand and a colour-blind-safe orange for the second series.
STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#1d2433",
    foreground_strong="#1d2433",
    foreground_subtle="#4a5568",
    colors=("#1f5fbf", "#d55e00", "#1e6b3a"),
    opacity="1",
    opacity_hover="1",
    font_family='system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif',
    label_font_size=14,
    major_label_font_size=14,
    legend_font_size=14,
    value_font_size=12,
    tooltip_font_size=14,
    transition="0ms",
)


_VIEWBOX = re.compile(r'viewBox="0 0 ([\d.]+) ([\d.]+)"')


@dataclass(frozen=True)
class Chart:
    """An SVG and its accessible name (the SVG carries it too, as aria-label)."""

    name: str
    svg: SafeString
    note: str = ""
    image_width: float = WIDTH  # of the <img>, in CSS pixels

    @property
    def image(self) -> SafeString:
        """The SVG as an <img> with a data: address, named by its alt text. pygal styles a
        chart with a <style> inside it: inside an image it applies to the image alone, so the
        page itself has no inline style and its Content-Security-Policy allows none."""
        size = _VIEWBOX.search(self.svg)
        width, height = (float(size[1]), float(size[2])) if size else (WIDTH, WIDTH * 2 / 3)
        return format_html(
            '<img src="data:image/svg+xml;base64,{}" width="{}" height="{}" alt="{}">',
            base64.b64encode(self.svg.encode()).decode("ascii"),
            round(self.image_width),
            round(self.image_width * height / width),
            self.name,
        )


def dashboard_charts(report: Report | None) -> dict[str, Chart]:
    """The charts of the report's sections, by section; none for a missing or refused report."""
    if report is None or not report.allowed or report.participants is None:
        return {}
    charts = {
        "rates": _rates(report),
        "nps": _nps(report),
        "learning": _learning(report),
        "coverage": _coverage(report),
        "months": _months(report),
    }
    return {key: chart for key, chart in charts.items() if chart is not None}


def _short(label: str) -> str:
    return label if len(label) <= LABEL_LENGTH else label[: LABEL_LENGTH - 1].rstrip() + "…"


def _hidden(label: str, figures: Sequence[Figure | None]) -> str:
    """The label, marked when one of its figures is hidden (its bar is not drawn)."""
    if any(figure is not None and figure.hidden for figure in figures):
        return _("%(label)s (hidden)") % {"label": _short(label)}
    return _short(label)


def _value(figure: Figure | None) -> float | int | None:
    # Figure.value is already None when hidden; the test on .hidden keeps it so if that changes.
    if figure is None or figure.hidden:
        return None
    return figure.value


def _number(value: float | int) -> str:
    return number_format(value, decimal_pos=None, use_l10n=True)


def _ticks(top: float) -> list[int]:
    """About five round ticks from 0 to `top` (pygal's own crowd a narrow phone-sized axis)."""
    steps = (base * 10**power for power in range(12) for base in (1, 2, 5))
    step = next(step for step in steps if top / step <= 5)
    return list(range(0, int(top) + 1, step))


def _left_out(count: int) -> str:
    return ngettext(
        "%(count)d topic is left out of the chart: its group is too small to show.",
        "%(count)d topics are left out of the chart: their groups are too small to show.",
        count,
    ) % {"count": count}


def _rows(chart: pygal.Graph, labels: list[str], series: dict[str, list]) -> None:
    """Labels and series in table order: pygal draws a horizontal chart's first row at the
    bottom, so those are given bottom-up to read from the top like the table."""
    if isinstance(chart, pygal.HorizontalBar):
        labels = labels[::-1]
        series = {title: values[::-1] for title, values in series.items()}
    chart.x_labels = labels
    for title, values in series.items():
        chart.add(title, values)


def _svg(chart: pygal.Graph, name: str, note: str = "") -> Chart | None:
    """The chart as inline SVG, or None when it has nothing to draw (all hidden or empty)."""
    if not any(value is not None for serie in chart.raw_series for value in serie[0]):
        return None

    horizontal = isinstance(chart, pygal.HorizontalBar)

    def accessible(root):
        # pygal writes its config (labels included) into an inline <script> for its tooltips:
        # the page runs no inline script and needs no tooltips (values are printed on the bars).
        for parent in root.iter():
            for child in list(parent):
                tag = child.tag if isinstance(child.tag, str) else ""  # comments have none
                if tag.endswith("script"):
                    parent.remove(child)
                elif horizontal and tag.endswith("text") and child.get("class") == "value":
                    # pygal centres the value on the bar's end, half over it: put it after.
                    child.set("text-anchor", "start")
                    child.set("x", str(float(child.get("x")) + 4))
        root.set("role", "img")
        root.set("aria-label", name)
        return root

    chart.add_xml_filter(accessible)
    # The labels are escaped by pygal's XML serialiser (tests/dashboard/test_charts.py holds it
    # to that), and the tree has no script: the markup is ours, safe to inline.
    return Chart(name=name, svg=mark_safe(chart.render(is_unicode=True)), note=note)  # noqa: S308


def _bars(kind: Callable[..., pygal.Graph], **config) -> pygal.Graph:
    defaults = dict(
        style=STYLE,
        width=WIDTH,
        js=[],
        disable_xml_declaration=True,
        print_values=True,
        print_values_position="top",
        show_y_guides=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=2,
        formatter=_number,
        margin=8,
        truncate_label=-1,  # _short() cuts labels; pygal's own cut also cut the axis numbers
        truncate_legend=-1,
        no_data_text=_("No data yet"),
    )
    return kind(**{**defaults, **config})


def _rates(report: Report) -> Chart | None:
    rows = [
        (_("Sessions held vs expected"), report.adherence),
        (_("Survey answers, mentors"), report.response_rate_mentors),
        (_("Survey answers, mentees"), report.response_rate_mentees),
    ]
    shown = [value for _label, figure in rows if (value := _value(figure)) is not None]
    chart = _bars(
        pygal.HorizontalBar,
        height=80 + BAR_HEIGHT * len(rows),
        # Headroom past the longest bar for the value printed at its end.
        range=(0, 1.15 * max([100, *shown])),
        y_labels=_ticks(max([100, *shown])),
        show_legend=False,
        formatter=lambda value: f"{_number(value)}%",
    )
    _rows(
        chart,
        [_hidden(label, [figure]) for label, figure in rows],
        {_("Percent"): [_value(figure) for _label, figure in rows]},
    )
    return _svg(chart, _("Bar chart: sessions held vs expected and survey response rates, in %"))


def _nps(report: Report) -> Chart | None:
    rows = [(_("Mentors"), report.nps_mentors), (_("Mentees"), report.nps_mentees)]
    chart = _bars(
        pygal.HorizontalBar,
        height=80 + BAR_HEIGHT * len(rows),
        range=(-100, 125),
        y_labels=[-100, -50, 0, 50, 100],
        show_legend=False,
    )
    _rows(
        chart,
        [_hidden(label, [figure]) for label, figure in rows],
        {_("NPS"): [_value(figure) for _label, figure in rows]},
    )
    return _svg(chart, _("Bar chart: net promoter score per side, from -100 to 100"))


def _learning(report: Report) -> Chart | None:
    shown = [row for row in report.learning if not (row.start.hidden and row.end.hidden)]
    chart = _bars(
        pygal.HorizontalBar,
        height=100 + BAR_HEIGHT * 2 * len(shown),
        range=(0, 5.6),
        y_labels=[0, 1, 2, 3, 4, 5],
    )
    _rows(
        chart,
        [_hidden(row.topic, [row.start, row.end]) for row in shown],
        {
            _("At enrolment"): [_value(row.start) for row in shown],
            _("At the end"): [_value(row.end) for row in shown],
        },
    )
    left_out = len(report.learning) - len(shown)
    return _svg(
        chart,
        _("Bar chart: mentees' mean confidence per topic (1 to 5), at enrolment and at the end"),
        _left_out(left_out) if left_out else "",
    )


def _coverage(report: Report) -> Chart | None:
    shown = [row for row in report.coverage if not row.sessions.hidden]
    top = max([1, *(row.sessions.value or 0 for row in shown)])
    chart = _bars(
        pygal.HorizontalBar,
        height=80 + BAR_HEIGHT * len(shown),
        range=(0, 1.15 * top),
        y_labels=_ticks(top),
        show_legend=False,
    )
    _rows(
        chart,
        [_short(row.topic) for row in shown],
        {_("Sessions"): [_value(row.sessions) for row in shown]},
    )
    left_out = len(report.coverage) - len(shown)
    return _svg(
        chart,
        _("Bar chart: held sessions whose log covers each topic"),
        _left_out(left_out) if left_out else "",
    )


def _months(report: Report) -> Chart | None:
    # Every month keeps its place on the time axis; a hidden one is labelled so, with no bar.
    chart = _bars(pygal.Bar, height=320, x_label_rotation=0 if len(report.months) <= 4 else 30)
    _rows(
        chart,
        [
            _hidden(date_format(row.month, "M Y"), [row.sessions, row.hours])
            for row in report.months
        ],
        {
            _("Sessions held"): [_value(row.sessions) for row in report.months],
            _("Mentoring hours"): [_value(row.hours) for row in report.months],
        },
    )
    return _svg(chart, _("Bar chart: sessions held and mentoring hours per month"))
