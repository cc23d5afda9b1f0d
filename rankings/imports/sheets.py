"""Reading an upload's cells: an .xlsx sheet or a CSV as a grid of rows, formulas refused."""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterator

from django.utils.translation import gettext, gettext_noop
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from rankings.imports.template_workbook import (
    SLUG,
    entry_sheets,
    normalise_header,
)
from rankings.imports.types import (
    _MOJIBAKE,
    MAX_COLUMNS,
    MAX_DATA_ROWS,
    MAX_HEAD_ROWS,
    MAX_LINE_CHARS,
    MAX_SCANNED_ROWS,
    ImportProblem,
    Progress,
    _Phase,
    _Refusal,
)
from rankings.imports.upload_safety import _damaged, _thousands, _xml_parts_check, package_problem


class _Formula(str):
    """A cell that holds a formula (its text, "=..."): refused, never evaluated or stored."""


# Translated where it is used (a problem is written in the request's language).
FORMULA_MESSAGE = gettext_noop(
    "công thức không được chấp nhận; hãy dán giá trị (Dán đặc biệt → Giá trị)"
)
MAX_FORMULA_PROBLEMS = 50


def _cell_value(cell) -> object:
    if getattr(cell, "data_type", None) == "f":
        value = cell.value
        return _Formula(getattr(value, "text", None) or value)  # ArrayFormula has .text
    return cell.value


def _may_hold_formula(row: tuple) -> bool:
    """Whether a row of values may hold a formula. Read with data_only=False, a formula
    cell's value is its text, "=..." (shared formulas too), or an ArrayFormula or a
    DataTableFormula; so may a text cell's be."""
    for value in row:
        if isinstance(value, str):
            if value.startswith("="):
                return True
        elif isinstance(value, ArrayFormula | DataTableFormula):
            return True
    return False


def _sheet_rows(sheet) -> Iterator[list]:
    """Every row of `sheet` (blank ones too) as values, a formula cell as a `_Formula`.

    Values are read three times faster than cells, and a formula cell's value always
    looks like one (`_may_hold_formula`); from the first row holding such a value, the rest
    of the sheet is read as cells, whose type tells a formula from text typed with "=".
    """
    values = sheet.iter_rows(values_only=True)
    number = 0
    try:
        for row in values:
            number += 1
            if _may_hold_formula(row):
                break
            yield list(row)
        else:
            return
    finally:
        values.close()  # closes the sheet's part in the zip
    for cells in sheet.iter_rows(min_row=number):
        yield [_cell_value(cell) for cell in cells]


def _xlsx_grid(upload: bytes, filename: str, progress: Progress) -> list[tuple[int, list]]:
    try:
        problem = package_problem(io.BytesIO(upload), filename, required=("xl/workbook.xml",))
        if problem:
            raise _Refusal(problem)
        with zipfile.ZipFile(io.BytesIO(upload)) as archive:
            _xml_parts_check(archive, filename)
        # data_only=False: a formula cell reads as its text, "=...", and is refused
        workbook = load_workbook(io.BytesIO(upload), read_only=True, data_only=False)
    except _Refusal:
        raise
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise _damaged(filename, error) from error
    try:
        entry = next((name for name in entry_sheets() if name in workbook.sheetnames), None)
        if entry is not None:
            sheet = workbook[entry]
        elif workbook.worksheets:
            sheet = workbook.worksheets[0]
        else:
            raise _Refusal(
                gettext("tệp “%(f)s” không có trang tính nào — không có dòng dữ liệu.")
                % {"f": filename}
            )
        # The file's own claim: good enough for a progress bar, never trusted further.
        declared = min(sheet.max_row or 0, MAX_DATA_ROWS)
        sheet.reset_dimensions()  # a file's declared size may be wrong; read what is there
        grid = _Grid(gettext("trang tính"))
        rows = _Phase(progress, "read", declared).over(_sheet_rows(sheet))
        for number, cells in enumerate(rows, start=1):
            grid.add(number, cells)
        return grid.rows
    except _Refusal:
        raise
    except Exception as error:
        raise _damaged(filename, error) from error
    finally:
        workbook.close()


