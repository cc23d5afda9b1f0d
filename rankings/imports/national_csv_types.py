"""The national CSV import's limits, columns, problem counter and summary.

Its problems and refusals are the ones every import uses (`imports.types`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
from django.utils.translation import ngettext

from rankings.imports.types import ImportProblem, ImportRefused

MAX_CSV_BYTES = 256 * 2**20  # a national year is about 50 MB (960,000 values)
MAX_CSV_LINES = 3_000_000
READ_LINES = 100_000  # lines parsed at once: bounds memory
SHOWN_PROBLEMS = 50
RAW_LIMIT = Decimal(10) ** 12  # Score.value: 15 digits, 3 of them decimals
COLUMNS = ("province", "block", "year", "agency", "criterion", "value", "denominator", "choice")
REQUIRED = ("province", "block", "agency", "criterion", "value")
ALIASES = {"province_slug": "province", "block_slug": "block", "agency_slug": "agency"}
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


@dataclass(frozen=True)
class NationalCsvSummary:
    lines: int
    values: int
    cycles: int
    created: int
    updated: int
    unchanged: int
    empty: int  # values left empty: stored as no input, 0 points
    results: int
    points_updated: int
    bulk: bool


@dataclass
class _Lines:
    """The file's valid values as arrays, one element per line (ids, milli-points)."""

    line: list[np.ndarray] = field(default_factory=list)
    cycle: list[np.ndarray] = field(default_factory=list)
    agency: list[np.ndarray] = field(default_factory=list)
    criterion: list[np.ndarray] = field(default_factory=list)
    value: list[np.ndarray] = field(default_factory=list)
    denominator: list[np.ndarray] = field(default_factory=list)
    choice: list[np.ndarray] = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        if not self.line:
            return pd.DataFrame(
                {name: pd.Series(dtype="int64") for name in ("line", "cycle", "agency")}
            )
        columns = {}
        for name in ("line", "cycle", "agency", "criterion", "value", "denominator", "choice"):
            parts = getattr(self, name)
            whole = np.concatenate(parts)
            parts.clear()  # one copy of the file's values at a time
            columns[name] = _nullable(whole) if name in ("value", "denominator") else whole
        return pd.DataFrame(columns, copy=False)


class _Problems:
    """Every problem counted, the first SHOWN_PROBLEMS of each kind kept (lines ascend)."""

    def __init__(self) -> None:
        self.count = 0
        self.kept: list[ImportProblem] = []

    def add(self, problem: ImportProblem) -> None:
        self.count += 1
        self.kept.append(problem)

    def rows(self, lines: np.ndarray, column: str | None, value, message) -> None:
        """Problems at `lines` (ascending); `value(i)`, `message(i)` build the i-th's text."""
        self.count += len(lines)
        for i in range(min(len(lines), SHOWN_PROBLEMS)):
            self.kept.append(
                ImportProblem(
                    message(i) if callable(message) else message,
                    row=int(lines[i]),
                    column=column,
                    value=value(i) if callable(value) else value,
                )
            )

    def first(self) -> list[ImportProblem]:
        order = {name: i for i, name in enumerate(COLUMNS)}
        return sorted(
            self.kept,
            key=lambda p: (p.row or 0, order.get(p.column or "", len(order))),
        )[:SHOWN_PROBLEMS]

    def refuse(self, path: Path) -> None:
        if self.count:
            raise ImportRefused(refused_text(path, self.count), self.first(), self.count)


def refused_text(path: Path, count: int) -> str:
    """“file.csv: 3 problems; nothing was written.”, in the user's language."""
    return ngettext(
        "%(file)s: %(count)s vấn đề; không có gì được ghi.",
        "%(file)s: %(count)s vấn đề; không có gì được ghi.",
        count,
    ) % {"file": path.name, "count": f"{count:,}".replace(",", ".")}


NA_MILLI = np.iinfo(np.int64).min  # no value, in an int64 column of milli-points


def _nullable(milli: np.ndarray) -> pd.arrays.IntegerArray:
    missing = milli == NA_MILLI
    return pd.arrays.IntegerArray(np.where(missing, 0, milli), missing)
