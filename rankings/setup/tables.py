"""Reading an uploaded .xlsx or .csv into rows keyed by the columns a setup import knows.

Headers are matched by their name key (`agencies.names.name_key`), so "Tên đơn vị",
"TÊN ĐƠN VỊ" and "Tên  đơn vị." are one column. Every problem names the row (as the
spreadsheet numbers it) and the column, in the user's language (Vietnamese first); a
problem never writes anything.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext
from openpyxl import load_workbook

from agencies.names import name_key

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5_000
MAX_COLUMNS = 60


@dataclass(frozen=True)
class Problem:
    """One reason an import is refused: the row and column it is about, and what is wrong."""

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(gettext("dòng %(r)s") % {"r": self.row})
        if self.column:
            where.append(gettext("cột “%(c)s”") % {"c": self.column})
        return f"{', '.join(where)}: {self.message}" if where else self.message


class Refused(Exception):
    """The upload cannot be read at all (wrong type, damaged, too large, no header)."""


@dataclass
class Sheet:
    """The data rows of an upload: `rows` of (row number, {field: value}), and the headers."""

    rows: list[tuple[int, dict[str, object]]]
    headers: dict[str, str]  # field → the header as the file printed it
    extra: list[str] = field(default_factory=list)  # headers no field knows
    extra_at: dict[str, int] = field(default_factory=dict)  # such a header → its position
    cells: dict[int, list] = field(default_factory=dict)  # row number → the row as read

    def extra_value(self, number: int, header: str) -> object:
        """The cell of an `extra` column in data row `number`."""
        return _at(self.cells.get(number, []), self.extra_at[header])

    def column(self, name: str) -> str:
        return self.headers.get(name, name)


def read_sheet(
    data: bytes, filename: str, *, columns: dict[str, tuple[str, ...]], required: tuple[str, ...]
) -> Sheet:
    """The rows below the first row that holds every `required` column's header.

    `columns` maps a field to the headers it may be printed under. Cells are kept as read
    (text, number, date); the import converts and checks them.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise Refused(gettext("tệp nặng hơn giới hạn %(m)s MB.") % {"m": MAX_UPLOAD_BYTES >> 20})
    grid = _grid(data, filename)
    wanted = {name_key(h): name for name, headers in columns.items() for h in (name, *headers)}
    for index, (_number, cells) in enumerate(grid):  # noqa: B007 - the header row, used below
        found = {}
        for position, cell in enumerate(cells):
            key = name_key(str(cell or ""))
            if key in wanted and wanted[key] not in found:
                found[wanted[key]] = (position, str(cell).strip())
        if all(name in found for name in required):
            break
    else:
        names = ", ".join(f"“{columns[name][0] if columns[name] else name}”" for name in required)
        raise Refused(gettext("không tìm thấy dòng tiêu đề có các cột %(n)s.") % {"n": names})
    header_cells = grid[index][1]
    known = {position for position, _ in found.values()}
    extra_at = {
        str(c).strip(): p for p, c in enumerate(header_cells) if not _blank(c) and p not in known
    }
    rows, kept = [], {}
    for number, cells in grid[index + 1 :]:
        record = {name: _at(cells, position) for name, (position, _) in found.items()}
        if any(not _blank(v) for v in record.values()):
            rows.append((number, record))
            kept[number] = cells
    if len(rows) > MAX_ROWS:
        raise Refused(
            gettext("tệp có %(n)s dòng dữ liệu, vượt giới hạn %(m)s.")
            % {"n": len(rows), "m": MAX_ROWS}
        )
    headers = {name: header for name, (_, header) in found.items()}
    return Sheet(rows, headers, list(extra_at), extra_at, kept)


def _grid(data: bytes, filename: str) -> list[tuple[int, list]]:
    if data[:4] == b"PK\x03\x04":
        return _xlsx(data, filename)
    if filename.lower().endswith((".xlsx", ".xls")):
        raise Refused(
            gettext("tệp “%(f)s” không phải bảng tính .xlsx (hãy lưu lại dạng .xlsx).")
            % {"f": filename}
        )
    return _csv(data, filename)


def _xlsx(data: bytes, filename: str) -> list[tuple[int, list]]:
    from rankings.imports.upload_safety import (
        package_problem,  # the zip-bomb and OOXML checks of uploads
    )

    if problem := package_problem(io.BytesIO(data), filename, required=("xl/workbook.xml",)):
        raise Refused(problem)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise Refused(
            gettext("tệp “%(f)s” bị hỏng (%(e)s).") % {"f": filename, "e": type(error).__name__}
        ) from error
    try:
        sheet = workbook.worksheets[0]
        grid = []
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS * 2:
                raise Refused(gettext("trang tính có hơn %(n)s dòng.") % {"n": MAX_ROWS * 2})
            cells = list(row[:MAX_COLUMNS])
            if any(not _blank(c) for c in cells):
                grid.append((number, cells))
        return grid
    finally:
        workbook.close()


def _csv(data: bytes, filename: str) -> list[tuple[int, list]]:
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1258 decodes almost anything
        raise Refused(gettext("tệp “%(f)s” không phải văn bản UTF-8.") % {"f": filename})
    if "\x00" in text:
        raise Refused(gettext("tệp “%(f)s” không phải .csv hay .xlsx.") % {"f": filename})
    sample = text[:4096]
    delimiter = max((",", ";", "\t"), key=sample.count)
    grid = []
    for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        if number > MAX_ROWS * 2:
            raise Refused(gettext("tệp có hơn %(n)s dòng.") % {"n": MAX_ROWS * 2})
        if any(c.strip() for c in cells):
            grid.append((number, cells[:MAX_COLUMNS]))
    return grid


def _at(cells: list, position: int) -> object:
    value = cells[position] if position < len(cells) else None
    return value.strip() if isinstance(value, str) else value


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_GROUPED = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d+)?$")  # 1.000,5: Vietnamese thousands


def decimal(value: object) -> Decimal | None:
    """A number as a spreadsheet or a decision prints it (90,479 or 90.479); None if not."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    raw = text(value).replace(" ", "")
    if _GROUPED.match(raw) and raw.count(".") > 1:
        raw = raw.replace(".", "")
    if not _NUMBER.match(raw):
        return None
    try:
        return Decimal(raw.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern already checked it
        return None


def date(value: object) -> datetime.date | None:
    """A date cell, or text as dd/mm/yyyy or yyyy-mm-dd; None if it is neither."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raw = text(value)
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    return None
