"""Bulk entry: the template, real .xlsx and CSV files through parse, preview and apply.

The world's district criteria set (1.1 direct /10, 1.2 ratio a/b × 10, 2.1 direct /20)
gives this template layout: header (agency_slug, agency_name, 1.1, 1.2 a, 1.2 b, 2.1) on
row 16, maxima on row 17, then An, Bình, Cát on rows 18, 19, 20.
"""

import io
import unicodedata
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from agencies.models import Agency, AgencyKind
from rankings.imports.services import import_apply, import_parse, import_preview
from rankings.imports.template_workbook import CRITERIA_SHEET, ENTRY_SHEET, cycle_template_xlsx
from rankings.imports.types import MAX_UPLOAD_BYTES, ImportRefused
from rankings.models import (
    AssessmentCycle,
    CriteriaSet,
    Criterion,
    CriterionGroup,
    Result,
    Score,
    Stage,
)

D = Decimal
HEADER = ["agency_slug", "agency_name", "1.1", "1.2 a", "1.2 b", "2.1"]
ROW = {"an": 18, "binh": 19, "cat": 20}

# The world's 2021 inputs (ranks Bình 1 = 33, An 2 = 30, Cát 3 = 20) and 2020 inputs
# (An 1 = 32, Bình and Cát tied 2 = 26).
INPUTS_2021 = {
    "an": {"1.1": 8, "1.2 a": 35, "1.2 b": 50, "2.1": 15},
    "binh": {"1.1": 8, "1.2 a": 40, "1.2 b": 40, "2.1": 15},
    "cat": {"1.1": 5, "1.2 a": 1, "1.2 b": 4, "2.1": 12.5},
}
INPUTS_2020 = {
    "an": {"1.1": 8, "1.2 a": 45, "1.2 b": 50, "2.1": 15},
    "binh": {"1.1": 6, "1.2 a": 30, "1.2 b": 40, "2.1": 12.5},
    "cat": {"1.1": 6, "1.2 a": 2, "1.2 b": 4, "2.1": 15},
}
NAMES = {"an": "UBND huyện An", "binh": "UBND huyện Bình", "cat": "UBND huyện Cát"}


@pytest.fixture
def cycle(world):
    """A fresh, unpublished 2022 district cycle under the 2021 criteria set."""
    return AssessmentCycle.objects.create(
        province=world.province,
        year=2022,
        block=world.districts,
        criteria_set=world.cycle_2021.criteria_set,
    )


