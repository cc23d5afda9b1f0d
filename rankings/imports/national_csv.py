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
from typing import BinaryIO

from django.db import connection, transaction
from django.utils.translation import gettext as _

from rankings.cycles.year_recompute import _lock
from rankings.imports.national_csv_reader import _CsvReader, _cycle_states, _duplicates
from rankings.imports.national_csv_types import (
    MAX_CSV_BYTES,
    MAX_CSV_LINES,
    NationalCsvSummary,
    _Problems,
)
from rankings.imports.national_csv_write import _write
from rankings.imports.types import ImportRefused


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
        raise ImportRefused(
            _("%(file)s: không có giá trị nào dưới dòng tiêu đề; không có gì được ghi.")
            % {"file": path.name}
        )
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
        raise ImportRefused(
            _(
                "%(file)s nặng %(size)s MB; tối đa %(limit)s MB (dữ liệu một năm toàn quốc "
                "khoảng 50 MB): hãy tách tệp theo tỉnh."
            )
            % {"file": path.name, "size": f"{size / 2**20:.0f}", "limit": MAX_CSV_BYTES >> 20}
        )
    with path.open("rb") as handle:
        _no_utf16_or_32(path, handle.read(4))
        handle.seek(0)
        _utf8_text_checked(path, handle)
    return _header(path)


def _no_utf16_or_32(path: Path, head: bytes) -> None:
    """Refuse a file whose byte order mark says UTF-16 or UTF-32."""
    for bom, name in (
        (codecs.BOM_UTF32_LE, "UTF-32"),
        (codecs.BOM_UTF32_BE, "UTF-32"),
        (codecs.BOM_UTF16_LE, "UTF-16"),
        (codecs.BOM_UTF16_BE, "UTF-16"),
    ):
        if head.startswith(bom):
            raise ImportRefused(
                _(
                    "%(file)s là văn bản %(encoding)s; nhập dữ liệu toàn quốc chỉ đọc "
                    "UTF-8: hãy lưu tệp dạng “CSV UTF-8 (comma delimited)”."
                )
                % {"file": path.name, "encoding": name}
            )


def _utf8_text_checked(path: Path, handle: BinaryIO) -> None:
    """Read the file a megabyte at a time: UTF-8 text without NUL, at most MAX_CSV_LINES."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    newlines = 0
    while chunk := handle.read(1 << 20):
        _utf8_chunk_checked(path, chunk, decoder, newlines)
        newlines += chunk.count(b"\n")
        if newlines > MAX_CSV_LINES:
            raise ImportRefused(
                _("%(file)s có hơn %(limit)s dòng: hãy tách tệp theo tỉnh.")
                % {"file": path.name, "limit": f"{MAX_CSV_LINES:,}".replace(",", ".")}
            )
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        raise ImportRefused(
            _("%(file)s kết thúc giữa một ký tự UTF-8: tệp bị cắt cụt hoặc không phải UTF-8.")
            % {"file": path.name}
        ) from error


def _utf8_chunk_checked(path: Path, chunk: bytes, decoder, newlines: int) -> None:
    """Refuse a NUL byte or a byte that is not UTF-8, naming its line (after `newlines`)."""
    if b"\x00" in chunk:
        line = newlines + chunk[: chunk.index(b"\x00")].count(b"\n") + 1
        raise ImportRefused(
            _(
                "%(file)s, dòng %(line)s: có byte NUL; đây không phải tệp CSV văn bản "
                "(UTF-16 không có BOM, hoặc tệp nhị phân): hãy lưu dạng “CSV UTF-8”."
            )
            % {"file": path.name, "line": line}
        )
    try:
        decoder.decode(chunk)
    except UnicodeDecodeError as error:
        before = chunk[: error.start]
        raise ImportRefused(
            _(
                "%(file)s, dòng %(line)s: byte 0x%(byte)s ở byte %(column)s của dòng "
                "không phải UTF-8 (Windows-1258 hay bảng mã khác?); nhập dữ liệu toàn "
                "quốc chỉ đọc UTF-8: hãy lưu tệp dạng “CSV UTF-8”."
            )
            % {
                "file": path.name,
                "line": newlines + before.count(b"\n") + 1,
                "byte": f"{chunk[error.start]:02X}",
                "column": len(before) - before.rfind(b"\n"),
            }
        ) from error


def _header(path: Path) -> tuple[str, list[str]]:
    """The delimiter the first line uses most (a comma on a tie), and its fields."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        first = handle.readline()
    if not first.strip():
        raise ImportRefused(
            _("%(file)s trống: dòng đầu tiên phải là dòng tiêu đề.") % {"file": path.name}
        )
    counts = {d: len(next(csv.reader([first], delimiter=d))) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: (counts[d], d == ","))
    return delimiter, next(csv.reader([first], delimiter=delimiter))
