"""The monthly report for the province's leaders, as a PDF: the month's figures, the months before it as a chart,
the figures by category, by ward and by agency, and the cameras'.

A month's figures count the cases received in that month as they stand when the report is made (the rollups'
months: reports/rollups/figures.py), so a report made again later can show more cases handled. Everything is read
from the rollups except the camera figures (dashboard/overview/cameras.py).

Vietnamese needs a font that holds its letters: the first of FONT_CANDIDATES found is embedded (DejaVu Sans, from
Debian's fonts-dejavu-core). Without one the report falls back to Helvetica, whose encoding lacks most Vietnamese
letters: it is still made, and the log says which package to install.
"""

import datetime
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from reports import clock
from reports.models import Rollup
from reports.rollups import read
from reports.rollups.figures import FIGURES

from .overview import selectors
from .overview.cameras import camera_figures

log = logging.getLogger(__name__)

Dimension = read.Dimension
CHART_MONTHS = 12
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
FONT_CANDIDATES = ("DejaVuSans.ttf", "DejaVuSansCondensed.ttf")
BOLD_CANDIDATES = ("DejaVuSans-Bold.ttf", "DejaVuSansCondensed-Bold.ttf")
FONT_NAME = "ReportSans"
BOLD_NAME = "ReportSans-Bold"


def report_months(current: datetime.date) -> list[datetime.date]:
    """The months a report can be made for, newest first: from the first month with a case to `current`."""
    first = (
        Rollup.objects.filter(dimension=Dimension.CITY)
        .exclude(month=Rollup.ALL_TIME)
        .order_by("month")
        .values_list("month", flat=True)
        .first()
    )
    if first is None or first > current:
        return []
    months = []
    month = current
    while month >= first:
        months.append(month)
        month = read.add_months(month, -1)
    return months


@dataclass
class Fonts:
    regular: str
    bold: str
    embedded: bool


_fonts: Fonts | None = None


def _find(names) -> Path | None:
    extra = getattr(settings, "REPORT_FONT_DIR", None)
    for folder in (*((Path(extra),) if extra else ()), *FONT_DIRS):
        for name in names:
            if (folder / name).is_file():
                return folder / name
    return None


def fonts() -> Fonts:
    """Register the report's fonts once per process."""
    global _fonts
    if _fonts is not None:
        return _fonts
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular, bold = _find(FONT_CANDIDATES), _find(BOLD_CANDIDATES)
    if regular is None:
        log.warning("no font with Vietnamese letters found (install fonts-dejavu-core): the PDF uses Helvetica")
        _fonts = Fonts("Helvetica", "Helvetica-Bold", False)
        return _fonts
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(regular)))
    pdfmetrics.registerFont(TTFont(BOLD_NAME, str(bold or regular)))
    _fonts = Fonts(FONT_NAME, BOLD_NAME, True)
    return _fonts


def _label(name):
    return str(selectors.FIGURE_LABELS[name]).capitalize()


def _percent(value):
    return "–" if value is None else f"{value}%"


def _month_name(month):
    return date_format(month, "m/Y")


def figure_table(month) -> list[list]:
    """[[header...], [values...]] of the month's figures."""
    figures = read.figures(month=month)
    headers = [_label(name) for name in FIGURES] + [_("On time"), _("Satisfaction")]
    values = [getattr(figures, name) for name in FIGURES] + [
        _percent(figures.on_time_percent),
        "–" if figures.satisfaction is None else f"{figures.satisfaction}",
    ]
    return [headers, values]


def _member_table(title, rows) -> list[list]:
    return [[title, *(_label(name) for name in FIGURES)], *([row["name"], *(row[n] for n in FIGURES)] for row in rows)]


def category_table(month) -> list[list]:
    return _member_table(_("Category"), selectors.category_rows(month))


def ward_table(month) -> list[list]:
    rows = [row for row in selectors.ward_rows(month) if row["received"]]
    rows.sort(key=lambda row: (-row["received"], row["name"]))
    return _member_table(_("Ward"), rows)