def filled(cycle, inputs: dict, *, edit=None) -> bytes:
    """The cycle's real template with `inputs` typed in; `edit(sheet, header_row)` after."""
    workbook = load_workbook(io.BytesIO(cycle_template_xlsx(cycle=cycle)))
    sheet = workbook[ENTRY_SHEET]
    header_row = next(r[0].row for r in sheet.iter_rows() if r[0].value == "agency_slug")
    columns = {cell.value: cell.column for cell in sheet[header_row] if cell.value}
    rows = {sheet.cell(row=r, column=1).value: r for r in range(header_row + 2, sheet.max_row + 1)}
    for slug, values in inputs.items():
        for key, value in values.items():
            sheet.cell(row=rows[slug], column=columns[key], value=value)
    if edit is not None:
        edit(sheet, header_row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text(inputs: dict, *, delimiter=",", decimal=".") -> str:
    lines = [
        "Mẫu nhập điểm: Bộ tiêu chí huyện 2021 · Tỉnh Mẫu · năm 2022",
        delimiter.join(HEADER),
    ]
    for slug, values in inputs.items():
        cells = [slug, NAMES[slug]] + [str(values[key]).replace(".", decimal) for key in HEADER[2:]]
        if delimiter == ",":
            cells = [f'"{c}"' if "," in c else c for c in cells]
        lines.append(delimiter.join(cells))
    return "\r\n".join(lines) + "\r\n"


TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese offices write it: base letters, then tone marks."""
    out = []
    for char in text:
        marks = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in marks if c not in TONES))
        out.append(base + "".join(c for c in marks if c in TONES))
    return "".join(out).encode("cp1258")


def counts():
    return Score.objects.count(), Result.objects.count()


def ranking(preview) -> list[tuple]:
    return [(row.agency_slug, row.rank, row.total) for row in preview.rows]


# ---------------------------------------------------------------------------------------
# The template


def test_template_lays_out_keys_maxima_agencies_and_criteria(cycle):
    workbook = load_workbook(io.BytesIO(cycle_template_xlsx(cycle=cycle)))
    assert workbook.sheetnames == [ENTRY_SHEET, CRITERIA_SHEET]
    sheet = workbook[ENTRY_SHEET]
    assert "Bộ tiêu chí huyện 2021" in sheet["A1"].value
    assert sheet["A2"].value == "Mã kỳ đánh giá: mau/districts/2022"
    text = "\n".join(str(c.value) for c in sheet["A"][:16] if c.value)
    assert "“2.3.2 a” = 102" in text and "Tiêu chí: 1.2." in text
    assert "Lựa chọn" in text and "So với đơn vị cao nhất" in text
    assert [c.value for c in sheet[16]] == HEADER
    maxima = [c.value for c in sheet[17]]
    assert maxima[2] == "10 đ · chấm điểm trực tiếp"
    assert maxima[3] == maxima[4] == "10 đ · tỷ lệ a/b × điểm tối đa"
    assert [(r[0].value, r[1].value) for r in sheet.iter_rows(min_row=18)] == [
        ("an", "UBND huyện An"),
        ("binh", "UBND huyện Bình"),
        ("cat", "UBND huyện Cát"),
    ]
    assert sheet.freeze_panes == "C18"
    assert sheet.column_dimensions["B"].width == 40
    criteria = [(r[0].value, r[2].value) for r in workbook[CRITERIA_SHEET].iter_rows(min_row=2)]
    assert criteria[:5] == [("1", 20), ("1.1", 10), ("1.2", 10), ("2", 20), ("2.1", 20)]


def test_template_lists_only_agencies_active_in_the_year(world, cycle):
    import datetime

    Agency.objects.filter(pk=world.cat.pk).update(valid_to=datetime.date(2021, 12, 31))
    sheet = load_workbook(io.BytesIO(cycle_template_xlsx(cycle=cycle)))[ENTRY_SHEET]
    assert [r[0].value for r in sheet.iter_rows(min_row=18)] == ["an", "binh"]


# ---------------------------------------------------------------------------------------
# A good file


def test_filled_template_previews_the_worlds_ranking_and_writes_nothing(cycle):
    before = counts()
    parsed = import_parse(cycle=cycle, upload=filled(cycle, INPUTS_2021), filename="diem.xlsx")
    assert parsed.ok, [str(p) for p in parsed.problems]
    assert (parsed.file_format, parsed.encoding, parsed.warnings) == ("xlsx", None, ())
    preview = import_preview(cycle=cycle, parsed=parsed)
    assert ranking(preview) == [("binh", 1, D("33")), ("an", 2, D("30")), ("cat", 3, D("20"))]
    assert [row.percent for row in preview.rows] == [D("82.5"), D("75.0"), D("50.0")]
    assert all(row.in_file and row.current_total is None for row in preview.rows)
    assert not preview.published
    assert counts() == before


def test_ties_share_a_rank(cycle):
    parsed = import_parse(cycle=cycle, upload=filled(cycle, INPUTS_2020), filename="diem.xlsx")
    assert ranking(import_preview(cycle=cycle, parsed=parsed)) == [
        ("an", 1, D("32")),
        ("binh", 2, D("26")),
        ("cat", 2, D("26")),
    ]


def test_apply_writes_scores_and_draft_results_and_reapplying_changes_nothing(
    cycle, django_user_model
):
    user = django_user_model.objects.create_user("ict", password="x")
    upload = filled(cycle, INPUTS_2021)
    parsed = import_parse(cycle=cycle, upload=upload, filename="diem.xlsx")
    summary = import_apply(cycle=cycle, parsed=parsed, user=user)
    assert (summary.agencies, summary.scores_created, summary.scores_updated) == (3, 9, 0)
    assert summary.results == 3 and summary.stage == Stage.FINAL

    scores = Score.objects.filter(cycle=cycle, stage=Stage.FINAL)
    cat_ratio = scores.get(agency__slug="cat", criterion__code="1.2")
    assert (cat_ratio.value, cat_ratio.denominator, cat_ratio.points) == (D(1), D(4), D("2.5"))
    assert cat_ratio.max_points == D(10) and cat_ratio.updated_by == user
    results = Result.objects.filter(cycle=cycle, publication__isnull=True)
    drafts = sorted((r.rank, r.agency.slug, r.total) for r in results)
    assert drafts == [(1, "binh", D(33)), (2, "an", D(30)), (3, "cat", D(20))]

    snapshot = sorted(scores.values_list("id", "value", "denominator", "choice", "points"))
    again = import_parse(cycle=cycle, upload=upload, filename="diem.xlsx")
    summary = import_apply(cycle=cycle, parsed=again, user=user)
    assert (summary.scores_created, summary.scores_updated) == (0, 9)
    assert sorted(scores.values_list("id", "value", "denominator", "choice", "points")) == (
        snapshot
    )
    assert sorted((r.rank, r.agency.slug, r.total) for r in results) == drafts

    # The preview now shows the stored ranking next to the would-be one.
    preview = import_preview(cycle=cycle, parsed=again)
    assert [(r.current_rank, r.current_total) for r in preview.rows] == [
        (1, D(33)),
        (2, D(30)),
        (3, D(20)),
    ]


def test_a_partial_file_keeps_the_other_agencies_scores(cycle):
    import_apply(
        cycle=cycle,
        parsed=import_parse(cycle=cycle, upload=filled(cycle, INPUTS_2021), filename="a.xlsx"),
    )
    only_cat = {"cat": {"1.1": 10, "1.2 a": 4, "1.2 b": 4, "2.1": 20}}
    parsed = import_parse(cycle=cycle, upload=filled(cycle, only_cat), filename="b.xlsx")
    assert [str(w) for w in parsed.warnings] == [
        "Dòng 18: đơn vị “UBND huyện An” chưa có số liệu — bỏ qua, điểm hiện có (nếu có) "
        "giữ nguyên",
        "Dòng 19: đơn vị “UBND huyện Bình” chưa có số liệu — bỏ qua, điểm hiện có (nếu có) "
        "giữ nguyên",
    ]
    preview = import_preview(cycle=cycle, parsed=parsed)
    assert ranking(preview) == [("cat", 1, D(40)), ("binh", 2, D(33)), ("an", 3, D(30))]
    assert [r.in_file for r in preview.rows] == [True, False, False]
    summary = import_apply(cycle=cycle, parsed=parsed)
    assert (summary.agencies, summary.scores_updated, summary.results) == (1, 3, 3)
    assert Score.objects.filter(cycle=cycle).count() == 9


def test_a_published_cycle_is_frozen_unless_a_correction_reason_is_given(world):
    cycle = world.cycle_2021
    parsed = import_parse(cycle=cycle, upload=filled(cycle, INPUTS_2021), filename="d.xlsx")
    published = Result.objects.filter(cycle=cycle, publication__isnull=False)
    preview = import_preview(cycle=cycle, parsed=parsed)
    assert sorted((r.agency_slug, r.rank, r.total) for r in preview.rows) == sorted(
        (r.agency.slug, r.rank, r.total) for r in published
    )
    assert [(r.agency_slug, r.rank) for r in preview.rows] == [("binh", 1), ("an", 2), ("cat", 3)]
    assert preview.published

    before = counts()
    with pytest.raises(ImportRefused, match="đã công bố theo Quyết định 200/QĐ-UBND"):
        import_apply(cycle=cycle, parsed=parsed)
    assert counts() == before

    frozen = list(Result.objects.filter(publication__isnull=False).values_list("total", "rank"))
    summary = import_apply(cycle=cycle, parsed=parsed, reason="Đính chính số liệu 1.2")
    assert summary.reason == "Đính chính số liệu 1.2"
    assert list(Result.objects.filter(publication__isnull=False).values_list("total", "rank")) == (
        frozen
    )


# ---------------------------------------------------------------------------------------
# Bad files: refused with their own message, nothing written


def _rename_21(sheet, header_row):
    sheet.cell(row=header_row, column=6, value="2.2")


def _duplicate_an(sheet, header_row):
    sheet.append(["an", "UBND huyện An", 8, 35, 50, 15])


def _empty_workbook(cycle):
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def _zip_not_xlsx(cycle):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _mojibake(cycle):
    text = csv_text(INPUTS_2021)
    return text.encode("utf-8").decode("cp1252").encode("utf-8")


def _too_big(cycle):
    return filled(cycle, INPUTS_2021) + b"\0" * MAX_UPLOAD_BYTES


def _with(**changes):
    def build(cycle):
        inputs = {slug: dict(values) for slug, values in INPUTS_2021.items()}
        for name, value in changes.items():
            slug, key = name.split("__")
            inputs[slug][key.replace("_", ".").replace(".a", " a").replace(".b", " b")] = value
        return filled(cycle, inputs)

    return build


BAD_FILES = {
    "wrong column": (
        "diem.xlsx",
        lambda cycle: filled(cycle, INPUTS_2021, edit=_rename_21),
        [
            "Dòng 16, cột “2.2”: cột không xác định — không phải mã tiêu chí",
            "Dòng 16: thiếu cột “2.1” (tiêu chí 2.1, chấm điểm trực tiếp)",
        ],
    ),
    "over the maximum": (
        "diem.xlsx",
        _with(an__1_1=12),
        ["Dòng 18, cột “1.1”: giá trị “12” không hợp lệ — vượt quá điểm tối đa 10"],
    ),
    "denominator 0": (
        "diem.xlsx",
        _with(cat__1_2_b=0),
        ["Dòng 20, cột “1.2 b”: giá trị “0” không hợp lệ — mẫu số phải lớn hơn 0"],
    ),
    "a above b": (
        "diem.xlsx",
        _with(an__1_2_a=60),
        [
            "Dòng 18, cột “1.2 a”: giá trị “60” không hợp lệ — tử số a không được lớn hơn "
            "mẫu số b (“1.2 b” là “50”)"
        ],
    ),
    "denominator missing": (
        "diem.xlsx",
        _with(binh__1_2_b=None),
        ["Dòng 19, cột “1.2 b”: thiếu mẫu số b — mẫu số phải lớn hơn 0"],
    ),
    "negative": (
        "diem.xlsx",
        _with(binh__2_1=-1),
        ["Dòng 19, cột “2.1”: giá trị “-1” không hợp lệ — không được âm"],
    ),
    "not a number": (
        "diem.xlsx",
        _with(an__2_1="mười lăm"),
        ["Dòng 18, cột “2.1”: giá trị “mười lăm” không hợp lệ — phải là số (ví dụ 12,5"],
    ),
    "four decimals": (
        "diem.xlsx",
        _with(an__1_1="7,1234"),
        ["Dòng 18, cột “1.1”: giá trị “7,1234” không hợp lệ — tối đa 3 chữ số thập phân"],
    ),
    "thousands separator": (
        "diem.xlsx",
        _with(an__1_2_a="1.234,5"),
        ["Dòng 18, cột “1.2 a”: giá trị “1.234,5” không hợp lệ — chỉ dùng một dấu thập phân"],
    ),
    "unknown agency": (
        "diem.xlsx",
        lambda cycle: filled(
            cycle, INPUTS_2021, edit=lambda sheet, _: sheet.cell(row=20, column=1, value="cat-moi")
        ),
        [
            "Dòng 20, cột “agency_slug”: giá trị “cat-moi” không hợp lệ — không có đơn vị nào "
            "mã “cat-moi” trong khối “Khối huyện” của Tỉnh Mẫu năm 2022"
        ],
    ),
    "agency of another block": (
        "diem.xlsx",
        lambda cycle: filled(
            cycle, INPUTS_2021, edit=lambda sheet, _: sheet.cell(row=20, column=1, value="so-mot")
        ),
        ["Dòng 20, cột “agency_slug”: giá trị “so-mot” không hợp lệ — đơn vị “Sở Một” thuộc"],
    ),
    "duplicate row": (
        "diem.xlsx",
        lambda cycle: filled(cycle, INPUTS_2021, edit=_duplicate_an),
        [
            "Dòng 21, cột “agency_slug”: giá trị “an” không hợp lệ — trùng dòng: đơn vị “an” "
            "đã có ở dòng 18"
        ],
    ),
    "empty sheet": ("diem.xlsx", _empty_workbook, ["Trang tính trống — không có dòng dữ liệu"]),
    "no data rows": (
        "diem.xlsx",
        lambda cycle: filled(cycle, {}),
        ["Không có dòng dữ liệu nào"],
    ),
    "template of another cycle": (
        "diem.xlsx",
        lambda cycle: filled(
            cycle,
            INPUTS_2021,
            edit=lambda sheet, _: sheet.cell(
                row=2, column=1, value="Mã kỳ đánh giá: mau/districts/2020"
            ),
        ),
        ["Dòng 2: tệp là mẫu của kỳ đánh giá “mau/districts/2020”, không phải kỳ"],
    ),
    "mojibake": (
        "diem.csv",
        _mojibake,
        ["Tệp CSV bị lỗi bảng mã: dòng 1 có", "đọc nhầm thành Windows-1252"],
    ),
    "not a spreadsheet": (
        "bao-cao.pdf",
        lambda cycle: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        ["Tệp “bao-cao.pdf” không phải bảng tính: chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)"],
    ),
    "pdf renamed .csv": (
        "diem.csv",
        lambda cycle: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00\x01",
        ["không phải tệp CSV dạng văn bản"],
    ),
    "png renamed .xlsx": (
        "diem.xlsx",
        lambda cycle: b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
        ["Tệp “diem.xlsx” có đuôi .xlsx nhưng nội dung không phải bảng tính Excel"],
    ),
    "zip that is not a workbook": (
        "diem.xlsx",
        _zip_not_xlsx,
        ["là tệp nén nhưng không phải bảng tính Excel"],
    ),
    "excel 97-2003": (
        "diem.xls",
        lambda cycle: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
        ["là Excel 97-2003 (.xls), không được hỗ trợ"],
    ),
    "too big": ("diem.xlsx", _too_big, ["nặng 5,01 MB, vượt giới hạn 5 MB"]),
    "empty upload": ("diem.csv", lambda cycle: b"", ["Tệp “diem.csv” trống (0 byte)."]),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_a_bad_file_is_refused_with_its_own_message_and_nothing_is_written(cycle, case):
    filename, build, expected = BAD_FILES[case]
    upload = build(cycle)
    before = counts()
    parsed = import_parse(cycle=cycle, upload=upload, filename=filename)
    messages = [str(problem) for problem in parsed.problems]
    assert not parsed.ok and not parsed.rows
    located = [(p.row, p.column) for p in parsed.problems]
    assert len(set(located)) == len(located), messages  # each cell refused once
    for words in expected:
        assert any(words in message for message in messages), (words, messages)
    with pytest.raises(ImportRefused) as refused:
        import_apply(cycle=cycle, parsed=parsed)
    assert refused.value.problems == parsed.problems
    with pytest.raises(ImportRefused):
        import_preview(cycle=cycle, parsed=parsed)
    assert counts() == before


def test_every_problem_is_reported_at_once_in_sheet_order(cycle):
    upload = _with(cat__1_2_b=0, an__1_1=12, an__2_1="x")(cycle)
    parsed = import_parse(cycle=cycle, upload=upload, filename="diem.xlsx")
    assert [(p.row, p.column) for p in parsed.problems] == [
        (18, "1.1"),
        (18, "2.1"),
        (20, "1.2 b"),
    ]


def test_a_parsed_file_belongs_to_its_cycle(world, cycle):
    parsed = import_parse(cycle=cycle, upload=filled(cycle, INPUTS_2021), filename="d.xlsx")
    with pytest.raises(ImportRefused, match="kỳ đánh giá khác"):
        import_apply(cycle=world.cycle_2020, parsed=parsed)


# ---------------------------------------------------------------------------------------
# CSV in the encodings Vietnamese offices send, and the decimal comma


ENCODINGS = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8-sig": lambda text: text.encode("utf-8-sig"),
    "utf-16": lambda text: text.encode("utf-16"),  # with a BOM, as Excel writes it
    "utf-16-le": lambda text: text.encode("utf-16-le"),  # no BOM
    "cp1258": cp1258,
}


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_csv_in_each_encoding_keeps_the_vietnamese_names(cycle, encoding):
    delimiter = "\t" if encoding.startswith("utf-16") else ","
    upload = ENCODINGS[encoding](csv_text(INPUTS_2021, delimiter=delimiter))
    parsed = import_parse(cycle=cycle, upload=upload, filename="DIEM.CSV")
    assert parsed.ok, [str(p) for p in parsed.problems]
    assert (parsed.file_format, parsed.encoding) == ("csv", encoding)
    assert [row.name_in_file for row in parsed.rows] == list(NAMES.values())
    assert parsed.warnings == ()
    preview = import_preview(cycle=cycle, parsed=parsed)
    assert ranking(preview) == [("binh", 1, D("33")), ("an", 2, D("30")), ("cat", 3, D("20"))]


@pytest.mark.parametrize("delimiter", [";", ","])
def test_csv_accepts_the_decimal_comma(cycle, delimiter):
    text = csv_text(INPUTS_2021, delimiter=delimiter, decimal=",")
    assert "12,5" in text
    parsed = import_parse(cycle=cycle, upload=text.encode("utf-8-sig"), filename="diem.csv")
    assert parsed.ok, [str(p) for p in parsed.problems]
    cat = next(row for row in parsed.rows if row.agency_slug == "cat")
    assert cat.cells[-1].value == D("12.5")


def test_xlsx_text_cells_accept_the_decimal_comma_and_the_dot(cycle):
    inputs = {slug: dict(values) for slug, values in INPUTS_2021.items()}
    inputs["cat"]["2.1"] = "12,5"
    inputs["an"]["2.1"] = "15.000"
    parsed = import_parse(cycle=cycle, upload=filled(cycle, inputs), filename="diem.xlsx")
    assert parsed.ok, [str(p) for p in parsed.problems]
    preview = import_preview(cycle=cycle, parsed=parsed)
    assert ranking(preview) == [("binh", 1, D("33")), ("an", 2, D("30")), ("cat", 3, D("20"))]


def test_a_shifted_name_column_is_refused(cycle):
    """The name is another agency's: the rows are shifted, so nothing is imported."""
    text = csv_text(INPUTS_2021).replace("UBND huyện An", "UBND huyện Cát", 1)
    parsed = import_parse(cycle=cycle, upload=text.encode(), filename="diem.csv")
    assert not parsed.ok
    assert [str(p) for p in parsed.problems] == [
        "Dòng 3, cột “agency_name”: mã “an” là “UBND huyện An” nhưng tên “UBND huyện Cát” là "
        "đơn vị khác — các dòng có bị lệch không?"
    ]


def test_names_as_printed_match_without_a_slug(cycle):
    """A row with no agency_slug is found by its name (case, punctuation, "UBND" ignored);
    a name that matches nothing is refused with the closest candidates; a slightly
    different spelling of the row's own agency is no longer a warning."""
    text = csv_text(INPUTS_2021)
    text = text.replace("an,UBND huyện An", ",Ủy ban nhân dân huyện An", 1)
    text = text.replace("binh,UBND huyện Bình", "binh,UBND  HUYỆN BÌNH.", 1)
    parsed = import_parse(cycle=cycle, upload=text.encode(), filename="diem.csv")
    assert [str(p) for p in parsed.problems] == [] and parsed.warnings == ()
    assert sorted(row.agency_slug for row in parsed.rows) == ["an", "binh", "cat"]
    unknown = text.replace(",Ủy ban nhân dân huyện An", ",UBND huyện Ân", 1)
    parsed = import_parse(cycle=cycle, upload=unknown.encode(), filename="diem.csv")
    assert [str(p) for p in parsed.problems] == [
        "Dòng 3, cột “agency_name”: không tìm thấy đơn vị “UBND huyện Ân”; gần nhất: "
        "UBND huyện An; UBND huyện Cát; UBND huyện Bình"
    ]


# ---------------------------------------------------------------------------------------
# Every rule kind


@pytest.fixture
def every_rule(world):
    """Departments 2021 under a set using all six rules (max 50)."""
    criteria_set = CriteriaSet.objects.create(
        province=world.province,
        block=world.departments,
        name="Bộ tiêu chí sở 2021",
        slug="mau-so-2021",
        max_points=D(50),
    )
    group = CriterionGroup.objects.create(criteria_set=criteria_set, code="1", name="Ứng dụng")
    for order, (code, maximum, rule, params) in enumerate(
        [
            ("1.1", 10, "direct", {}),
            ("1.2", 10, "ratio", {}),
            ("1.3", 10, "steps", {"steps": [["1", "5"], ["2", "10"]]}),
            ("1.4", 10, "choice", {"choices": {"chu-tich": "1", "pho-chu-tich": "0.5"}}),
            ("1.5", 5, "capped", {"per_unit": "1", "cap": "5"}),
            ("1.6", 5, "relative", {}),
        ]
    ):
        Criterion.objects.create(
            criteria_set=criteria_set,
            group=group,
            code=code,
            name=f"Tiêu chí {code}",
            max_points=D(maximum),
            rule=rule,
            params=params,
            order=order,
        )
    Agency.objects.create(
        province=world.province,
        block=world.departments,
        kind=AgencyKind.DEPARTMENT,
        slug="so-cu",
        name="Sở Cũ",
        short_name="Sở Cũ",
        valid_to="2019-12-31",
    )
    return AssessmentCycle.objects.create(
        province=world.province, year=2021, block=world.departments, criteria_set=criteria_set
    )


def test_every_rule_kind_through_the_template(every_rule):
    sheet = load_workbook(io.BytesIO(cycle_template_xlsx(cycle=every_rule)))[ENTRY_SHEET]
    header_row = next(r[0].row for r in sheet.iter_rows() if r[0].value == "agency_slug")
    keys = [c.value for c in sheet[header_row]]
    assert keys[2:] == ["1.1", "1.2 a", "1.2 b", "1.3", "1.4", "1.5", "1.6"]
    lists = [v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert lists == ['"chu-tich,pho-chu-tich"']
    maxima = [c.value for c in sheet[header_row + 1]]
    assert maxima[5] == "10 đ · bảng bậc: ≥1 → 5; ≥2 → 10"
    assert maxima[6] == "10 đ · lựa chọn: chu-tich = 10 đ; pho-chu-tich = 5 đ"
    assert maxima[7] == "5 đ · 1 đ mỗi đơn vị, tối đa 5 đ"

    inputs = {
        "so-mot": {"1.1": 9, "1.2 a": 3, "1.2 b": 4, "1.3": 4, "1.4": "Chu-Tich"},
        "so-hai": {"1.1": 5, "1.2 a": 1, "1.2 b": 2, "1.3": 1, "1.4": "pho-chu-tich"},
        "so-ba": {"1.1": 1, "1.2 a": 0, "1.2 b": 9, "1.3": 0, "1.4": None},
    }
    for slug, capped, relative in (("so-mot", 7, 80), ("so-hai", 2, 40), ("so-ba", 0, 0)):
        inputs[slug].update({"1.5": capped, "1.6": relative})
    parsed = import_parse(cycle=every_rule, upload=filled(every_rule, inputs), filename="s.xlsx")
    assert parsed.ok, [str(p) for p in parsed.problems]
    # 9 + 7.5 + 10 + 10 + 5 + 5; 5 + 5 + 5 + 5 + 2 + 2.5; 1
    assert ranking(import_preview(cycle=every_rule, parsed=parsed)) == [
        ("so-mot", 1, D("46.5")),
        ("so-hai", 2, D("24.5")),
        ("so-ba", 3, D("1")),
    ]
    import_apply(cycle=every_rule, parsed=parsed)
    chosen = Score.objects.get(cycle=every_rule, agency__slug="so-mot", criterion__code="1.4")
    assert (chosen.choice, chosen.value, chosen.points) == ("chu-tich", None, D(10))

    inputs["so-hai"]["1.4"] = "giam-doc"
    inputs["so-ba"]["1.1"] = None
    sheet_bytes = filled(
        every_rule, inputs, edit=lambda s, h: s.append(["so-cu", "Sở Cũ", 1, 1, 1, 1, "", 1, 1])
    )
    parsed = import_parse(cycle=every_rule, upload=sheet_bytes, filename="s.xlsx")
    assert [str(p) for p in parsed.problems] == [
        f"Dòng {header_row + 3}, cột “1.4”: giá trị “giam-doc” không hợp lệ — phải là một "
        "trong các lựa chọn: chu-tich, pho-chu-tich",
        f"Dòng {header_row + 5}, cột “agency_slug”: giá trị “so-cu” không hợp lệ — đơn vị "
        "“Sở Cũ” không hoạt động trong năm 2021",
    ]


def test_row_problems_are_english_in_english_mode(cycle):
    from django.utils import translation

    upload = _with(cat__1_2_b=0, an__1_1=12, an__2_1="x")(cycle)
    with translation.override("en"):
        parsed = import_parse(cycle=cycle, upload=upload, filename="diem.xlsx")
        messages = [str(problem) for problem in parsed.problems]
    assert messages == [
        "Row 18, column “1.1”: the value “12” is not valid — above the maximum of 10 points of "
        "criterion 1.1",
        "Row 18, column “2.1”: the value “x” is not valid — must be a number (for example 12,5 "
        "or 12.5)",
        "Row 20, column “1.2 b”: the value “0” is not valid — the denominator must be greater "
        "than 0",
    ]


def test_sheet_problems_are_english_in_english_mode(cycle):
    from django.utils import translation

    inputs = {slug: dict(values) for slug, values in INPUTS_2021.items()}
    inputs["an"]["2.1"] = "=10+5"
    with translation.override("en"):
        parsed = import_parse(cycle=cycle, upload=csv_text(inputs).encode(), filename="diem.csv")
        messages = [str(problem) for problem in parsed.problems]
    assert messages == [
        "Row 3, column “2.1”: the value “=10+5” is not valid — formulas are not accepted; "
        "paste the values (Paste Special → Values)"
    ]


def test_upload_refusals_are_english_in_english_mode(cycle):
    from django.utils import translation

    with translation.override("en"):
        parsed = import_parse(cycle=cycle, upload=b"%PDF-1.7", filename="diem.xlsx")
        messages = [str(problem) for problem in parsed.problems]
    assert messages == [
        "The file “diem.xlsx” ends in .xlsx but is not an Excel workbook: it is a PDF document "
        "renamed, not an Excel .xlsx file. Download the template, fill it in and save it from "
        "Excel (“Excel Workbook (.xlsx)”)."
    ]
