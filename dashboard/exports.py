"""Any staff table as a file: `?format=csv` or `?format=xlsx` on the page that shows it.

A table is a list of Columns and an iterable of rows (dicts keyed by the columns' keys). CSV streams, with a UTF-8
byte-order mark so that Excel reads the Vietnamese names as UTF-8; xlsx is built with openpyxl in write-only mode
(bounded memory), with bold headers, column widths from the first rows, and dates and times as real spreadsheet
dates in the city's time zone. Files are named `<name>-<yyyy-mm-dd>.<ext>` after the day they were made.

Cells are user-supplied text (descriptions, addresses, names), so a text cell that a spreadsheet would take for a
formula (starting with = + - @, or a tab or carriage return that hides one) is written with a leading apostrophe:
opening the file never runs anything (OWASP "CSV injection"). Numbers are written as numbers and never prefixed.
"""

import csv
import datetime
import decimal
import io
import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext as _

from reports import clock

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters that make a spreadsheet read a cell as a formula, or hide one after a line break.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Column widths are measured on this many rows: enough to be right, few enough not to hold a large export in memory.
WIDTH_SAMPLE = 200
MAX_WIDTH = 60
# An xlsx file is built whole before it is sent; beyond this many rows the CSV (streamed) is the way.
MAX_XLSX_ROWS = 100_000


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # a lazy translation: the file speaks the page's language


class BadFormat(ValueError):
    pass


def wanted_format(request) -> str | None:
    """The ?format= asked for: None for the page itself, "csv" or "xlsx"; BadFormat for anything else."""
    value = request.GET.get("format")
    if value in (None, ""):
        return None
    if value not in FORMATS:
        raise BadFormat(_("format must be csv or xlsx."))
    return value


def bad_format(error) -> HttpResponse:
    return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")


def guard(value):
    """A text cell that could run as a formula, made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _local(value):
    """Datetimes in the city's time zone; spreadsheets know no time zone, so xlsx gets them naive."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _text(value) -> str:
    value = _local(value)
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return str(round(value.total_seconds() / 3600, 1))
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float | decimal.Decimal):
        return str(value)
    return guard(force_str(value))


def _cell(value):
    value = _local(value)
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, datetime.timedelta):
        # Durations as hours, as the pages say them.
        return round(value.total_seconds() / 3600, 1)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if value is None or isinstance(value, int | float | bool | datetime.date):
        return value
    return guard(force_str(value))


def filename(name: str, extension: str) -> str:
    return f"{name}-{timezone.localtime(clock.now()).date().isoformat()}.{extension}"


def _disposition(response, name, extension):
    response["Content-Disposition"] = f'attachment; filename="{filename(name, extension)}"'
    return response


class _Echo:
    def write(self, value):
        return value


def csv_lines(columns: list[Column], rows: Iterable[dict]):
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([force_str(c.header) for c in columns])
    for row in rows:
        yield writer.writerow([_text(row.get(c.key)) for c in columns])


def csv_response(name: str, columns: list[Column], rows: Iterable[dict]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(columns, rows), content_type="text/csv; charset=utf-8")
    return _disposition(response, name, "csv")


def _width(value) -> int:
    if isinstance(value, datetime.datetime):
        return 19
    if isinstance(value, datetime.date):
        return 10
    return len(force_str(value)) if value is not None else 0


def xlsx_bytes(columns: list[Column], rows: Iterable[dict], title: str = "") -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=(title or "data")[:31])
    rows = iter(rows)
    sample = [[_cell(row.get(c.key)) for c in columns] for row in itertools.islice(rows, WIDTH_SAMPLE)]
    headers = [force_str(c.header) for c in columns]
    # Column widths must be set before the first row of a write-only sheet.
    for i, header in enumerate(headers):
        widest = max([len(header), *(_width(values[i]) for values in sample)])
        sheet.column_dimensions[get_column_letter(i + 1)].width = min(MAX_WIDTH, widest + 2)
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=guard(header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    sheet.freeze_panes = "A2"

    def styled(values):
        out = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, datetime.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
            out.append(cell)
        return out

    for values in sample:
        sheet.append(styled(values))
    for row in rows:
        sheet.append(styled([_cell(row.get(c.key)) for c in columns]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(name: str, columns: list[Column], rows: Iterable[dict]) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(columns, rows, title=name), content_type=XLSX_TYPE)
    return _disposition(response, name, "xlsx")


def export(fmt: str, name: str, columns: list[Column], rows: Iterable[dict]):
    """The table as a download in `fmt` ("csv" or "xlsx")."""
    if fmt == "xlsx":
        return xlsx_response(name, columns, rows)
    return csv_response(name, columns, rows)