def agency_table(month) -> list[list]:
    """The agencies with cases received in the month, most overdue first, then most handled."""
    found = read.table(Dimension.AGENCY, month)
    from agencies.models import Agency

    rows = []
    for agency in Agency.objects.filter(pk__in=found):
        f = found[agency.pk]
        rows.append([agency.name, f.received, f.handled, _percent(f.on_time_percent), f.under_review, f.overdue])
    rows.sort(key=lambda row: (-row[5], -row[2], row[0].casefold()))
    headers = [
        _("Agency"),
        _label("received"),
        _label("handled"),
        _("On time"),
        _label("under_review"),
        _label("overdue"),
    ]
    return [headers, *rows]


def camera_table(month) -> list[list]:
    start, end = selectors.month_span(month)
    found = camera_figures(start, end)
    return [
        [str(label).capitalize() for label in selectors.CAMERA_LABELS.values()],
        [getattr(found, name) for name in selectors.CAMERA_LABELS],
    ]


def month_series(month) -> list[tuple[datetime.date, read.Figures]]:
    return read.series(Dimension.CITY, 0, month, CHART_MONTHS)


def _chart(month, font):
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    series = month_series(month)
    drawing = Drawing(480, 200)
    bars = VerticalBarChart()
    bars.x, bars.y, bars.width, bars.height = 40, 40, 420, 130
    bars.data = [[f.received for _m, f in series], [f.handled for _m, f in series]]
    bars.categoryAxis.categoryNames = [m.strftime("%m/%y") for m, _f in series]
    bars.categoryAxis.labels.fontName = font
    bars.categoryAxis.labels.fontSize = 7
    bars.valueAxis.labels.fontName = font
    bars.valueAxis.valueMin = 0
    bars.valueAxis.valueMax = max([1, *(value for row in bars.data for value in row)])
    bars.bars[0].fillColor = colors.HexColor("#1f5fa8")
    bars.bars[1].fillColor = colors.HexColor("#2e8540")
    drawing.add(bars)
    legend = Legend()
    legend.x, legend.y = 40, 15
    legend.fontName = font
    legend.fontSize = 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.colorNamePairs = [
        (bars.bars[0].fillColor, pgettext("chart series", "received in the month")),
        (bars.bars[1].fillColor, pgettext("chart series", "of those, handled now")),
    ]
    drawing.add(legend)
    return drawing


def story(month) -> list:
    """The report's flowables, in order (tests read the tables' data from them)."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    used = fonts()
    title = ParagraphStyle("title", fontName=used.bold, fontSize=18, leading=22, spaceAfter=6)
    heading = ParagraphStyle("heading", fontName=used.bold, fontSize=12, leading=15, spaceBefore=10, spaceAfter=4)
    body = ParagraphStyle("body", fontName=used.regular, fontSize=9, leading=12)

    def table(rows, empty):
        if len(rows) < 2:
            return Paragraph(empty, body)
        found = Table(rows, repeatRows=1, hAlign="LEFT")
        found.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), used.regular),
                    ("FONTNAME", (0, 0), (-1, 0), used.bold),
                    ("FONTSIZE", (0, 0), (-1, -1), 8),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
                    ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ]
            )
        )
        return found

    made = timezone.localtime(clock.now())
    return [
        Paragraph(
            _("Monthly report, %(month)s: %(city)s") % {"month": _month_name(month), "city": settings.CITY_NAME}, title
        ),
        Paragraph(
            _(
                "Cases received in %(month)s, as they stand on %(made)s. Handled = resolved and closed; under review = "
                "assigned and in progress; overdue = open past the deadline."
            )
            % {"month": _month_name(month), "made": date_format(made, "SHORT_DATETIME_FORMAT")},
            body,
        ),
        Paragraph(_("The month's figures"), heading),
        table(figure_table(month), ""),
        Paragraph(_("Received and handled, month by month"), heading),
        _chart(month, used.regular),
        Paragraph(_("By category"), heading),
        table(category_table(month), _("No case this month.")),
        Paragraph(_("By ward"), heading),
        table(ward_table(month), _("No case this month.")),
        Paragraph(_("Agencies, most overdue first"), heading),
        table(agency_table(month), _("No case was sent to an agency this month.")),
        Paragraph(_("Cameras"), heading),
        table(camera_table(month), ""),
        Spacer(1, 6),
    ]


def build_pdf(month: datetime.date) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_("Monthly report, %(month)s") % {"month": _month_name(month)},
        author="huesmart",
    )
    document.build(story(month))
    return out.getvalue()
