"""Hostile uploads: every one refused with a Vietnamese message naming what was wrong,
nothing written, memory bounded (tracemalloc peak under `PEAK_LIMIT` while parsing).

Each hostile file is built here, in code, from the world's real template (see
tests/imports/test_imports.py: header on row 16, An, Bình, Cát on rows 18-20) or from a minimal
workbook streamed straight into a zip, so no binary fixture is committed.
"""

import codecs
import io
import os
import random
import time
import tracemalloc
import zipfile
from decimal import Decimal

import openpyxl.xml
import pytest
from defusedxml import DefusedXmlException
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from knox.models import AuthToken
from openpyxl import load_workbook
from rest_framework.test import APIClient

from rankings.cycles import assessments
from rankings.imports import sheets, upload_safety
from rankings.imports.services import import_apply, import_parse, import_preview
from rankings.imports.sheets import FORMULA_MESSAGE
from rankings.imports.types import MAX_DATA_ROWS, MAX_UPLOAD_BYTES, ImportCell, ImportRefused
from rankings.models import AssessmentCycle, Membership, Result, Role, Score
from tests.imports.test_imports import INPUTS_2021, NAMES, cp1258, csv_text, filled

pytestmark = pytest.mark.django_db

PEAK_LIMIT = 50 * 1024 * 1024
SHEET = "xl/worksheets/sheet1.xml"  # the template's entry sheet, "Nhap lieu"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ROWS = range(1, 1_000_001)


@pytest.fixture
def cycle(world):
    return AssessmentCycle.objects.create(
        province=world.province,
        year=2022,
        block=world.districts,
        criteria_set=world.cycle_2021.criteria_set,
    )


# ---------------------------------------------------------------------------------------
# Builders


