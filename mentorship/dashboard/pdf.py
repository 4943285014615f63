"""The dashboard as a PDF for the board: the print template turned into PDF by xhtml2pdf (pure
Python, on reportlab), in Be Vietnam Pro from the fontpkg-be-vietnam-pro package, since
reportlab's built-in fonts have no Vietnamese and almost no Turkish letters."""

import functools
import io
import re
from dataclasses import replace
from importlib.resources import files
from pathlib import Path

from django.utils.safestring import SafeString, mark_safe
from svglib import fonts as svg_fonts
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from mentorship.dashboard.charts import Chart

FONT_FAMILY = "Be Vietnam Pro"
# A chart is drawn 480 units wide (charts.WIDTH) with 14-unit labels: at 11 cm they print at
# 9 pt, the size of the tables' text.
CHART_WIDTH_CM = 11.0

_CHART_ID = re.compile(r'<svg[^>]* id="([\w-]+)"')
_FONT_FAMILY = re.compile(r"font-family:[^;}]*")
# svglib follows pygal's CSS but not its opacity, so the guides a browser hides (one per bar)
# would print, and the others as heavy dashes: on paper, light solid lines across the values.
_PRINT_GUIDES = (
    "#{id} .axis .guide.line,#{id} .axis .major.guide.line"
    "{{stroke:#c9d1de;stroke-dasharray:none}}"
    "#{id} .vertical .axis.x .guide.line,#{id} .horizontal .axis.y .guide.line"
    "{{stroke:none}}"
)


class PdfError(RuntimeError):
    """xhtml2pdf reported an error: the document would be incomplete."""


@functools.cache
def font_files() -> dict[str, Path]:
    """The regular and bold faces, found where pip installed their package."""
    folder = Path(str(files("fontpkg_be_vietnam_pro") / "files"))
    return {
        "regular": folder / "BeVietnamPro-Regular.ttf",
        "bold": folder / "BeVietnamPro-Bold.ttf",
    }


@functools.cache
def _policy() -> ResourceAccessPolicy:
    # The document is ours, but topic names in it are typed by HR: whatever it names, the render
    # reads the font files and nothing else (no network, no other file), and has a time limit.
    return ResourceAccessPolicy.server(
        base_dir=font_files()["regular"].parent, allow_remote=False, max_render_seconds=60
    )


@functools.cache
def _register_chart_font() -> None:
    """Teach svglib (which draws the charts) the font: by default it would draw their text in
    Helvetica, without Vietnamese letters, after asking fontconfig about each family name."""
    faces = font_files()
    svg_fonts.register_font_family(FONT_FAMILY, str(faces["regular"]), str(faces["bold"]))


def pdf_charts(charts: dict[str, Chart]) -> dict[str, Chart]:
    """The page's charts in the report's font, with print guides, sized for paper (xhtml2pdf
    draws them as the page does, as <img>: `Chart.image`)."""
    # An <img>'s width is in CSS pixels, 96 to the inch.
    pixels = CHART_WIDTH_CM / 2.54 * 96
    return {
        key: replace(chart, svg=_for_print(chart.svg), image_width=pixels)
        for key, chart in charts.items()
    }


def _for_print(svg: str) -> SafeString:
    svg = _FONT_FAMILY.sub(f'font-family:"{FONT_FAMILY}"', svg)
    chart_id = _CHART_ID.search(svg)
    if chart_id:
        svg = svg.replace("</style>", _PRINT_GUIDES.format(id=chart_id[1]) + "</style>", 1)
    return mark_safe(svg)  # noqa: S308 - the chart's own markup, changed only in its CSS


def html_to_pdf(html: str) -> bytes:
    """The PDF of `html`, or PdfError when xhtml2pdf could not render all of it."""
    _register_chart_font()
    out = io.BytesIO()
    result = pisa.CreatePDF(html, dest=out, encoding="utf-8", resource_policy=_policy())
    if result.err:
        raise PdfError(f"xhtml2pdf reported {result.err} error(s)")
    return out.getvalue()