class _Grid:
    """A sheet's non-blank rows, (number, cells); refuses a long sheet before reading it all.

    Data rows (below the header, the row with `agency_slug`) are limited to
    `MAX_DATA_ROWS`, rows above it to `MAX_HEAD_ROWS`, and blank rows are skipped but
    counted, up to `MAX_SCANNED_ROWS`.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.rows: list[tuple[int, list]] = []
        self.header: int | None = None
        self.data = 0

    def add(self, number: int, cells: list) -> None:
        if number > MAX_SCANNED_ROWS:
            raise _Refusal(
                gettext(
                    "%(k)s có hơn %(n)s dòng (kể cả dòng trống) — đã dừng đọc; hãy xoá các "
                    "dòng thừa."
                )
                % {"k": self.kind, "n": _thousands(MAX_SCANNED_ROWS)}
            )
        cells = _trimmed(cells)
        if not cells:
            return
        if self.header is None:
            if any(normalise_header(cell) == SLUG for cell in cells):
                self.header = number
            elif len(self.rows) >= MAX_HEAD_ROWS:
                raise _Refusal(
                    gettext(
                        "%(k)s không có dòng tiêu đề (ô “%(s)s”) trong %(n)s dòng có dữ liệu "
                        "đầu tiên — đã dừng đọc; hãy dùng mẫu tải về."
                    )
                    % {"k": self.kind, "s": SLUG, "n": _thousands(MAX_HEAD_ROWS)}
                )
        else:
            self.data += 1
            if self.data > MAX_DATA_ROWS:
                raise _Refusal(
                    gettext(
                        "%(k)s có hơn %(n)s dòng dữ liệu (đã dừng đọc ở dòng %(r)s); một kỳ "
                        "đánh giá chỉ có vài trăm đơn vị — hãy bỏ các dòng thừa."
                    )
                    % {"k": self.kind, "n": _thousands(MAX_DATA_ROWS), "r": _thousands(number)}
                )
        self.rows.append((number, cells))


def _formula_problems(grid: list[tuple[int, list]]) -> tuple[ImportProblem, ...]:
    """Every formula cell, located by row and by column header (else letter)."""
    names: dict[int, str] = {}
    for _, cells in grid:
        if any(normalise_header(cell) == SLUG for cell in cells):
            names = {i: str(c).strip() for i, c in enumerate(cells) if not _blank(c)}
            break
    found = [
        (number, index, cell)
        for number, cells in grid
        for index, cell in enumerate(cells)
        if isinstance(cell, _Formula)
    ]
    problems = [
        ImportProblem(
            gettext(FORMULA_MESSAGE),
            row=number,
            column=names.get(index) or get_column_letter(index + 1),
            value=str(cell)[:80],
        )
        for number, index, cell in found[:MAX_FORMULA_PROBLEMS]
    ]
    if len(found) > MAX_FORMULA_PROBLEMS:
        problems.append(
            ImportProblem(
                gettext("và %(n)s ô công thức khác nữa.") % {"n": len(found) - MAX_FORMULA_PROBLEMS}
            )
        )
    return tuple(problems)


def _trimmed(cells: list) -> list:
    while cells and _blank(cells[-1]):
        cells.pop()
    if len(cells) > MAX_COLUMNS:
        raise _Refusal(
            gettext("trang tính có hơn %(n)s cột; hãy bỏ các cột thừa.") % {"n": MAX_COLUMNS}
        )
    return cells


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _csv_grid(
    upload: bytes, filename: str, progress: Progress
) -> tuple[list[tuple[int, list]], str]:
    text, encoding = _decode(upload, filename)
    lines = max(text.count("\n"), text.count("\r"))  # no copy: a million lines are refused here
    if lines > MAX_SCANNED_ROWS:
        raise _Refusal(
            gettext("tệp CSV có hơn %(n)s dòng (kể cả dòng trống); hãy bỏ các dòng thừa.")
            % {"n": _thousands(MAX_SCANNED_ROWS)}
        )
    text = unicodedata.normalize("NFC", text)  # Windows-1258 writes tones as combining marks
    for number, line in enumerate(text.splitlines(), start=1):
        _line_checked(number, line, filename)
    return _csv_rows(text, progress), encoding


def _line_checked(number: int, line: str, filename: str) -> None:
    """Refuse a line too long, with broken characters, mojibake or control characters."""
    if len(line) > MAX_LINE_CHARS:
        raise _Refusal(
            gettext(
                "tệp CSV có dòng %(r)s dài %(n)s ký tự, vượt giới hạn %(m)s; hãy kiểm tra lại tệp."
            )
            % {"r": number, "n": _thousands(len(line)), "m": _thousands(MAX_LINE_CHARS)}
        )
    if "\ufffd" in line:
        raise _Refusal(
            gettext(
                "tệp CSV bị lỗi bảng mã: dòng %(r)s có ký tự “\ufffd” (chữ đã bị hỏng khi "
                "lưu). Hãy lưu lại tệp gốc dạng “CSV UTF-8” hoặc dùng mẫu .xlsx."
            )
            % {"r": number}
        )
    found = _MOJIBAKE.search(line)
    if found:
        sample = line[max(found.start() - 8, 0) : found.end() + 8].strip()
        raise _Refusal(
            gettext(
                "tệp CSV bị lỗi bảng mã: dòng %(r)s có “%(s)s” — chữ tiếng Việt dạng "
                "UTF-8 đã bị đọc nhầm thành Windows-1252 rồi lưu lại. Hãy mở tệp gốc bằng "
                "Excel (Dữ liệu → Từ văn bản/CSV, bảng mã 65001: Unicode UTF-8), lưu dạng "
                "“CSV UTF-8”, hoặc dùng mẫu .xlsx."
            )
            % {"r": number, "s": sample}
        )
    if any(unicodedata.category(c) == "Cc" and c not in "\t" for c in line):
        raise _Refusal(
            gettext(
                "tệp “%(f)s” không phải tệp CSV dạng văn bản (dòng %(r)s có ký tự "
                "điều khiển); chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."
            )
            % {"f": filename, "r": number}
        )


def _csv_rows(text: str, progress: Progress) -> list[tuple[int, list]]:
    """The checked text's records, split at its delimiter; a cell starting "=" a formula."""
    delimiter = _delimiter(text)
    grid = _Grid(gettext("tệp CSV"))
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        lines = len(text.splitlines())  # records, unless a quoted cell spans lines
        for number, cells in enumerate(_Phase(progress, "read", lines).over(reader), start=1):
            grid.add(number, [_Formula(c) if c.lstrip().startswith("=") else c for c in cells])
    except csv.Error as error:
        raise _Refusal(gettext("tệp CSV sai cấu trúc: %(e)s.") % {"e": error}) from error
    return grid.rows


