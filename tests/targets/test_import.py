"""Importing a plan's table: all rows or none, each problem named by row and column."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from rankings.targets.importer import COLUMNS
from rankings.targets.models import Target
from tests.targets.conftest import signed_in, target

URL = reverse("target-import", kwargs={"province": "mau"})
HEADER = ",".join(COLUMNS)
# Tiên Lãng's plan, as a district of the named world would write it.
GOOD = [
    "an,,Tỷ lệ văn bản ký số,ratio,1.2,2025,at_least,80,%,2020,,KH 2021-2025",
    'an,,Hồ sơ trực tuyến,value,1.2,2025,≥,"30,5",hồ sơ,,,',
    "an,,Người dân hài lòng,text,,2025,tối thiểu,90,%,,,Khảo sát",
    "an,,Thứ hạng,rank,,2025,at_most,1,,,,",
]


def csv_file(*rows: str, name="ke-hoach.csv", header=HEADER) -> SimpleUploadedFile:
    text = "\n".join(["# Chỉ tiêu kế hoạch 2021-2025", header, *rows]) + "\n"
    return SimpleUploadedFile(name, text.encode("utf-8"))


def xlsx_file(rows: list[list]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("ke-hoach.xlsx", buffer.getvalue())


def test_a_good_csv_stores_every_row(world, people):
    response = signed_in(people.reporter_an).post(URL, {"file": csv_file(*GOOD)})
    assert response.status_code == 302
    stored = {t.indicator: t for t in Target.objects.all()}
    assert len(stored) == 4
    assert str(stored["Hồ sơ trực tuyến"].value) == "30.500"
    assert stored["Thứ hạng"].comparison == "at_most"
    assert stored["Người dân hài lòng"].note == "Khảo sát"


def test_a_good_xlsx_stores_and_replaces_the_same_target(world, people):
    target(world, world.an, indicator="Tỷ lệ văn bản ký số", year=2025, value=60)
    rows = [["an", None, "Tỷ lệ văn bản ký số", "ratio", "1.2", 2025, "at_least", 80, "%"]]
    response = signed_in(people.reporter_an).post(URL, {"file": xlsx_file(rows)})
    assert response.status_code == 302
    assert [str(t.value) for t in Target.objects.all()] == ["80.000"]


def test_a_bad_row_is_named_and_nothing_is_written(world, people):
    bad = "an,,Tỷ lệ sai,ratio,1.2,2025,at_least,120,%,,,"
    response = signed_in(people.reporter_an).post(URL, {"file": csv_file(*GOOD, bad)})
    page = response.content.decode()
    assert response.status_code == 400
    # the header is line 2 (a note above it), so the fifth row is line 7
    assert "Dòng 7, cột “value”: Giá trị mục tiêu: tỷ lệ phần trăm không quá 100." in page
    assert not Target.objects.exists()


def test_each_problem_names_its_row_and_column(world, people):
    rows = [
        "xyz,,A,ratio,1.2,2025,,80,,,,",
        "an,,B,tỷ lệ,1.2,2025,,80,,,,",
        "an,,C,ratio,1.2,năm sau,,80,,,,",
        "an,,D,ratio,1.2,2025,,tám mươi,,,,",
        "an,,E,ratio,9.9,2025,,80,,,,",
        "an,,E,ratio,1.2,2025,,80,,,,",
        "an,,E,ratio,1.2,2025,,80,,,,",
    ]
    response = signed_in(people.reporter_an).post(URL, {"file": csv_file(*rows)})
    page = response.content.decode()
    assert "Dòng 3, cột “agency_slug”: không có đơn vị nào của tỉnh có slug “xyz”." in page
    assert "Dòng 4, cột “measure”: hãy ghi một trong:" in page
    assert "Dòng 5, cột “year”: giá trị “năm sau” không hợp lệ" in page
    assert "Dòng 6, cột “value”: giá trị “tám mươi” không hợp lệ" in page
    assert "Dòng 7, cột “criterion_code”: Mã tiêu chí: không có tiêu chí “9.9”" in page
    assert "Dòng 9, cột “indicator”: giá trị “E” không hợp lệ — trùng chỉ tiêu" in page
    assert not Target.objects.exists()


def test_agency_staff_cannot_import_another_agencys_or_province_wide_rows(world, people):
    rows = ["binh,,A,ratio,1.2,2025,,80,,,,", ",,B,ratio,1.2,2025,,80,,,,"]
    response = signed_in(people.reporter_an).post(URL, {"file": csv_file(*rows)})
    page = response.content.decode()
    assert "Dòng 3, cột “agency_slug”: bạn không có quyền ghi chỉ tiêu của đơn vị “binh”." in page
    assert "Dòng 4, cột “agency_slug”: chỉ cán bộ Sở TT&amp;TT ghi chỉ tiêu chung" in page
    assert not Target.objects.exists()


def test_ict_staff_import_province_wide_rows(world, people):
    rows = [",districts,Chung,total,,2025,,30,,,,", "binh,,Của Bình,points,1.2,2025,,8,,,,"]
    response = signed_in(people.editor).post(URL, {"file": csv_file(*rows)})
    assert response.status_code == 302
    assert {(t.agency, t.block) for t in Target.objects.all()} == {
        (None, world.districts),
        (world.binh, None),
    }


def test_the_upload_safety_checks_refuse_a_renamed_file(world, people):
    fake = SimpleUploadedFile("ke-hoach.xlsx", b"%PDF-1.4 not a workbook")
    response = signed_in(people.reporter_an).post(URL, {"file": fake})
    assert response.status_code == 400
    assert "đây là tài liệu PDF bị đổi đuôi" in response.content.decode()
    formula = csv_file("an,,A,ratio,1.2,2025,,=1+1,,,,")
    response = signed_in(people.reporter_an).post(URL, {"file": formula})
    assert "công thức không được chấp nhận" in response.content.decode()
    assert not Target.objects.exists()


def test_unknown_and_missing_columns(world, people):
    header = "agency_slug,indicator,measure,year,gia_tri"
    response = signed_in(people.reporter_an).post(
        URL, {"file": csv_file("an,A,ratio,2025,80", header=header)}
    )
    page = response.content.decode()
    assert "cột “gia_tri”: cột không có trong mẫu" in page
    assert "thiếu cột bắt buộc “value”" in page


def test_anonymous_and_other_province_cannot_import(world, people):
    from django.test import Client

    assert Client().post(URL, {"file": csv_file(*GOOD)}).status_code == 302
    assert signed_in(people.editor_other).post(URL, {"file": csv_file(*GOOD)}).status_code == 404
    assert not Target.objects.exists()


def test_import_queries_do_not_grow_with_rows(world, people, django_assert_max_num_queries):
    rows = [f"an,,Chỉ tiêu {n},ratio,1.2,2025,,80,,,," for n in range(40)]
    client = signed_in(people.reporter_an)
    with django_assert_max_num_queries(15):
        assert client.post(URL, {"file": csv_file(*rows)}).status_code == 302
    assert Target.objects.count() == 40
