"""What an import reads and reports: limits, problems, parsed rows, previews, summaries."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypedDict

from django.utils.translation import gettext as _

from rankings.models import AssessmentCycle

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
    """An import that cannot go ahead; nothing was written. `problems` say why.

    Every import refuses with it: the spreadsheet and CSV upload of a cycle, and the
    national CSV, which keeps only the first problems and says how many there were in all
    (`total`).
    """

    def __init__(
        self, message: str, problems: Sequence[ImportProblem] = (), total: int = 0
    ) -> None:
        self.problems = tuple(problems)
        self.total = max(total, len(self.problems))
        super().__init__(message)


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with an imported file, located as the user sees it.

    `row` is the spreadsheet's row or the CSV's line (the header is 1), `column` the
    column's heading as the file writes it, `value` the text found; `message` says what was
    wrong or expected. Every import reports with this type.
    """

    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                _("Dòng %(row)s") % {"row": self.row} if self.row is not None else "",
                _("cột “%(column)s”") % {"column": self.column} if self.column is not None else "",
            )
            if part
        )
        body = self.message
        if self.value is not None:
            body = _("giá trị “%(value)s” không hợp lệ — %(message)s") % {
                "value": self.value,
                "message": body,
            }
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


class Upload(TypedDict):
    """What names an upload in every ParsedImport made of it, refused or not."""

    cycle_id: int
    filename: str
    digest: str


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
