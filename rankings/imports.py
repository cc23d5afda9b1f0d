"""Bulk entry of scores from a filled template (.xlsx) or a CSV: parse, preview, apply.

`import_parse` reads the file and reports every problem at once, each located as the user
sees it (row number, column header, the value typed, what was expected, in Vietnamese);
rule checks are the engine's own (`scoring.compute`), translated back to rows and columns.
`import_preview` shows the ranking the file would give, writing nothing. `import_apply`
writes the scores and the draft results in one transaction, or nothing at all.

Hostile files are refused before they are read, each with its reason: a zip or XML bomb
inside an .xlsx, another kind of file renamed, a million rows, formulas (see "Hostile
.xlsx" below and the limits). Memory stays within tens of MB whatever the upload.

A view keeps the uploaded bytes between preview and confirmation and parses them again
on confirmation (cheap, and checked against the database as it is then); `digest` lets it
make sure the confirmed file is the one that was previewed.

A province's file (200 agencies × 80 criteria) takes seconds; each function takes an
optional `progress(phase, done, total)` callback, called every few rows (at most about
`REPORTS_PER_PHASE` times a phase, and once when a phase completes with done == total),
so a page can show how far the work has got. Phases, in order: "read" (the sheet's rows;
total 0 while unknown), "check" (the data rows), "compute" (the engine), then "preview" for
a preview, or "save" (agencies written) and "recompute" (the draft results) for an apply.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import BinaryIO
from xml.parsers import expat

import openpyxl.xml
from defusedxml import DefusedXmlException
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

import scoring
from agencies.models import Agency, fold
from rankings import audit, selectors, services
from rankings.models import AssessmentCycle, Criterion, RuleKind, Score, Stage
from rankings.templates_xlsx import (
    CYCLE_LABEL,
    ENTRY_SHEET,
    NAME,
    NOTE,
    SLUG,
    choice_keys,
    cycle_agencies,
    cycle_key,
    entry_columns,
    normalise_header,
    plain_number,
)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Limits on hostile files (zip bombs, XML bombs, a million rows), far above any province's
# real file (200 agencies × 80 criteria: a template of about 100 kB, unpacked 1 MB).
# An .xlsx is a zip: a small upload may unpack to gigabytes.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ZIP_ENTRIES = 200
MAX_PACKING_RATIO = 100  # Excel's XML packs 5-20 times; a zip bomb, thousands
RATIO_FREE_BYTES = 1024 * 1024  # a part this small may pack as tightly as it likes
# XML elements of a part openpyxl builds objects from (styles, workbook, relations: a
# 20,000-element styles.xml takes 16 MB and 4 s), of the shared strings (a list of str),
# and of a sheet outside its cells (merged cells, validations, links: built as objects).
MAX_PART_ELEMENTS = 20_000
MAX_STRING_ELEMENTS = 100_000
MAX_SHEET_EXTRAS = 10_000
MAX_SCANNED_ROWS = 100_000  # rows of a sheet or lines of a CSV, blank ones included
MAX_CELLS = 1_000_000
MAX_DATA_ROWS = 5_000  # rows below the header
MAX_HEAD_ROWS = 1_000  # non-blank rows above it
MAX_COLUMNS = 2_000
MAX_LINE_CHARS = 100_000
RAW_LIMIT = Decimal(10) ** 12  # Score.value: 15 digits, 3 of them decimals

# UTF-8 Vietnamese read as Windows-1252 (or 1258) and saved again: "Ã¡" for "á",
# "Ä‘" for "đ", "Æ°" for "ư", "á»‡" for "ệ".
_CP1252_HIGH = "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"  # noqa: E501
_MOJIBAKE = re.compile(f"[ÃĂ][{_CP1252_HIGH}]|Ä[\u0080-\u00bf\u2018\u2019]|Æ[\u00a0-\u00bf]|á[º»]")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")

Progress = Callable[[str, int, int], None]
REPORTS_PER_PHASE = 50  # a smooth bar, and negligible work for the callback
SAVE_BATCH = 1000  # scores a save step writes: one bulk statement (scores_upsert's batch)


class ImportRefused(Exception):
    """An import that cannot go ahead; nothing was written. `problems` say why."""

    def __init__(self, message: str, problems: tuple[ImportProblem, ...] = ()) -> None:
        self.problems = problems
        super().__init__(message)


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with an uploaded file, located as the user sees the spreadsheet."""

    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"Dòng {self.row}" if self.row is not None else "",
                f"cột “{self.column}”" if self.column is not None else "",
            )
            if part
        )
        body = self.message
        if self.value is not None:
            body = f"giá trị “{self.value}” không hợp lệ — {body}"
        return f"{where}: {body}" if where else body[:1].upper() + body[1:]


@dataclass(frozen=True)
class ImportCell:
    """One criterion's raw inputs for one agency, as they will be stored."""

    criterion: str
    value: Decimal | None = None
    denominator: Decimal | None = None
    choice: str | None = None

    @property
    def is_empty(self) -> bool:
        return self.value is None and self.denominator is None and not self.choice


@dataclass(frozen=True)
class ImportRow:
    """One agency's row of the file: every criterion of the set, in criteria order."""

    row: int
    agency_id: int
    agency_slug: str
    agency_name: str
    name_in_file: str
    cells: tuple[ImportCell, ...]


