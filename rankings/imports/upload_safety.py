"""Checks on an upload before it is read: its real format, and hostile .xlsx packages."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from typing import BinaryIO
from xml.parsers import expat

import openpyxl.xml
from defusedxml import DefusedXmlException
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext, gettext_noop

from rankings.imports.template_workbook import (
    plain_number,
)
from rankings.imports.types import (
    MAX_CELLS,
    MAX_DATA_ROWS,
    MAX_PACKING_RATIO,
    MAX_PART_ELEMENTS,
    MAX_SCANNED_ROWS,
    MAX_SHEET_EXTRAS,
    MAX_STRING_ELEMENTS,
    MAX_UNPACKED_BYTES,
    MAX_UPLOAD_BYTES,
    MAX_ZIP_ENTRIES,
    RATIO_FREE_BYTES,
    _Refusal,
)


def _extension(filename: str) -> str:
    name = filename.strip().lower()
    return name.rsplit(".", 1)[-1] if "." in name else ""


def _file_format(upload: bytes, filename: str) -> str:
    """ "xlsx" or "csv" when the extension and the content agree; refuse anything else."""
    extension = _extension(filename)
    if not upload:
        raise _Refusal(gettext("tệp “%(f)s” trống (0 byte).") % {"f": filename})
    if len(upload) > MAX_UPLOAD_BYTES:
        raise _Refusal(
            gettext(
                "tệp “%(f)s” nặng %(s)s MB, vượt giới hạn %(m)s MB; hãy bỏ các trang tính, "
                "hình ảnh không cần thiết."
            )
            % {"f": filename, "s": _megabytes(len(upload)), "m": MAX_UPLOAD_BYTES // 1024 // 1024}
        )
    is_zip = upload.startswith(b"PK\x03\x04")
    is_legacy_excel = upload.startswith(b"\xd0\xcf\x11\xe0")
    if is_legacy_excel:
        raise _Refusal(
            gettext(
                "tệp “%(f)s” là Excel 97-2003 (.xls), không được hỗ trợ; hãy mở bằng Excel "
                "và lưu thành “Excel Workbook (.xlsx)”."
            )
            % {"f": filename}
        )
    if extension == "xlsx":
        if is_zip:
            return "xlsx"
        raise _Refusal(
            gettext(
                "tệp “%(f)s” có đuôi .xlsx nhưng nội dung không phải bảng tính Excel: "
                "đây là %(k)s bị đổi đuôi, không phải tệp Excel .xlsx. Hãy tải "
                "mẫu về, điền rồi lưu lại bằng Excel (“Excel Workbook (.xlsx)”)."
            )
            % {"f": filename, "k": _content_kind(upload)}
        )
    if extension == "csv":
        if is_zip:
            raise _Refusal(
                gettext(
                    "tệp “%(f)s” có đuôi .csv nhưng nội dung là tệp nén (Excel .xlsx?); hãy "
                    "đổi đuôi thành .xlsx hoặc lưu lại dạng CSV."
                )
                % {"f": filename}
            )
        return "csv"
    raise _Refusal(
        gettext("tệp “%(f)s” không phải bảng tính: chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv).")
        % {"f": filename}
    )


def _megabytes(size: int) -> str:
    """A size in MB, rounded up to hundredths, Vietnamese style: "5,01"."""
    return plain_number(-(-size * 100 // 1024 // 1024) / Decimal(100))


# What a file renamed to .xlsx really is, by its first bytes, to say so in the refusal
# (translated where it is used).
_SIGNATURES = (
    (b"%PDF", gettext_noop("tài liệu PDF")),
    (b"\x89PNG", gettext_noop("ảnh PNG")),
    (b"\xff\xd8\xff", gettext_noop("ảnh JPEG")),
    (b"GIF8", gettext_noop("ảnh GIF")),
    (b"Rar!", gettext_noop("tệp nén RAR")),
    (b"7z\xbc\xaf", gettext_noop("tệp nén 7-Zip")),
    (b"\x1f\x8b", gettext_noop("tệp nén gzip")),
    (b"MZ", gettext_noop("chương trình Windows (.exe)")),
    (b"\x7fELF", gettext_noop("chương trình Linux")),
    (b"{\\rtf", gettext_noop("văn bản RTF")),
)


def _content_kind(upload: bytes) -> str:
    for signature, kind in _SIGNATURES:
        if upload.startswith(signature):
            return gettext(kind)
    head = upload[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return gettext("trang web HTML")
    if head.startswith(b"<"):
        return gettext("tệp XML")
    try:
        upload[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return gettext("một tệp không rõ loại")
    return gettext("tệp văn bản (CSV?)")


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
    kind: str = "",
    max_entries: int = MAX_ZIP_ENTRIES,
    max_unpacked: int = MAX_UNPACKED_BYTES,
) -> str | None:
    """Why an Office (OOXML) file `source` may not be opened, from its zip directory alone.

    None when the zip holds the `required` parts and its declared sizes are sane; nothing
    is inflated. Also used for evidence uploads (.docx, .xlsx), which are only stored.
    `kind` names what the file should be (default: an Excel workbook).
    """
    try:
        with zipfile.ZipFile(source) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        return gettext("tệp “%(f)s” bị hỏng: không mở được như một tệp nén Office (%(e)s).") % {
            "f": filename,
            "e": type(error).__name__,
        }
    if len(infos) > max_entries:
        return gettext(
            "tệp “%(f)s” chứa %(n)s tệp con, vượt giới hạn %(m)s: không "
            "phải một tệp Office bình thường."
        ) % {"f": filename, "n": len(infos), "m": max_entries}
    names = {info.filename for info in infos}
    if any(part not in names for part in required):
        return gettext("tệp “%(f)s” là tệp nén nhưng không phải %(k)s.") % {
            "f": filename,
            "k": kind or gettext("bảng tính Excel (.xlsx)"),
        }
    return _inflation_problem(filename, infos, max_unpacked)


def _inflation_problem(filename: str, infos: list, max_unpacked: int) -> str | None:
    """A zip that would inflate past `max_unpacked`, or a part packed too tightly."""
    unpacked = sum(info.file_size for info in infos)
    if unpacked > max_unpacked:
        return gettext(
            "tệp “%(f)s” khi giải nén nặng %(s)s MB, vượt giới hạn "
            "%(m)s MB (tệp “bom nén”?); hãy bỏ dữ liệu thừa."
        ) % {"f": filename, "s": _megabytes(unpacked), "m": max_unpacked // 1024 // 1024}
    for info in infos:
        ratio = info.file_size // max(info.compress_size, 1)
        if info.file_size > RATIO_FREE_BYTES and ratio > MAX_PACKING_RATIO:
            return gettext(
                "tệp “%(f)s” có phần “%(p)s” nén %(r)s lần (giới hạn "
                "%(m)s lần): dấu hiệu “bom nén”, không được chấp nhận."
            ) % {"f": filename, "p": info.filename, "r": ratio, "m": MAX_PACKING_RATIO}
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
            gettext(
                "tệp “%(f)s” có khai báo DOCTYPE/ENTITY trong phần “%(p)s”: Excel "
                "không bao giờ ghi như vậy, đây là dấu hiệu tệp độc hại (“bom XML”, billion "
                "laughs) — không được chấp nhận."
            )
            % {"f": self.filename, "p": self.part}
        )

    def _start(self, name: str, attributes: dict) -> None:
        local = name.rpartition(":")[2]
        if self.root is None:
            self.root = local
        if self.root not in ("worksheet", "dialogsheet"):
            self.elements += 1
            limit = MAX_STRING_ELEMENTS if self.root == "sst" else MAX_PART_ELEMENTS
            if self.elements > limit:
                self._too_many(gettext("hơn %(n)s thành phần XML") % {"n": _thousands(limit)})
        elif local == "sheetData":
            # A sheet's cells are most of an upload's elements: inside <sheetData> two
            # lean handlers count rows and cells, until it ends.
            self.parser.StartElementHandler = self._start_in_data
            self.parser.EndElementHandler = self._end_in_data
        else:
            self.elements += 1
            if self.elements > MAX_SHEET_EXTRAS:
                self._too_many(
                    gettext("hơn %(n)s thành phần ngoài các ô")
                    % {"n": _thousands(MAX_SHEET_EXTRAS)}
                )

    def _start_in_data(self, name: str, attributes: dict) -> None:
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "c":
            self.cells += 1
            if self.cells > MAX_CELLS:
                self._too_many(gettext("hơn %(n)s ô") % {"n": _thousands(MAX_CELLS)})
        elif name == "row":
            self.rows += 1
            if self.rows > MAX_SCANNED_ROWS:
                self._too_many(
                    gettext("hơn %(n)s dòng (kể cả dòng trống)")
                    % {"n": _thousands(MAX_SCANNED_ROWS)}
                )

    def _end_in_data(self, name: str) -> None:
        if name == "sheetData" or (":" in name and name.rpartition(":")[2] == "sheetData"):
            self.parser.StartElementHandler = self._start
            self.parser.EndElementHandler = None

    def _too_many(self, what: str) -> None:
        raise _Refusal(
            gettext(
                "tệp “%(f)s” có phần “%(p)s” với %(w)s: quá lớn cho một mẫu "
                "nhập điểm (tối đa %(n)s dòng dữ liệu) — đã dừng đọc."
            )
            % {"f": self.filename, "p": self.part, "w": what, "n": _thousands(MAX_DATA_ROWS)}
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
                    gettext(
                        "không đọc được tệp Excel “%(f)s”: phần “%(p)s” không "
                        "phải XML hợp lệ (%(e)s, dòng %(r)s)."
                    )
                    % {
                        "f": filename,
                        "p": info.filename,
                        "e": expat.ErrorString(error.code),
                        "r": error.lineno,
                    }
                ) from error


def _damaged(filename: str, error: BaseException) -> _Refusal:
    cause: BaseException | None = error
    while cause is not None:  # openpyxl wraps what defusedxml refuses in a ValueError
        if isinstance(cause, DefusedXmlException):
            return _Refusal(
                gettext(
                    "tệp “%(f)s” có khai báo DOCTYPE/ENTITY: dấu hiệu tệp độc hại (“bom "
                    "XML”) — không được chấp nhận."
                )
                % {"f": filename}
            )
        cause = cause.__cause__ or cause.__context__
    return _Refusal(
        gettext(
            "không đọc được tệp Excel “%(f)s”: tệp hỏng hoặc không đúng định dạng .xlsx (%(e)s)."
        )
        % {"f": filename, "e": type(error).__name__}
    )