def _decode(data: bytes, filename: str) -> tuple[str, str]:
    """Text of a CSV: by its byte-order mark, else UTF-8, UTF-16, then Windows-1258."""
    boms = (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    )
    for bom, encoding in boms:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise _Refusal(
                    gettext(
                        "tệp CSV “%(f)s” khai báo bảng mã %(e)s nhưng có byte không hợp lệ ở "
                        "vị trí %(p)s; hãy lưu lại dạng “CSV UTF-8”."
                    )
                    % {"f": filename, "e": encoding.upper(), "p": error.start}
                ) from error
    if b"\x00" in data:
        # No text file holds NUL bytes; UTF-16 without a BOM holds one in every ASCII pair.
        odd_nuls = data[1::2].count(0)
        candidates = (
            ["utf-16-le", "utf-16-be"]
            if odd_nuls >= data[::2].count(0)
            else [
                "utf-16-be",
                "utf-16-le",
            ]
        )
    else:
        candidates = ["utf-8", "cp1258"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text, encoding
    raise _Refusal(
        gettext(
            "không nhận ra bảng mã của tệp CSV “%(f)s” (đã thử UTF-8, UTF-16, Windows-1258); "
            "hãy lưu lại dạng “CSV UTF-8” hoặc dùng mẫu .xlsx."
        )
        % {"f": filename}
    )


def _delimiter(text: str) -> str:
    """Comma, semicolon (Excel with a decimal comma) or tab (Excel's "Unicode text")."""
    line = next((line for line in text.splitlines() if SLUG in line.lower()), "")
    counts = {d: len(next(csv.reader([line], delimiter=d), [])) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))