@dataclass(frozen=True)
class ParsedImport:
    """A parsed upload: rows ready to store, or the problems that refuse it."""

    cycle_id: int
    filename: str
    file_format: str  # "xlsx" or "csv"
    encoding: str | None
    digest: str
    rows: tuple[ImportRow, ...] = ()
    problems: tuple[ImportProblem, ...] = ()
    warnings: tuple[ImportProblem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def records(self, *, block: object) -> list[dict]:
        """The rows as the engine's input records (`scoring.inputs_from_records`)."""
        return _engine_records(self.rows, block)


def _engine_records(rows: Iterable[ImportRow], block: object) -> list[dict]:
    return [
        {
            "agency": row.agency_id,
            "block": block,
            "criterion": cell.criterion,
            "value": cell.value,
            "denominator": cell.denominator,
            "choice": cell.choice,
        }
        for row in rows
        for cell in row.cells
    ]


@dataclass(frozen=True)
class PreviewRow:
    rank: int | None
    agency_id: int
    agency_slug: str
    agency_name: str
    total: Decimal
    score: Decimal
    percent: Decimal
    band: str
    not_ranked_reason: str
    in_file: bool
    current_total: Decimal | None
    current_rank: int | None


@dataclass(frozen=True)
class Preview:
    """The ranking the file would give at `stage`, with the agencies the file leaves as is."""

    cycle: AssessmentCycle
    stage: str
    max_points: Decimal
    rows: list[PreviewRow]
    published: bool  # the cycle has a publication: applying needs a correction reason


@dataclass(frozen=True)
class ImportSummary:
    agencies: int
    scores_created: int
    scores_updated: int
    results: int
    stage: str
    digest: str
    reason: str = ""


class _Refusal(Exception):
    def __init__(self, message: str) -> None:
        self.problem = ImportProblem(message)
        super().__init__(message)


def _no_progress(phase: str, done: int, total: int) -> None:
    pass


class _Phase:
    """Reports one phase to a progress callback: at its start, every `step` items, at its end.

    `total` may be an estimate (a sheet's declared size) or 0 for unknown; an item beyond
    it is reported with total 0, and the end always reports done == total.
    """

    def __init__(self, progress: Progress, name: str, total: int) -> None:
        self.progress, self.name, self.total = progress, name, total
        self.step = -(-total // REPORTS_PER_PHASE) if total else REPORTS_PER_PHASE
        self.reported = 0
        progress(name, 0, total)

    def tick(self, done: int) -> None:
        if done - self.reported >= self.step and done != self.total:
            self.reported = done
            self.progress(self.name, done, self.total if done < self.total else 0)

    def end(self, done: int) -> None:
        self.progress(self.name, done, done)

    def over[T](self, items: Iterable[T]) -> Iterator[T]:
        """`items`, ticking after each one is handled and ending after the last."""
        done = 0
        for item in items:
            yield item
            done += 1
            self.tick(done)
        self.end(done)


# ---------------------------------------------------------------------------------------
# Parse


def import_parse(
    *, cycle: AssessmentCycle, upload: bytes, filename: str, progress: Progress | None = None
) -> ParsedImport:
    """Read an uploaded .xlsx or .csv for `cycle`; report every problem or the rows to store."""
    progress = progress or _no_progress
    digest = hashlib.sha256(upload).hexdigest()
    base = {"cycle_id": cycle.pk, "filename": filename, "digest": digest}
    file_format, encoding = _extension(filename), None
    try:
        file_format = _file_format(upload, filename)
        if file_format == "xlsx":
            grid = _xlsx_grid(upload, filename, progress)
        else:
            grid, encoding = _csv_grid(upload, filename, progress)
    except _Refusal as refusal:
        return ParsedImport(
            **base, file_format=file_format, encoding=encoding, problems=(refusal.problem,)
        )
    formulas = _formula_problems(grid)
    if formulas:
        return ParsedImport(**base, file_format=file_format, encoding=encoding, problems=formulas)
    rows, problems, warnings = _Reader(cycle, grid, progress).read()
    return ParsedImport(
        **base,
        file_format=file_format,
        encoding=encoding,
        rows=tuple(rows) if not problems else (),
        problems=tuple(problems),
        warnings=tuple(warnings),
    )


def _extension(filename: str) -> str:
    name = filename.strip().lower()
    return name.rsplit(".", 1)[-1] if "." in name else ""


def _file_format(upload: bytes, filename: str) -> str:
    """ "xlsx" or "csv" when the extension and the content agree; refuse anything else."""
    extension = _extension(filename)
    if not upload:
        raise _Refusal(f"tệp “{filename}” trống (0 byte).")
    if len(upload) > MAX_UPLOAD_BYTES:
        raise _Refusal(
            f"tệp “{filename}” nặng {_megabytes(len(upload))} MB, vượt giới hạn "
            f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB; hãy bỏ các trang tính, hình ảnh "
            "không cần thiết."
        )
    is_zip = upload.startswith(b"PK\x03\x04")
    is_legacy_excel = upload.startswith(b"\xd0\xcf\x11\xe0")
    if is_legacy_excel:
        raise _Refusal(
            f"tệp “{filename}” là Excel 97-2003 (.xls), không được hỗ trợ; hãy mở bằng Excel "
            "và lưu thành “Excel Workbook (.xlsx)”."
        )
    if extension == "xlsx":
        if is_zip:
            return "xlsx"
        raise _Refusal(
            f"tệp “{filename}” có đuôi .xlsx nhưng nội dung không phải bảng tính Excel: "
            f"đây là {_content_kind(upload)} bị đổi đuôi, không phải tệp Excel .xlsx. Hãy tải "
            "mẫu về, điền rồi lưu lại bằng Excel (“Excel Workbook (.xlsx)”)."
        )
    if extension == "csv":
        if is_zip:
            raise _Refusal(
                f"tệp “{filename}” có đuôi .csv nhưng nội dung là tệp nén (Excel .xlsx?); hãy "
                "đổi đuôi thành .xlsx hoặc lưu lại dạng CSV."
            )
        return "csv"
    raise _Refusal(
        f"tệp “{filename}” không phải bảng tính: chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."
    )


def _megabytes(size: int) -> str:
    """A size in MB, rounded up to hundredths, Vietnamese style: "5,01"."""
    return plain_number(-(-size * 100 // 1024 // 1024) / Decimal(100))


# What a file renamed to .xlsx really is, by its first bytes, to say so in the refusal.
_SIGNATURES = (
    (b"%PDF", "tài liệu PDF"),
    (b"\x89PNG", "ảnh PNG"),
    (b"\xff\xd8\xff", "ảnh JPEG"),
    (b"GIF8", "ảnh GIF"),
    (b"Rar!", "tệp nén RAR"),
    (b"7z\xbc\xaf", "tệp nén 7-Zip"),
    (b"\x1f\x8b", "tệp nén gzip"),
    (b"MZ", "chương trình Windows (.exe)"),
    (b"\x7fELF", "chương trình Linux"),
    (b"{\\rtf", "văn bản RTF"),
)


def _content_kind(upload: bytes) -> str:
    for signature, kind in _SIGNATURES:
        if upload.startswith(signature):
            return kind
    head = upload[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return "trang web HTML"
    if head.startswith(b"<"):
        return "tệp XML"
    try:
        upload[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return "một tệp không rõ loại"
    return "tệp văn bản (CSV?)"


# ---------------------------------------------------------------------------------------
# Hostile .xlsx: an .xlsx is a zip of XML parts. Before openpyxl opens one, the zip's own
# directory is checked (entries, declared sizes, packing ratio: zipfile never inflates an
# entry beyond its declared size), and every XML part is streamed once through expat,
# which holds no tree: a DTD (the only way to declare entities, as "billion laughs" does)
# is refused, and parts are counted, so openpyxl never meets a part whose parsing would
# not fit in memory. defusedxml, which openpyxl uses when it is installed, is a second
# guard against entities.

if not openpyxl.xml.DEFUSEDXML:  # pragma: no cover - a dependency; OPENPYXL_DEFUSEDXML=False
    raise ImproperlyConfigured(
        "openpyxl must parse uploads with defusedxml: install it and leave "
        "OPENPYXL_DEFUSEDXML unset."
    )


def package_problem(
    source: BinaryIO,
    filename: str,
    *,
    required: tuple[str, ...],
    kind: str = "bảng tính Excel (.xlsx)",
    max_entries: int = MAX_ZIP_ENTRIES,
    max_unpacked: int = MAX_UNPACKED_BYTES,
) -> str | None:
    """Why an Office (OOXML) file `source` may not be opened, from its zip directory alone.

    None when the zip holds the `required` parts and its declared sizes are sane; nothing
    is inflated. Also used for evidence uploads (.docx, .xlsx), which are only stored.
    """
    try:
        with zipfile.ZipFile(source) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        return (
            f"tệp “{filename}” bị hỏng: không mở được như một tệp nén Office "
            f"({type(error).__name__})."
        )
    if len(infos) > max_entries:
        return (
            f"tệp “{filename}” chứa {len(infos)} tệp con, vượt giới hạn {max_entries}: không "
            "phải một tệp Office bình thường."
        )
    names = {info.filename for info in infos}
    if any(part not in names for part in required):
        return f"tệp “{filename}” là tệp nén nhưng không phải {kind}."
    unpacked = sum(info.file_size for info in infos)
    if unpacked > max_unpacked:
        return (
            f"tệp “{filename}” khi giải nén nặng {_megabytes(unpacked)} MB, vượt giới hạn "
            f"{max_unpacked // 1024 // 1024} MB (tệp “bom nén”?); hãy bỏ dữ liệu thừa."
        )
    for info in infos:
        ratio = info.file_size // max(info.compress_size, 1)
        if info.file_size > RATIO_FREE_BYTES and ratio > MAX_PACKING_RATIO:
            return (
                f"tệp “{filename}” có phần “{info.filename}” nén {ratio} lần (giới hạn "
                f"{MAX_PACKING_RATIO} lần): dấu hiệu “bom nén”, không được chấp nhận."
            )
    return None


class _XmlScan:
    """One XML part streamed through expat: no DTD, and at most so many elements/rows.

    What a part may hold depends on its root: a worksheet is read row by row (rows and
    cells are limited, the rest is built as objects), the shared strings are a list of
    str, any other part (styles, workbook, relations) is built whole as objects.
    """

    def __init__(self, part: str, filename: str) -> None:
        self.part, self.filename = part, filename
        self.parser = expat.ParserCreate()
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._doctype
        self.parser.StartElementHandler = self._start
        self.root: str | None = None
        self.elements = self.rows = self.cells = 0

    def feed(self, chunk: bytes, final: bool = False) -> None:
        self.parser.Parse(chunk, final)

    def _doctype(self, *args) -> None:
        raise _Refusal(
            f"tệp “{self.filename}” có khai báo DOCTYPE/ENTITY trong phần “{self.part}”: Excel "
            "không bao giờ ghi như vậy, đây là dấu hiệu tệp độc hại (“bom XML”, billion "
            "laughs) — không được chấp nhận."
        )

    def _start(self, name: str, attributes: dict) -> None:
        local = name.rpartition(":")[2]
        if self.root is None:
            self.root = local
        if self.root not in ("worksheet", "dialogsheet"):
            self.elements += 1
            limit = MAX_STRING_ELEMENTS if self.root == "sst" else MAX_PART_ELEMENTS
            if self.elements > limit:
                self._too_many(f"hơn {_thousands(limit)} thành phần XML")
        elif local == "sheetData":
            # A sheet's cells are most of an upload's elements: inside <sheetData> two
            # lean handlers count rows and cells, until it ends.
            self.parser.StartElementHandler = self._start_in_data
            self.parser.EndElementHandler = self._end_in_data
        else:
            self.elements += 1
            if self.elements > MAX_SHEET_EXTRAS:
                self._too_many(f"hơn {_thousands(MAX_SHEET_EXTRAS)} thành phần ngoài các ô")

    def _start_in_data(self, name: str, attributes: dict) -> None:
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "c":
            self.cells += 1
            if self.cells > MAX_CELLS:
                self._too_many(f"hơn {_thousands(MAX_CELLS)} ô")
        elif name == "row":
            self.rows += 1
            if self.rows > MAX_SCANNED_ROWS:
                self._too_many(f"hơn {_thousands(MAX_SCANNED_ROWS)} dòng (kể cả dòng trống)")

    def _end_in_data(self, name: str) -> None:
        if name == "sheetData" or (":" in name and name.rpartition(":")[2] == "sheetData"):
            self.parser.StartElementHandler = self._start
            self.parser.EndElementHandler = None

    def _too_many(self, what: str) -> None:
        raise _Refusal(
            f"tệp “{self.filename}” có phần “{self.part}” với {what}: quá lớn cho một mẫu "
            f"nhập điểm (tối đa {_thousands(MAX_DATA_ROWS)} dòng dữ liệu) — đã dừng đọc."
        )


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


_XML_HEADS = (b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b" ", b"\t", b"\r", b"\n")


def _xml_parts_check(archive: zipfile.ZipFile, filename: str) -> None:
    """Every XML part, by name or by its first byte (a part is found by its relations)."""
    for info in archive.infolist():
        named_xml = info.filename.endswith((".xml", ".rels"))
        with archive.open(info) as stream:
            chunk = stream.read(1 << 16)
            if not named_xml and not chunk.startswith(_XML_HEADS):
                continue  # an image or another binary part: openpyxl does not parse it
            scan = _XmlScan(info.filename, filename)
            try:
                while chunk:
                    scan.feed(chunk)
                    chunk = stream.read(1 << 16)
                scan.feed(b"", final=True)
            except expat.ExpatError as error:
                if not named_xml:
                    continue  # VML drawings are loose XML; a parser stops where expat did
                raise _Refusal(
                    f"không đọc được tệp Excel “{filename}”: phần “{info.filename}” không "
                    f"phải XML hợp lệ ({expat.ErrorString(error.code)}, dòng {error.lineno})."
                ) from error


def _damaged(filename: str, error: BaseException) -> _Refusal:
    cause: BaseException | None = error
    while cause is not None:  # openpyxl wraps what defusedxml refuses in a ValueError
        if isinstance(cause, DefusedXmlException):
            return _Refusal(
                f"tệp “{filename}” có khai báo DOCTYPE/ENTITY: dấu hiệu tệp độc hại (“bom "
                "XML”) — không được chấp nhận."
            )
        cause = cause.__cause__ or cause.__context__
    return _Refusal(
        f"không đọc được tệp Excel “{filename}”: tệp hỏng hoặc không đúng định dạng .xlsx "
        f"({type(error).__name__})."
    )


class _Formula(str):
    """A cell that holds a formula (its text, "=..."): refused, never evaluated or stored."""


FORMULA_MESSAGE = "công thức không được chấp nhận; hãy dán giá trị (Dán đặc biệt → Giá trị)"
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
        if ENTRY_SHEET in workbook.sheetnames:
            sheet = workbook[ENTRY_SHEET]
        elif workbook.worksheets:
            sheet = workbook.worksheets[0]
        else:
            raise _Refusal(f"tệp “{filename}” không có trang tính nào — không có dòng dữ liệu.")
        # The file's own claim: good enough for a progress bar, never trusted further.
        declared = min(sheet.max_row or 0, MAX_DATA_ROWS)
        sheet.reset_dimensions()  # a file's declared size may be wrong; read what is there
        grid = _Grid("trang tính")
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
                f"{self.kind} có hơn {_thousands(MAX_SCANNED_ROWS)} dòng (kể cả dòng trống) — "
                "đã dừng đọc; hãy xoá các dòng thừa."
            )
        cells = _trimmed(cells)
        if not cells:
            return
        if self.header is None:
            if any(normalise_header(cell) == SLUG for cell in cells):
                self.header = number
            elif len(self.rows) >= MAX_HEAD_ROWS:
                raise _Refusal(
                    f"{self.kind} không có dòng tiêu đề (ô “{SLUG}”) trong "
                    f"{_thousands(MAX_HEAD_ROWS)} dòng có dữ liệu đầu tiên — đã dừng đọc; "
                    "hãy dùng mẫu tải về."
                )
        else:
            self.data += 1
            if self.data > MAX_DATA_ROWS:
                raise _Refusal(
                    f"{self.kind} có hơn {_thousands(MAX_DATA_ROWS)} dòng dữ liệu (đã dừng đọc ở "
                    f"dòng {_thousands(number)}); một kỳ đánh giá chỉ có vài trăm đơn vị — hãy "
                    "bỏ các dòng thừa."
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
            FORMULA_MESSAGE,
            row=number,
            column=names.get(index) or get_column_letter(index + 1),
            value=str(cell)[:80],
        )
        for number, index, cell in found[:MAX_FORMULA_PROBLEMS]
    ]
    if len(found) > MAX_FORMULA_PROBLEMS:
        problems.append(
            ImportProblem(f"và {len(found) - MAX_FORMULA_PROBLEMS} ô công thức khác nữa.")
        )
    return tuple(problems)


def _trimmed(cells: list) -> list:
    while cells and _blank(cells[-1]):
        cells.pop()
    if len(cells) > MAX_COLUMNS:
        raise _Refusal(f"trang tính có hơn {MAX_COLUMNS} cột; hãy bỏ các cột thừa.")
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
            f"tệp CSV có hơn {_thousands(MAX_SCANNED_ROWS)} dòng (kể cả dòng trống); hãy bỏ các "
            "dòng thừa."
        )
    text = unicodedata.normalize("NFC", text)  # Windows-1258 writes tones as combining marks
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise _Refusal(
                f"tệp CSV có dòng {number} dài {_thousands(len(line))} ký tự, vượt giới hạn "
                f"{_thousands(MAX_LINE_CHARS)}; hãy kiểm tra lại tệp."
            )
        if "\ufffd" in line:
            raise _Refusal(
                f"tệp CSV bị lỗi bảng mã: dòng {number} có ký tự “\ufffd” (chữ đã bị hỏng khi "
                "lưu). Hãy lưu lại tệp gốc dạng “CSV UTF-8” hoặc dùng mẫu .xlsx."
            )
        found = _MOJIBAKE.search(line)
        if found:
            sample = line[max(found.start() - 8, 0) : found.end() + 8].strip()
            raise _Refusal(
                f"tệp CSV bị lỗi bảng mã: dòng {number} có “{sample}” — chữ tiếng Việt dạng "
                "UTF-8 đã bị đọc nhầm thành Windows-1252 rồi lưu lại. Hãy mở tệp gốc bằng "
                "Excel (Dữ liệu → Từ văn bản/CSV, bảng mã 65001: Unicode UTF-8), lưu dạng "
                "“CSV UTF-8”, hoặc dùng mẫu .xlsx."
            )
        if any(unicodedata.category(c) == "Cc" and c not in "\t" for c in line):
            raise _Refusal(
                f"tệp “{filename}” không phải tệp CSV dạng văn bản (dòng {number} có ký tự "
                "điều khiển); chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."
            )
    delimiter = _delimiter(text)
    grid = _Grid("tệp CSV")
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        lines = len(text.splitlines())  # records, unless a quoted cell spans lines
        for number, cells in enumerate(_Phase(progress, "read", lines).over(reader), start=1):
            grid.add(number, [_Formula(c) if c.lstrip().startswith("=") else c for c in cells])
    except csv.Error as error:
        raise _Refusal(f"tệp CSV sai cấu trúc: {error}.") from error
    return grid.rows, encoding


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
                    f"tệp CSV “{filename}” khai báo bảng mã {encoding.upper()} nhưng có byte "
                    f"không hợp lệ ở vị trí {error.start}; hãy lưu lại dạng “CSV UTF-8”."
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
        f"không nhận ra bảng mã của tệp CSV “{filename}” (đã thử UTF-8, UTF-16, Windows-1258); "
        "hãy lưu lại dạng “CSV UTF-8” hoặc dùng mẫu .xlsx."
    )


def _delimiter(text: str) -> str:
    """Comma, semicolon (Excel with a decimal comma) or tab (Excel's "Unicode text")."""
    line = next((line for line in text.splitlines() if SLUG in line.lower()), "")
    counts = {d: len(next(csv.reader([line], delimiter=d), [])) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


class _Reader:
    """Checks a grid (row number, cells) against the cycle's criteria and agencies."""

    def __init__(
        self, cycle: AssessmentCycle, grid: list[tuple[int, list]], progress: Progress
    ) -> None:
        self.cycle = cycle
        self.grid = grid
        self.progress = progress
        self.criteria = list(
            Criterion.objects.filter(criteria_set=cycle.criteria_set_id).order_by("order", "code")
        )
        self.columns = entry_columns(self.criteria)
        # Per criterion, in order: its code, whether it is a ratio and the keys of its
        # value, denominator and choice columns (None where it has none); and each choice
        # column's keys with their folded form. Worked out once, not once per row.
        keys: dict[tuple[str, str], str] = {(c.code, c.field): c.key for c in self.columns}
        self.plan = [
            (
                criterion.code,
                criterion.rule == RuleKind.RATIO,
                keys.get((criterion.code, "value")),
                keys.get((criterion.code, "denominator")),
                keys.get((criterion.code, "choice")),
            )
            for criterion in self.criteria
        ]
        self.choices = {
            c.key: [(key, fold(key)) for key in choice_keys(c.params)]
            for c in self.columns
            if c.field == "choice"
        }
        self.problems: list[ImportProblem] = []
        self.warnings: list[ImportProblem] = []
        self.order: dict[str | None, int] = {}  # column header -> position, to sort problems

    def read(self) -> tuple[list[ImportRow], list[ImportProblem], list[ImportProblem]]:
        header = self._header()
        if header is None:
            return [], self.problems, self.warnings
        header_row, mapping = header
        rows = self._rows(header_row, mapping)
        # Cells already refused reach the engine empty, so each problem is reported once.
        self._engine_check(rows, mapping)
        self.problems.sort(key=lambda p: (p.row or 0, self.order.get(p.column, 0)))
        return rows, self.problems, self.warnings

    # The header row ------------------------------------------------------------------

    def _header(self) -> tuple[int, dict] | None:
        found = None
        for number, cells in self.grid:
            keys = [normalise_header(cell) for cell in cells]
            if SLUG in keys:
                found = (number, cells, keys)
                break
            self._check_cycle_key(number, cells)
        if found is None:
            if not any(not _blank(c) for _, cells in self.grid for c in cells):
                self.problems.append(ImportProblem("trang tính trống — không có dòng dữ liệu nào."))
            else:
                self.problems.append(
                    ImportProblem(
                        f"thiếu cột “{SLUG}”: không tìm thấy dòng tiêu đề (dòng có ô "
                        f"“{SLUG}” và các mã tiêu chí); hãy dùng mẫu tải về — không có dòng "
                        "dữ liệu nào được đọc."
                    )
                )
            return None
        number, cells, keys = found
        mapping = self._map_columns(number, cells, keys)
        return (number, mapping) if not self.problems else None

    def _check_cycle_key(self, number: int, cells: list) -> None:
        expected = cycle_key(self.cycle)
        for cell in cells:
            if isinstance(cell, str) and cell.strip().startswith(CYCLE_LABEL):
                written = cell.strip()[len(CYCLE_LABEL) :].strip()
                if written and written != expected:
                    self.problems.append(
                        ImportProblem(
                            f"tệp là mẫu của kỳ đánh giá “{written}”, không phải kỳ “{expected}” "
                            "đang nhập; hãy tải mẫu của kỳ này.",
                            row=number,
                        )
                    )

    def _map_columns(self, number: int, cells: list, keys: list[str]) -> dict:
        """Column index of every input; problems for missing, unknown, repeated columns."""
        exact = {normalise_header(c.key): c for c in self.columns}
        loose = {_loose(c.key): c for c in self.columns}
        ratio_codes = {normalise_header(c.code): c.code for c in self.columns if c.field != "value"}
        mapping: dict = {"slug": keys.index(SLUG), "name": None, "inputs": {}, "blank": []}
        seen: dict[str, int] = {}
        for index, (cell, key) in enumerate(zip(cells, keys, strict=True)):
            shown = str(cell).strip() if cell is not None else ""
            if index == mapping["slug"] or key.startswith(NOTE):
                continue
            if key == "":
                mapping["blank"].append(index)
                continue
            if key == NAME:
                mapping["name"] = index
                continue
            column = exact.get(key) or loose.get(_loose(key))
            if column is None:
                if key in ratio_codes:
                    code = ratio_codes[key]
                    message = (
                        f"cột không xác định — tiêu chí {code} chấm theo tỷ lệ nên cần hai cột "
                        f"“{code} a” (tử số) và “{code} b” (mẫu số)"
                    )
                else:
                    message = (
                        f"cột không xác định — không phải mã tiêu chí nào của bộ tiêu chí "
                        f"“{self.cycle.criteria_set.name}” (các cột hợp lệ: {SLUG}, {NAME}, "
                        f"{', '.join(c.key for c in self.columns)})"
                    )
                self.problems.append(ImportProblem(message, row=number, column=shown))
                continue
            if column.key in seen:
                self.problems.append(
                    ImportProblem(
                        f"cột “{column.key}” xuất hiện hai lần (cột "
                        f"{get_column_letter(seen[column.key] + 1)} và "
                        f"{get_column_letter(index + 1)})",
                        row=number,
                        column=shown,
                    )
                )
                continue
            seen[column.key] = index
            mapping["inputs"][column.key] = (index, column)
        for column in self.columns:
            if column.key not in seen:
                self.problems.append(
                    ImportProblem(
                        f"thiếu cột “{column.key}” (tiêu chí {column.code}, "
                        f"{RuleKind(column.rule).label.lower()})",
                        row=number,
                    )
                )
        self.order = {c.key: i for i, c in enumerate(self.columns, start=2)}
        self.order.update({SLUG: 0, NAME: 1})
        return mapping

    # The data rows -------------------------------------------------------------------

    def _rows(self, header_row: int, mapping: dict) -> list[ImportRow]:
        agencies = {agency.slug: agency for agency in cycle_agencies(cycle=self.cycle)}
        first_row: dict[str, int] = {}
        unknown: list[tuple[int, str]] = []
        rows: list[ImportRow] = []
        data = [(number, cells) for number, cells in self.grid if number > header_row]
        at = [(key, index) for key, (index, _) in mapping["inputs"].items()]
        for number, cells in _Phase(self.progress, "check", len(data)).over(data):
            slug_cell = _at(cells, mapping["slug"])
            slug = _text(slug_cell)
            if slug.startswith(NOTE):
                continue
            width = len(cells)
            inputs = {key: cells[index] if index < width else None for key, index in at}
            name = _text(_at(cells, mapping["name"])) if mapping["name"] is not None else ""
            self._blank_header_data(number, cells, mapping["blank"])
            if not slug:
                if name or any(not _blank(v) for v in inputs.values()):
                    self.problems.append(
                        ImportProblem(
                            f"thiếu mã đơn vị: mỗi dòng có số liệu phải ghi {SLUG} như trong mẫu",
                            row=number,
                            column=SLUG,
                        )
                    )
                continue
            key = slug.lower()
            if key in first_row:
                self.problems.append(
                    ImportProblem(
                        f"trùng dòng: đơn vị “{slug}” đã có ở dòng {first_row[key]}",
                        row=number,
                        column=SLUG,
                        value=slug,
                    )
                )
                continue
            first_row[key] = number
            agency = agencies.get(key)
            if agency is None:
                unknown.append((number, slug))
                continue
            if all(_blank(v) for v in inputs.values()):
                self.warnings.append(
                    ImportProblem(
                        f"đơn vị “{agency.name}” chưa có số liệu — bỏ qua, điểm hiện có (nếu có) "
                        "giữ nguyên",
                        row=number,
                    )
                )
                continue
            if name and fold(name) not in (fold(agency.name), fold(agency.short_name)):
                self.warnings.append(
                    ImportProblem(
                        f"tên “{name}” khác tên trong hệ thống “{agency.name}” — kiểm tra các "
                        "dòng có bị lệch không",
                        row=number,
                        column=NAME,
                    )
                )
            cells_in = self._cells(number, inputs)
            rows.append(
                ImportRow(
                    row=number,
                    agency_id=agency.pk,
                    agency_slug=agency.slug,
                    agency_name=agency.name,
                    name_in_file=name,
                    cells=cells_in,
                )
            )
        self._unknown_agencies(unknown)
        if not rows and not first_row and not self.problems:
            self.problems.append(
                ImportProblem(
                    f"không có dòng dữ liệu nào dưới dòng tiêu đề (dòng {header_row}); hãy điền "
                    "số liệu của ít nhất một đơn vị."
                )
            )
        elif not rows and not self.problems:
            self.problems.append(
                ImportProblem("không có dòng dữ liệu nào có số liệu: các dòng đơn vị đều để trống.")
            )
        return rows

    def _blank_header_data(self, number: int, cells: list, blank: list[int]) -> None:
        for index in list(blank):
            value = _at(cells, index)
            if not _blank(value):
                letter = get_column_letter(index + 1)
                self.problems.append(
                    ImportProblem(
                        f"ô có dữ liệu nhưng cột {letter} không có tiêu đề (mã tiêu chí); hãy "
                        "xoá hoặc ghi tiêu đề bắt đầu bằng # nếu chỉ là ghi chú",
                        row=number,
                        column=letter,
                        value=_shown(value),
                    )
                )
                blank.remove(index)  # one problem per column is enough

    def _cells(self, number: int, inputs: dict) -> tuple[ImportCell, ...]:
        parsed: dict[str, object] = {}
        empty = []
        choices = self.choices
        for key, raw in inputs.items():
            if raw is None or (isinstance(raw, str) and not raw.strip()):  # _blank, inlined
                empty.append(key)
                parsed[key] = None
                continue
            try:
                if key in choices:
                    parsed[key] = _choice(raw, choices[key])
                else:
                    parsed[key] = _decimal(raw)
            except ValueError as error:
                parsed[key] = _INVALID
                self.problems.append(
                    ImportProblem(str(error), row=number, column=key, value=_shown(raw))
                )
        cells = []
        for code, ratio, value_key, denominator_key, choice_key in self.plan:
            value = parsed.get(value_key)  # parsed has no None key: None for no column
            denominator = parsed.get(denominator_key)
            choice = parsed.get(choice_key)
            if value is _INVALID or denominator is _INVALID or choice is _INVALID:
                cells.append(ImportCell(code))
                continue
            if ratio and not self._ratio_pair(number, code, value, denominator, inputs):
                cells.append(ImportCell(code))
                continue
            cells.append(ImportCell(code, value=value, denominator=denominator, choice=choice))
        if empty:
            self.warnings.append(
                ImportProblem(
                    f"để trống {len(empty)} ô ({', '.join(empty)}): tính 0 điểm", row=number
                )
            )
        return tuple(cells)

    def _ratio_pair(self, number: int, code: str, a: object, b: object, inputs: dict) -> bool:
        """Whether a and b are both given or both empty (the engine checks the rest)."""
        if a is None and b is not None:
            self.problems.append(
                ImportProblem(
                    f"thiếu tử số a (mẫu số “{code} b” là “{_shown(inputs[f'{code} b'])}”)",
                    row=number,
                    column=f"{code} a",
                )
            )
            return False
        elif a is not None and b is None:
            self.problems.append(
                ImportProblem(
                    "thiếu mẫu số b — mẫu số phải lớn hơn 0", row=number, column=f"{code} b"
                )
            )
            return False
        return True

    def _unknown_agencies(self, unknown: list[tuple[int, str]]) -> None:
        if not unknown:
            return
        slugs = {slug.lower() for _, slug in unknown}
        elsewhere = {
            agency.slug: agency
            for agency in Agency.objects.filter(
                province=self.cycle.province_id, slug__in=slugs
            ).select_related("block")
        }
        cycle = self.cycle
        scope = f"khối “{cycle.block.name}” của {cycle.province.name} năm {cycle.year}"
        for number, slug in unknown:
            other = elsewhere.get(slug.lower())
            if other is None:
                message = f"không có đơn vị nào mã “{slug}” trong {scope}"
            elif other.block_id != self.cycle.block_id:
                message = f"đơn vị “{other.name}” thuộc “{other.block.name}”, không thuộc {scope}"
            else:
                message = f"đơn vị “{other.name}” không hoạt động trong năm {self.cycle.year}"
            self.problems.append(ImportProblem(message, row=number, column=SLUG, value=slug))

    # The engine's rule checks --------------------------------------------------------

    def _engine_check(self, rows: list[ImportRow], mapping: dict) -> None:
        if not rows:
            return
        records = _engine_records(rows, self.cycle.block_id)
        self.progress("compute", 0, 1)
        try:
            _compute(self.cycle, records)
        except scoring.ScoringInputError as error:
            by_agency = {row.agency_id: row.row for row in rows}
            raw = {}
            for number, cells in self.grid:
                if number in by_agency.values():
                    for key, (index, _) in mapping["inputs"].items():
                        raw[(number, key)] = _at(cells, index)
            for problem in error.problems:
                self.problems.append(self._translated(problem, by_agency, raw))
        self.progress("compute", 1, 1)

    def _translated(self, problem: scoring.Problem, by_agency: dict, raw: dict) -> ImportProblem:
        row = by_agency.get(problem.agency)  # type: ignore[arg-type]
        column = next(
            (c for c in self.columns if c.code == problem.criterion and c.field == problem.field),
            None,
        ) or next((c for c in self.columns if c.code == problem.criterion), None)
        if row is None or column is None:
            return ImportProblem(f"bộ tiêu chí hoặc số liệu chưa hợp lệ: {problem}")
        shown = _shown(raw.get((row, column.key)))
        message = problem.message
        if message == "value must not be negative":
            text = "không được âm"
        elif "is above the maximum" in message:
            text = (
                f"vượt quá điểm tối đa {plain_number(column.max_points)} của tiêu chí {column.code}"
            )
        elif message == "denominator must be greater than 0":
            text = "mẫu số phải lớn hơn 0"
        elif "is above the denominator" in message:
            b = _shown(raw.get((row, f"{column.code} b")))
            text = f"tử số a không được lớn hơn mẫu số b (“{column.code} b” là “{b}”)"
        elif message.startswith("unknown choice"):
            text = f"phải là một trong các lựa chọn: {', '.join(choice_keys(column.params))}"
        else:
            text = f"không hợp lệ theo quy tắc chấm điểm ({message})"
        return ImportProblem(text, row=row, column=column.key, value=shown)


_INVALID = object()


def _at(cells: list, index: int | None) -> object:
    return cells[index] if index is not None and index < len(cells) else None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).replace("\u00a0", " ").strip()


def _shown(value: object) -> str:
    """A cell as the user typed it (Excel's 15 significant digits for numbers)."""
    if isinstance(value, float):
        return f"{value:.15g}"
    return _text(value)


_THOUSANDTH = Decimal("0.001")


def _decimal(value: object) -> Decimal:
    """A number cell: Excel numbers, or text with a decimal comma or a decimal point."""
    if type(value) is int:  # most cells: whole numbers pass every check below but one
        if abs(value) >= RAW_LIMIT:
            raise ValueError("số quá lớn")
        return Decimal(value).quantize(_THOUSANDTH)
    if isinstance(value, bool | datetime.date | datetime.time):
        raise ValueError("phải là số (ô đang là ngày tháng hoặc đúng/sai)")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("phải là số")
        number = Decimal(f"{value:.15g}")  # what Excel shows, not the binary float
    elif isinstance(value, Decimal):
        number = value
    else:
        text = _text(value).replace("\u2212", "-")
        if text.endswith("%"):
            raise ValueError("nhập số, không kèm dấu % (ví dụ 98 hoặc 98,5)")
        if "," in text and "." in text:
            raise ValueError(
                "chỉ dùng một dấu thập phân (phẩy hoặc chấm), không dùng dấu phân cách hàng nghìn"
            )
        if not _NUMBER.match(text):
            raise ValueError("phải là số (ví dụ 12,5 hoặc 12.5)")
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise ValueError("phải là số (ví dụ 12,5 hoặc 12.5)") from None
    if not number.is_finite():
        raise ValueError("phải là số")
    scaled = number.scaleb(3)
    if scaled != scaled.to_integral_value():
        raise ValueError("tối đa 3 chữ số thập phân")
    if abs(number) >= RAW_LIMIT:
        raise ValueError("số quá lớn")
    return number.quantize(_THOUSANDTH)


def _choice(value: object, keys: list[tuple[str, str]]) -> str:
    """The choice key a cell names, ignoring case and diacritics; `keys`: (key, folded)."""
    text = _text(value)
    folded = fold(text)
    for key, folded_key in keys:
        if folded_key == folded:
            return key
    return text  # the engine reports the unknown key with the keys it expects


def _loose(key: str) -> str:
    """A header without spaces or brackets: "1.2 (a)", "1.2a" and "1.2 a" are one column."""
    return re.sub(r"[\s()\[\]]", "", key.lower())


# ---------------------------------------------------------------------------------------
# Preview and apply


def _compute(cycle: AssessmentCycle, records: list[dict]) -> scoring.Scorecard:
    criteria_set = cycle.criteria_set
    return scoring.compute(
        selectors.criteria_frame(criteria_set=criteria_set),
        scoring.inputs_from_records(records),
        selectors.ranking_rules(criteria_set=criteria_set),
    )


def _require_ready(cycle: AssessmentCycle, parsed: ParsedImport) -> None:
    if parsed.cycle_id != cycle.pk:
        raise ImportRefused("tệp đã được đọc cho một kỳ đánh giá khác; hãy tải lên lại.")
    if not parsed.ok:
        raise ImportRefused(
            f"tệp “{parsed.filename}” có {len(parsed.problems)} lỗi; hãy sửa rồi tải lên lại.",
            parsed.problems,
        )
    if not parsed.rows:
        raise ImportRefused("tệp không có dòng dữ liệu nào.")


def _merged(cycle: AssessmentCycle, parsed: ParsedImport, stage: str) -> tuple[list, list]:
    """The stored records at `stage`, and the same with the file's agencies replaced."""
    stored = selectors.score_records(cycle=cycle, stage=stage)
    in_file = {row.agency_id for row in parsed.rows}
    kept = [record for record in stored if record["agency"] not in in_file]
    return stored, kept + parsed.records(block=cycle.block_id)


def _engine_refusal(error: scoring.ScoringInputError) -> ImportRefused:
    problems = tuple(ImportProblem(f"số liệu đã lưu chưa hợp lệ: {p}") for p in error.problems)
    return ImportRefused("không tính được bảng xếp hạng với số liệu hiện có.", problems)


def import_preview(
    *,
    cycle: AssessmentCycle,
    parsed: ParsedImport,
    stage: str = Stage.FINAL,
    progress: Progress | None = None,
) -> Preview:
    """The ranking the cycle would have at `stage` once the file is applied; writes nothing.

    Agencies the file leaves out keep their stored scores, as `import_apply` leaves them.
    """
    progress = progress or _no_progress
    _require_ready(cycle, parsed)
    progress("preview", 0, 2)
    stored, merged = _merged(cycle, parsed, stage)
    try:
        card = _compute(cycle, merged)
    except scoring.ScoringInputError as error:
        raise _engine_refusal(error) from error
    progress("preview", 1, 2)
    current: dict = {}
    if stored:
        try:
            for row in _compute(cycle, stored).results_decimal().itertuples(index=False):
                current[row.agency] = (row.total, row.rank)
        except scoring.ScoringInputError:
            current = {}
    in_file = {row.agency_id: row for row in parsed.rows}
    others = {
        pk: (slug, name)
        for pk, slug, name in Agency.objects.filter(
            pk__in={r["agency"] for r in stored} - in_file.keys()
        ).values_list("pk", "slug", "name")
    }
    rows = []
    for result in card.results_decimal().itertuples(index=False):
        mine = in_file.get(result.agency)
        slug, name = (mine.agency_slug, mine.agency_name) if mine else others[result.agency]
        total, rank = current.get(result.agency, (None, None))
        rows.append(
            PreviewRow(
                rank=None if result.rank is None else int(result.rank),
                agency_id=int(result.agency),
                agency_slug=slug,
                agency_name=name,
                total=result.total,
                score=result.score,
                percent=result.percent,
                band=result.band or "",
                not_ranked_reason=result.not_ranked_reason or "",
                in_file=mine is not None,
                current_total=total,
                current_rank=None if rank is None else int(rank),
            )
        )
    progress("preview", 2, 2)
    return Preview(
        cycle=cycle,
        stage=stage,
        max_points=cycle.criteria_set.max_points,
        rows=rows,
        published=cycle.publications.exists(),
    )


def import_apply(
    *,
    cycle: AssessmentCycle,
    parsed: ParsedImport,
    user=None,
    stage: str = Stage.FINAL,
    reason: str = "",
    progress: Progress | None = None,
    path: str = audit.IMPORT,
) -> ImportSummary:
    """Store the file's scores at `stage` and recompute the draft results, all or nothing.

    `path` is the audit trail's channel: the import page, or the API's import operation.

    Every (agency, criterion) of the file is upserted on (cycle, agency, criterion, stage),
    so applying the same file twice changes nothing. A published cycle is frozen: it is
    refused unless a correction `reason` is given (the correction is published later).
    Scores are written a batch of agencies at a time (`SAVE_BATCH` scores), for `progress`.
    """
    progress = progress or _no_progress
    _require_ready(cycle, parsed)
    if stage not in Stage.values:
        raise ImportRefused(f"giai đoạn “{stage}” không hợp lệ.")
    by = user if getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        cycle = (
            AssessmentCycle.objects.select_for_update()
            .select_related("criteria_set", "province", "block")
            .get(pk=cycle.pk)
        )
        latest = cycle.publications.order_by("-revision").first()
        if latest is not None and not reason.strip():
            raise ImportRefused(
                f"kỳ đánh giá {cycle} đã công bố theo Quyết định {latest.decision_number}: số "
                "liệu đã công bố được giữ nguyên; muốn nhập lại phải ghi lý do đính chính."
            )
        progress("compute", 0, 1)
        _, merged = _merged(cycle, parsed, stage)
        try:
            card = _compute(cycle, merged)
        except scoring.ScoringInputError as error:
            raise _engine_refusal(error) from error
        progress("compute", 1, 1)
        in_file = {row.agency_id for row in parsed.rows}
        points = {
            (agency, code): scoring.milli_to_decimal(milli)
            for agency, code, milli in card.points[["agency", "criterion", "points"]].itertuples(
                index=False
            )
            if agency in in_file
        }
        criteria = {
            code: (pk, maximum)
            for code, pk, maximum in Criterion.objects.filter(
                criteria_set=cycle.criteria_set_id
            ).values_list("code", "pk", "max_points")
        }
        before = set(
            Score.objects.filter(cycle=cycle, stage=stage, agency__in=in_file).values_list(
                "agency_id", "criterion_id"
            )
        )
        rows = parsed.rows
        batch = max(-(-len(rows) // REPORTS_PER_PHASE), SAVE_BATCH // max(len(criteria), 1), 1)
        saving = _Phase(progress, "save", len(rows))
        scores: list[Score] = []
        for start in range(0, len(rows), batch):
            written = [
                Score(
                    cycle=cycle,
                    agency_id=row.agency_id,
                    criterion_id=criteria[cell.criterion][0],
                    stage=stage,
                    value=cell.value,
                    denominator=cell.denominator,
                    choice=cell.choice or "",
                    points=points[(row.agency_id, cell.criterion)],
                    max_points=criteria[cell.criterion][1],
                    is_synthetic=False,
                    updated_by=by,
                )
                for row in rows[start : start + batch]
                for cell in row.cells
            ]
            services.scores_upsert(written, also=("is_synthetic",))
            audit.record_scores(
                cycle=cycle,
                agency_ids=[row.agency_id for row in rows[start : start + batch]],
                stage=stage,
                user=by,
                path=path,
            )
            scores += written
            saving.tick(min(start + batch, len(rows)))
        saving.end(len(rows))
        progress("recompute", 0, 1)
        recomputed = services.cycle_recompute(cycle=cycle, stage=stage)
        progress("recompute", 1, 1)
    created = sum((s.agency_id, s.criterion_id) not in before for s in scores)
    return ImportSummary(
        agencies=len(parsed.rows),
        scores_created=created,
        scores_updated=len(scores) - created,
        results=recomputed.agencies,
        stage=stage,
        digest=parsed.digest,
        reason=reason.strip(),
    )


__all__ = [
    "MAX_UPLOAD_BYTES",
    "ImportCell",
    "ImportProblem",
    "ImportRefused",
    "ImportRow",
    "ImportSummary",
    "ParsedImport",
    "Preview",
    "PreviewRow",
    "import_apply",
    "import_parse",
    "import_preview",
    "package_problem",
]
