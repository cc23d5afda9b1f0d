"""CSV, XLSX and JSON twins of a table page, all built from the same frame.

Column keys are a stable contract (English, snake_case); decimals come already rounded by
their criteria set's rule (`rankings.printed`) and are written as they are: strings in CSV
and JSON, numeric cells in XLSX whose number format has exactly the value's decimals. Yes/no
columns (`tied`) are true/false in JSON, True/False in CSV (both read by programs, with the
English keys) and "có"/"không" in XLSX, whose headers are Vietnamese for people.

Text that a spreadsheet would run as a formula (an agency named "=HYPERLINK(...)", "+1",
"@SUM(...)") is prefixed with an apostrophe in CSV and XLSX (OWASP's "CSV injection");
numbers, negative ones included, are numbers and stay as they are. JSON is not touched.
"""

import csv
import io
import json
from collections.abc import Mapping
from decimal import Decimal

import pandas as pd
from django.http import HttpResponse
from django.utils.translation import gettext, gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from rankings.formatting import places_of

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def _cell(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item") and not isinstance(value, Decimal):  # numpy / pandas scalars
        return value.item()
    return value


# What makes Excel, LibreOffice or Google Sheets read a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(text: str) -> str:
    """`text`, with a leading ' when a spreadsheet would take it for a formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


YES_NO = {True: gettext_lazy("có"), False: gettext_lazy("không")}


def _safe(value):
    """A cell's value as written to CSV/XLSX: text neutralised, numbers untouched."""
    value = _cell(value)
    return neutralised(value) if isinstance(value, str) else value


def _sheet_value(value):
    """A cell's value in XLSX: as `_safe`, with yes/no in words of the reader's language."""
    value = _safe(value)
    return str(YES_NO[value]) if isinstance(value, bool) else value


def _text(value) -> str:
    value = _safe(value)
    return "" if value is None else str(value)


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so Excel in Vietnamese offices shows the diacritics."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_text(c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        writer.writerow([_text(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(
    frame: pd.DataFrame, *, title: str, headers: Mapping[str, object] | None = None, note: str = ""
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = gettext("Xep hang")  # ASCII: the sheet name some tools still mangle
    sheet.append([_safe(title)])
    sheet["A1"].font = Font(bold=True, size=12)
    if note:
        sheet.append([_safe(note)])
    sheet.append([_safe(str((headers or {}).get(c, c))) for c in frame.columns])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for row in frame.itertuples(index=False):
        sheet.append([_sheet_value(v) for v in row])
        for cell, value in zip(sheet[sheet.max_row], row, strict=True):
            if isinstance(value, Decimal):
                cell.number_format = number_format(value)
    for index, column in enumerate(frame.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(str(column)) + 2)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def number_format(value: Decimal) -> str:
    """The spreadsheet format showing exactly `value`'s decimals: 0.0 for 141.6, 0 for 138."""
    places = max(places_of(value), 0)
    return "0" if places == 0 else "0." + "0" * places


def to_json(frame: pd.DataFrame, *, meta: dict) -> bytes:
    rows = [
        {column: _json_value(value) for column, value in zip(frame.columns, row, strict=True)}
        for row in frame.itertuples(index=False)
    ]
    return json.dumps({**meta, "rows": rows}, ensure_ascii=False, indent=1).encode("utf-8")


def _json_value(value):
    value = _cell(value)
    return str(value) if isinstance(value, Decimal) else value


def respond(
    frame: pd.DataFrame,
    *,
    fmt: str,
    filename: str,
    title: str,
    meta: dict,
    headers: dict[str, str] | None = None,
    note: str = "",
) -> HttpResponse:
    if fmt == "csv":
        body = to_csv(frame)
    elif fmt == "xlsx":
        body = to_xlsx(frame, title=title, headers=headers, note=note)
    else:
        body = to_json(frame, meta=meta)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    if fmt != "json":
        response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
