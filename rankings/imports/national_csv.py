"""Import a national CSV of scores: a year for any number of provinces, all or nothing.

`national_import` reads a long CSV (one value a line) of a year for any number of
provinces, validates every line in vectorised passes (the first problems with their line,
column and what was expected, then a count), writes the scores whose inputs changed and
their audit rows, and recomputes the cycles it touched, all or nothing.
"""

from __future__ import annotations

import codecs
import csv
from pathlib import Path

from django.db import connection, transaction

from rankings.cycles.year_recompute import _lock
from rankings.imports.national_csv_reader import _CsvReader, _cycle_states, _duplicates
from rankings.imports.national_csv_types import (
    MAX_CSV_BYTES,
    MAX_CSV_LINES,
    CsvRefused,
    NationalCsvSummary,
    _Problems,
)
from rankings.imports.national_csv_write import _write


def national_import(
    *,
    path: Path | str,
    year: int,
    user=None,
    reason: str = "",
    check_only: bool = False,
) -> NationalCsvSummary:
    """Import a long CSV of one year's final scores for any provinces, all or nothing.

    One value a line: `province, block, agency, criterion, value[, denominator][, choice]`
    (slugs and the criterion's code; `year` may be a column too). Every line is checked
    (what, where and what was expected, like the per-cycle import), then the values whose
    inputs changed are written with their audit rows and the cycles they touch are
    recomputed. Scores the file does not mention keep their stored values. A published
    cycle takes a correction only with a `reason`; an approved one is locked.
    """
    path = Path(path)
    delimiter, header = _check_file(path)
    problems = _Problems()
    reader = _CsvReader(year=year, header=header, problems=problems)
    frame = reader.read(path, delimiter).frame()
    _duplicates(frame, reader.shown, problems)
    _cycle_states(frame, reader.cycles, reason, problems)
    problems.refuse(path)
    if not len(frame):
        raise CsvRefused(f"{path.name}: no values below the header; nothing was written.")
    by = user if getattr(user, "is_authenticated", False) else None
    read_ahead = not connection.in_atomic_block
    with transaction.atomic():
        cycles = _lock(list(reader.cycles_used(frame)))
        states = _Problems()
        _cycle_states(frame, {c.pk: c for c in cycles}, reason, states)
        states.refuse(path)
        summary = _write(frame, cycles, by, reader, path, read_ahead)
        if check_only:
            transaction.set_rollback(True)
    return NationalCsvSummary(lines=reader.lines, values=len(frame), empty=reader.empty, **summary)


def _check_file(path: Path) -> tuple[str, list[str]]:
    """Size, encoding (UTF-8, with or without BOM), NUL bytes, line count; the header."""
    size = path.stat().st_size
    if size > MAX_CSV_BYTES:
        raise CsvRefused(
            f"{path.name} is {size / 2**20:,.0f} MB; at most {MAX_CSV_BYTES >> 20} MB "
            "(a national year is about 50 MB): split it by province."
        )
    with path.open("rb") as handle:
        head = handle.read(4)
        for bom, name in (
            (codecs.BOM_UTF32_LE, "UTF-32"),
            (codecs.BOM_UTF32_BE, "UTF-32"),
            (codecs.BOM_UTF16_LE, "UTF-16"),
            (codecs.BOM_UTF16_BE, "UTF-16"),
        ):
            if head.startswith(bom):
                raise CsvRefused(
                    f"{path.name} is {name} text; national imports read UTF-8 only: save it "
                    "as “CSV UTF-8 (comma delimited)”."
                )
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")("strict")
        newlines, offset, last = 0, 0, b""
        while chunk := handle.read(1 << 20):
            if b"\x00" in chunk:
                line = newlines + chunk[: chunk.index(b"\x00")].count(b"\n") + 1
                raise CsvRefused(
                    f"{path.name}, line {line}: a NUL byte; this is not a text CSV (UTF-16 "
                    "without a byte-order mark, or a binary file): save it as “CSV UTF-8”."
                )
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                before = chunk[: error.start]
                line = newlines + before.count(b"\n") + 1
                column = len(before) - before.rfind(b"\n")
                raise CsvRefused(
                    f"{path.name}, line {line}: byte 0x{chunk[error.start]:02X} at byte "
                    f"{column} of the line is not UTF-8 (Windows-1258 or another code page?); "
                    "national imports read UTF-8 only: save the file as “CSV UTF-8”."
                ) from error
            newlines += chunk.count(b"\n")
            offset += len(chunk)
            last = chunk[-1:]
            if newlines > MAX_CSV_LINES:
                raise CsvRefused(
                    f"{path.name} has more than {MAX_CSV_LINES:,} lines: split it by province."
                )
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            raise CsvRefused(
                f"{path.name} ends in the middle of a UTF-8 character: the file is truncated "
                "or not UTF-8."
            ) from error
    del last, offset
    with path.open(encoding="utf-8-sig", newline="") as handle:
        first = handle.readline()
    if not first.strip():
        raise CsvRefused(f"{path.name} is empty: the first line must be the header.")
    counts = {d: len(next(csv.reader([first], delimiter=d))) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: (counts[d], d == ","))
    return delimiter, next(csv.reader([first], delimiter=delimiter))