def rezip(xlsx: bytes, replace: dict, *, extra=(), compression=zipfile.ZIP_DEFLATED) -> bytes:
    """`xlsx` with some parts replaced: bytes, or a callable that writes to the open entry."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, zipfile.ZipFile(out, "w") as target:
        names = source.namelist()
        for name in names + [n for n in replace if n not in names]:
            content = replace.get(name)
            if content is None:
                target.writestr(name, source.read(name), compression)
            elif callable(content):
                info = zipfile.ZipInfo(name)
                info.compress_type = compression
                with target.open(info, "w", force_zip64=True) as entry:
                    content(entry)
            else:
                target.writestr(name, content, compression)
        for name, content in extra:
            target.writestr(name, content, compression)
    return out.getvalue()


def sheet_rows(rows, *, dimension=None):
    """A callable writing a worksheet of `rows` (an iterable of row XML), streamed."""

    def write(entry):
        entry.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'.encode())
        if dimension:
            entry.write(f'<dimension ref="{dimension}"/>'.encode())
        entry.write(b"<sheetData>")
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) == 10_000:
                entry.write("".join(batch).encode())
                batch = []
        entry.write("".join(batch).encode())
        entry.write(b"</sheetData></worksheet>")

    return write


def text_row(number: int, *values) -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
        if isinstance(v, str)
        else f'<c r="{chr(65 + i)}{number}"><v>{v}</v></c>'
        for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def header_rows() -> list[str]:
    return [text_row(1, "agency_slug", "agency_name", "1.1", "1.2 a", "1.2 b", "2.1")]


def zeros(size: int):
    def write(entry):
        chunk = b"\0" * (1024 * 1024)
        for _ in range(size // len(chunk)):
            entry.write(chunk)

    return write


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + f']><worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is>'
    "<t>&lol9;</t></is></c></row></sheetData></worksheet>"
)


def lying_sizes(xlsx: bytes) -> bytes:
    """A zip whose directory says its big zero-filled part is 1 kB (a classic zip bomb)."""
    data = bytearray(rezip(xlsx, {"xl/media/pad.xml": zeros(30 << 20)}))
    at = data.rfind(b"xl/media/pad.xml") - 46  # its central directory record
    assert data[at : at + 4] == b"PK\x01\x02"
    data[at + 24 : at + 28] = (1024).to_bytes(4, "little")  # uncompressed size: "1 kB"
    return bytes(data)


def styles(count: int) -> bytes:
    """A styles part of `count` distinct cell styles (distinct, so it packs like real XML)."""
    pick = random.Random(count)
    xfs = "".join(
        f'<xf numFmtId="{pick.randrange(50)}" fontId="0" fillId="0" borderId="0">'
        f'<alignment indent="{pick.randrange(100)}"/></xf>'
        for _ in range(count)
    )
    cells = f'<cellXfs count="{count}">{xfs}</cellXfs>'
    return f'<styleSheet xmlns="{MAIN}">{cells}</styleSheet>'.encode()


def merged_cells(count: int):
    merged = "".join(f'<mergeCell ref="A{n}:B{n}"/>' for n in range(2, count + 2))
    return (
        f'<worksheet xmlns="{MAIN}"><sheetData>{header_rows()[0]}</sheetData>'
        f'<mergeCells count="{count}">{merged}</mergeCells></worksheet>'
    ).encode()


def formulas(sheet, header_row):
    sheet.cell(row=18, column=3).value = "=1+1"
    sheet.cell(row=19, column=2).value = '=HYPERLINK("http://x","Bình")'
    sheet.cell(row=20, column=6).value = "=cmd|' /C calc'!A0"


HOSTILE = {
    "zip bomb: 60 MB of zeros in one part": (
        "bom.xlsx",
        lambda cycle: rezip(filled(cycle, INPUTS_2021), {"xl/media/image1.xml": zeros(60 << 20)}),
        ["khi giải nén nặng 60", "vượt giới hạn 50 MB", "bom nén"],
    ),
    "zip bomb: one part packed a thousand times": (
        "bom.xlsx",
        lambda cycle: rezip(filled(cycle, INPUTS_2021), {"xl/media/image1.xml": zeros(20 << 20)}),
        ["có phần “xl/media/image1.xml” nén", "dấu hiệu “bom nén”"],
    ),
    "zip bomb: a directory that lies about sizes": (
        "bom.xlsx",
        lambda cycle: lying_sizes(filled(cycle, INPUTS_2021)),
        ["Không đọc được tệp Excel “bom.xlsx”: tệp hỏng", "BadZipFile"],
    ),
    "thousands of parts": (
        "nhieu.xlsx",
        lambda cycle: rezip(
            filled(cycle, INPUTS_2021), {}, extra=[(f"xl/x{i}.bin", b"x") for i in range(5000)]
        ),
        ["chứa 5010 tệp con, vượt giới hạn 200"],
    ),
    "billion laughs in the sheet": (
        "cuoi.xlsx",
        lambda cycle: rezip(filled(cycle, INPUTS_2021), {SHEET: LAUGHS.encode()}),
        ["có khai báo DOCTYPE/ENTITY trong phần “xl/worksheets/sheet1.xml”", "bom XML"],
    ),
    "billion laughs in the shared strings": (
        "cuoi.xlsx",
        lambda cycle: rezip(
            filled(cycle, INPUTS_2021),
            {"xl/sharedStrings.xml": LAUGHS.replace("worksheet", "sst").encode()},
        ),
        ["có khai báo DOCTYPE/ENTITY trong phần “xl/sharedStrings.xml”"],
    ),
    "a styles part of 50,000 styles": (
        "kieu.xlsx",
        lambda cycle: rezip(filled(cycle, INPUTS_2021), {"xl/styles.xml": styles(50_000)}),
        ["có phần “xl/styles.xml” với hơn 20.000 thành phần XML", "đã dừng đọc"],
    ),
    "a sheet of 50,000 merged cells": (
        "gop.xlsx",
        lambda cycle: rezip(filled(cycle, INPUTS_2021), {SHEET: merged_cells(50_000)}),
        ["có phần “xl/worksheets/sheet1.xml” với hơn 10.000 thành phần ngoài các ô"],
    ),
    "a PDF renamed .xlsx": (
        "diem.xlsx",
        lambda cycle: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n",
        ["đây là tài liệu PDF bị đổi đuôi, không phải tệp Excel .xlsx"],
    ),
    "an HTML page renamed .xlsx": (
        "diem.xlsx",
        lambda cycle: b"\xef\xbb\xbf<!DOCTYPE html>\n<html><body><table></table></body></html>",
        ["đây là trang web HTML bị đổi đuôi, không phải tệp Excel .xlsx"],
    ),
    "a CSV renamed .xlsx": (
        "diem.xlsx",
        lambda cycle: csv_text(INPUTS_2021).encode("utf-8"),
        ["đây là tệp văn bản (CSV?) bị đổi đuôi, không phải tệp Excel .xlsx"],
    ),
    "binary garbage named .csv": (
        "diem.csv",
        lambda cycle: random.Random(9).randbytes(200_000),
        ["“diem.csv”"],  # the message itself depends on what the bytes decode as
    ),
    "a million real rows": (
        "trieu.xlsx",
        lambda cycle: rezip(
            filled(cycle, INPUTS_2021),
            {
                SHEET: sheet_rows(
                    f'<row r="{n}"><c r="C{n}"><v>1</v></c></row>' for n in range(1, 10**6)
                )
            },
        ),
        ["với hơn 100.000 dòng (kể cả dòng trống)", "đã dừng đọc"],
    ),
    "a sheet declaring a million rows, with only a last row far down": (
        "xa.xlsx",
        lambda cycle: rezip(
            filled(cycle, INPUTS_2021),
            {
                SHEET: sheet_rows(
                    [*header_rows(), text_row(1_048_576, "an", "x", 1)], dimension="A1:F1048576"
                )
            },
        ),
        ["Trang tính có hơn 100.000 dòng (kể cả dòng trống) — đã dừng đọc"],
    ),
    "a CSV of a million lines": (
        "trieu.csv",
        lambda cycle: (csv_text(INPUTS_2021) + "\r\n" * 10**6).encode("utf-8"),
        ["Tệp CSV có hơn 100.000 dòng (kể cả dòng trống)"],
    ),
    "a CSV of more than 5,000 data rows": (
        "dai.csv",
        lambda cycle: (
            csv_text(INPUTS_2021) + "".join(f"an-{n},x,1,1,2,3\r\n" for n in range(5_001))
        ).encode("utf-8"),
        ["Tệp CSV có hơn 5.000 dòng dữ liệu (đã dừng đọc ở dòng 5.003)"],
    ),
    "a CSV line of 3 MB": (
        "dong.csv",
        lambda cycle: (csv_text(INPUTS_2021) + "ab," * 10**6).encode("utf-8"),
        ["dòng 6 dài 3.000.000 ký tự, vượt giới hạn 100.000"],
    ),
}


def parse_measured(cycle, upload: bytes, filename: str):
    tracemalloc.start()
    # CPU seconds of this process, not wall time: a loaded runner must not fail a refusal
    # that is quick, and a parse that runs away still spends its own CPU.
    started = time.process_time()
    try:
        parsed = import_parse(cycle=cycle, upload=upload, filename=filename)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return parsed, peak, time.process_time() - started


def counts():
    return Score.objects.count(), Result.objects.count()


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_a_hostile_file_is_refused_quickly_in_bounded_memory(cycle, case):
    filename, build, expected = HOSTILE[case]
    upload = build(cycle)
    assert len(upload) <= MAX_UPLOAD_BYTES, len(upload)  # each passes the upload limit
    before = counts()
    parsed, peak, seconds = parse_measured(cycle, upload, filename)
    messages = [str(problem) for problem in parsed.problems]
    print(f"\n{case}: {len(upload):,} bytes, peak {peak / 2**20:.1f} MB, {seconds:.2f} s")
    print("   ", messages[0][:300])
    assert not parsed.ok and not parsed.rows
    for words in expected:
        assert any(words in message for message in messages), (words, messages)
    assert peak < PEAK_LIMIT, f"{peak / 2**20:.1f} MB"
    assert seconds < 10  # CPU seconds (tracemalloc slows the parse several times)
    with pytest.raises(ImportRefused):
        import_apply(cycle=cycle, parsed=parsed)
    assert counts() == before


def test_a_sheet_of_too_many_data_rows_is_refused_at_the_first_one_too_many(cycle, monkeypatch):
    """The limit is 5,000 data rows; 500 here, so the test reads a tenth of the rows."""
    assert MAX_DATA_ROWS == 5_000
    monkeypatch.setattr(sheets, "MAX_DATA_ROWS", 500)
    monkeypatch.setattr(upload_safety, "MAX_DATA_ROWS", 500)
    rows = [text_row(n, f"an-{n}", "x", 1, 1, 2, 3) for n in range(2, 600)]
    upload = rezip(
        filled(cycle, INPUTS_2021),
        {SHEET: sheet_rows([*header_rows(), *rows], dimension="A1:F599")},
    )
    parsed, peak, _ = parse_measured(cycle, upload, "dai.xlsx")
    assert [str(p) for p in parsed.problems] == [
        "Trang tính có hơn 500 dòng dữ liệu (đã dừng đọc ở dòng 502); một kỳ đánh giá chỉ có "
        "vài trăm đơn vị — hãy bỏ các dòng thừa."
    ]
    assert peak < PEAK_LIMIT


def test_openpyxl_itself_parses_with_defusedxml(cycle):
    """The second guard: were our own scan to miss a DTD, openpyxl would still refuse it."""
    assert openpyxl.xml.DEFUSEDXML
    upload = rezip(filled(cycle, INPUTS_2021), {SHEET: LAUGHS.encode()})
    started = time.process_time()
    with pytest.raises(ValueError) as refused:
        workbook = load_workbook(io.BytesIO(upload), read_only=True)
        list(workbook.worksheets[0].iter_rows(values_only=True))
    assert time.process_time() - started < 1  # CPU seconds: refused before expanding
    chain, cause = [], refused.value
    while cause is not None:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    assert any(isinstance(error, DefusedXmlException) for error in chain), chain


# ---------------------------------------------------------------------------------------
# Formulas: refused cell by cell, never evaluated nor stored


def test_formulas_are_refused_with_their_row_and_column(cycle):
    upload = filled(cycle, INPUTS_2021, edit=formulas)
    before = counts()
    parsed, peak, _ = parse_measured(cycle, upload, "diem.xlsx")
    assert [str(p) for p in parsed.problems] == [
        "Dòng 18, cột “1.1”: giá trị “=1+1” không hợp lệ — công thức không được chấp nhận; "
        "hãy dán giá trị (Dán đặc biệt → Giá trị)",
        'Dòng 19, cột “agency_name”: giá trị “=HYPERLINK("http://x","Bình")” không hợp lệ — '
        "công thức không được chấp nhận; hãy dán giá trị (Dán đặc biệt → Giá trị)",
        "Dòng 20, cột “2.1”: giá trị “=cmd|' /C calc'!A0” không hợp lệ — công thức không được "
        "chấp nhận; hãy dán giá trị (Dán đặc biệt → Giá trị)",
    ]
    assert peak < PEAK_LIMIT
    with pytest.raises(ImportRefused):
        import_preview(cycle=cycle, parsed=parsed)
    assert counts() == before


def test_a_formula_in_a_csv_is_refused_too(cycle):
    text = csv_text(INPUTS_2021).replace(",8,35,", ",=4+4,35,", 1)
    parsed = import_parse(cycle=cycle, upload=text.encode("utf-8"), filename="diem.csv")
    assert [(p.row, p.column, p.value) for p in parsed.problems] == [(3, "1.1", "=4+4")]


def test_text_that_only_looks_like_a_formula_is_not_a_formula(cycle):
    """A text cell "=..." (typed with Excel's apostrophe) is text: the agency name check."""

    def edit(sheet, header_row):
        sheet.cell(row=18, column=2).value = "=UBND huyện An"
        sheet.cell(row=18, column=2).data_type = "s"

    parsed = import_parse(
        cycle=cycle, upload=filled(cycle, INPUTS_2021, edit=edit), filename="d.xlsx"
    )
    assert parsed.ok, [str(p) for p in parsed.problems]
    # Read as text, the name matches its agency: names are compared without punctuation.
    assert [str(w) for w in parsed.warnings] == []
    assert "=UBND huyện An" in [row.name_in_file for row in parsed.rows]


def formula_row(number: int, slug: str, *cells: str) -> str:
    """A data row whose cells after the slug are raw cell XML (formulas of every kind)."""
    inner = "".join(cells)
    return (
        f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>{slug}</t></is></c>{inner}</row>'
    )


def test_formulas_of_every_kind_are_refused_where_they_stand(cycle):
    """The sheet is read as values (fast) until a value that may be a formula; from that
    row on as cells, so a text "=..." stays text and every formula kind is still refused,
    each at its row and column: a plain one, a shared one (the second cell holds only a
    reference to the first's text), an array formula and a data table."""
    an, cat = INPUTS_2021["an"], INPUTS_2021["cat"]
    rows = [
        *header_rows(),
        # Row 2: a text cell that looks like a formula, read as text (a name warning).
        text_row(2, "an", "=UBND huyện An", *an.values()),
        formula_row(
            3,
            "binh",
            '<c r="B3" t="inlineStr"><is><t>UBND huyện Bình</t></is></c>',
            '<c r="C3"><f t="shared" ref="C3:C4" si="0">D3/5</f><v>8</v></c>',
            '<c r="D3"><v>40</v></c><c r="E3"><v>40</v></c>',
            '<c r="F3"><f t="array" ref="F3">SUM(D3:E3)/6</f><v>15</v></c>',
        ),
        formula_row(
            4,
            "cat",
            '<c r="B4" t="inlineStr"><is><t>UBND huyện Cát</t></is></c>',
            '<c r="C4"><f t="shared" si="0"/><v>5</v></c>',
            '<c r="D4"><v>1</v></c>',
            '<c r="E4"><f t="dataTable" ref="E4" dt2D="0" dtr="0" r1="A1"/><v>4</v></c>',
            f'<c r="F4"><v>{cat["2.1"]}</v></c>',
        ),
    ]
    upload = rezip(filled(cycle, {}), {SHEET: sheet_rows(rows)})
    parsed = import_parse(cycle=cycle, upload=upload, filename="d.xlsx")
    assert [(p.row, p.column, p.value) for p in parsed.problems] == [
        (3, "1.1", "=D3/5"),
        (3, "2.1", "=SUM(D3:E3)/6"),
        (4, "1.1", "=D4/5"),
        (4, "1.2 b", parsed.problems[3].value),
    ]
    assert all(p.message == FORMULA_MESSAGE for p in parsed.problems)
    assert not parsed.rows


def test_a_sheet_without_formulas_reads_as_it_always_has(cycle, monkeypatch):
    """Values read fast give the rows, warnings and progress the cell-by-cell read gave."""

    def no_cells(cell):
        raise AssertionError("a sheet without formulas is read as values, not cells")

    monkeypatch.setattr(sheets, "_cell_value", no_cells)
    upload = filled(cycle, INPUTS_2021)
    seen = []
    parsed = import_parse(
        cycle=cycle, upload=upload, filename="d.xlsx", progress=lambda *a: seen.append(a)
    )
    assert parsed.ok and [row.agency_slug for row in parsed.rows] == ["an", "binh", "cat"]
    cells = {cell.criterion: cell for cell in parsed.rows[2].cells}
    assert cells["1.2"] == ImportCell("1.2", value=Decimal("1"), denominator=Decimal("4"))
    assert cells["2.1"].value == Decimal("12.5")
    reads = [done for phase, done, _ in seen if phase == "read"]
    assert reads[0] == 0 and reads == sorted(reads) and reads[-1] == 20  # rows 1 to 20


# ---------------------------------------------------------------------------------------
# What offices really send is still accepted, within the same memory


def test_a_sheet_declaring_a_million_rows_but_holding_three_is_read(cycle):
    rows = [*header_rows()] + [
        text_row(n, slug, NAMES[slug], *INPUTS_2021[slug].values())
        for n, slug in enumerate(INPUTS_2021, start=2)
    ]
    upload = rezip(filled(cycle, {}), {SHEET: sheet_rows(rows, dimension="A1:XFD1048576")})
    seen = []
    parsed = import_parse(
        cycle=cycle, upload=upload, filename="d.xlsx", progress=lambda *a: seen.append(a)
    )
    assert parsed.ok, [str(p) for p in parsed.problems]
    assert [row.agency_slug for row in parsed.rows] == ["an", "binh", "cat"]
    assert ("read", 0, MAX_DATA_ROWS) in seen  # the claim, capped, only feeds the bar


@pytest.mark.parametrize(
    "encoding", ["utf-16", "utf-16-le", "cp1258"], ids=["utf-16", "utf-16 no BOM", "cp1258"]
)
def test_a_csv_in_utf16_or_windows_1258_is_accepted(cycle, encoding):
    text = csv_text(INPUTS_2021, delimiter="\t" if encoding.startswith("utf-16") else ",")
    upload = cp1258(text) if encoding == "cp1258" else text.encode(encoding)
    if encoding == "utf-16":
        assert upload.startswith(codecs.BOM_UTF16_LE)
    parsed, peak, _ = parse_measured(cycle, upload, "diem.csv")
    assert parsed.ok, [str(p) for p in parsed.problems]
    assert parsed.encoding == encoding
    assert [row.name_in_file for row in parsed.rows] == list(NAMES.values())
    assert peak < PEAK_LIMIT


def test_a_province_sized_template_stays_within_the_limits(world):
    """200 agencies × every criterion: far inside the zip, XML and row limits."""
    from agencies.models import Agency, AgencyKind

    cycle = AssessmentCycle.objects.create(
        province=world.province,
        year=2022,
        block=world.districts,
        criteria_set=world.cycle_2021.criteria_set,
    )
    Agency.objects.bulk_create(
        Agency(
            province=world.province,
            block=world.districts,
            kind=AgencyKind.DISTRICT,
            slug=f"huyen-{i:03}",
            name=f"UBND huyện {i:03}",
            valid_from=world.an.valid_from,
        )
        for i in range(200)
    )
    inputs = {f"huyen-{i:03}": {"1.1": 8, "1.2 a": 35, "1.2 b": 50, "2.1": 15} for i in range(200)}
    upload = filled(cycle, {**INPUTS_2021, **inputs})
    parsed, peak, seconds = parse_measured(cycle, upload, "tinh.xlsx")
    assert parsed.ok, [str(p) for p in parsed.problems][:3]
    assert len(parsed.rows) == 203
    print(f"\n203 agencies: {len(upload):,} bytes, peak {peak / 2**20:.1f} MB, {seconds:.2f} s")


# ---------------------------------------------------------------------------------------
# Oversized bodies: 413 on the page and in the API, nothing written


def member(world, role, name="editor"):
    user = get_user_model().objects.create_user(name, "", "x")
    Membership.objects.create(user=user, role=role, province=world.province)
    return user


def too_big(cycle) -> bytes:
    return filled(cycle, INPUTS_2021) + b"\0" * MAX_UPLOAD_BYTES


def test_an_oversized_upload_gets_413_on_the_import_page(client, world, cycle):
    before = counts()
    client.force_login(member(world, Role.EDITOR))
    response = client.post(
        "/quan-ly/mau/2022/districts/nhap-lieu/",
        {"file": SimpleUploadedFile("diem.xlsx", too_big(cycle))},
    )
    assert response.status_code == 413
    assert "Tệp nặng hơn giới hạn 5 MB." in response.content.decode()
    assert counts() == before


def test_an_oversized_upload_gets_413_from_the_api(world, cycle):
    before = counts()
    api = APIClient()
    _row, token = AuthToken.objects.create(user=member(world, Role.EDITOR))
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api.post(
        "/api/v1/cycles/mau/2022/districts/imports/",
        {"file": SimpleUploadedFile("diem.xlsx", too_big(cycle))},
        format="multipart",
    )
    assert response.status_code == 413
    assert "Tệp nặng hơn giới hạn 5 MB." in response.json()["error"]["message"]
    assert counts() == before


# ---------------------------------------------------------------------------------------
# Evidence: stored, never parsed, but an Office file must be an Office file


def evidence(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def docx(extra=None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return rezip(out.getvalue(), extra) if extra else out.getvalue()


def test_evidence_office_files_must_be_real_office_files():
    assessments.evidence_check(evidence("bien-ban.docx", docx()))
    refusals = {
        "bom.docx": docx({"word/media/pad.bin": zeros(120 << 20)}),
        "nen.docx": b"PK\x03\x04" + os.urandom(64),
        "zip.xlsx": docx(),  # a Word document named .xlsx
    }
    expected = {
        "bom.docx": "khi giải nén nặng 120,01 MB, vượt giới hạn 100 MB (tệp “bom nén”?)",
        "nen.docx": "Tệp “nen.docx” bị hỏng",
        "zip.xlsx": "không phải bảng tính Excel (.xlsx)",
    }
    for name, data in refusals.items():
        with pytest.raises(assessments.InvalidInput) as refused:
            assessments.evidence_check(evidence(name, data))
        assert expected[name] in str(refused.value), str(refused.value)
