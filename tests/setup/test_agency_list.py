"""The agency list: preview, every refusal by row and column with nothing written, re-import."""

import datetime

import pytest

from agencies.models import Agency, AgencyAlias
from rankings.setup.agency_list import agency_list_apply, agency_list_plan
from tests.setup.files import csv_bytes, xlsx

HEADER = ["Tên đơn vị", "Tên ngắn", "Loại", "Khối", "Mã ĐVHC", "Hiệu lực từ", "Hiệu lực đến"]
ROWS = [
    [
        "Sở Thông tin và Truyền thông",
        "Sở TT&TT",
        "Sở, ban, ngành",
        "Khối sở, ban, ngành",
        "",
        "",
        "",
    ],
    ["Sở Y tế", "", "Sở", "departments", "", "", ""],
    ["Sở Lao động, Thương binh và Xã hội", "Sở LĐTBXH", "Sở", "departments", "", "", "30/06/2025"],
    ["UBND huyện Hoà An", "Hoà An", "Huyện", "Khối UBND huyện, thành phố", "51", "", "30/06/2025"],
    ["UBND thành phố Cao Bằng", "TP Cao Bằng", "Huyện", "districts", "040", "", ""],
]


def plan_of(province, rows, *, header=HEADER, maker=xlsx, name="don-vi.xlsx"):
    return agency_list_plan(province=province, data=maker([header, *rows]), filename=name)


def test_a_list_is_previewed_then_applied_and_reimporting_changes_nothing(cao_bang):
    plan = plan_of(cao_bang, ROWS)
    assert plan.problems == []
    assert [r.name for r in plan.created] == [r[0] for r in ROWS]
    assert Agency.objects.count() == 0  # a preview writes nothing
    agency_list_apply(province=cao_bang, plan=plan)
    agencies = {a.slug: a for a in Agency.objects.filter(province=cao_bang)}
    assert sorted(agencies) == ["hoa-an", "so-ldtbxh", "so-tt-tt", "so-y-te", "tp-cao-bang"]
    assert agencies["hoa-an"].admin_unit_code == "051"
    assert agencies["hoa-an"].valid_to == datetime.date(2025, 6, 30)
    assert agencies["so-y-te"].short_name == "Sở Y tế"

    again = plan_of(cao_bang, ROWS, maker=csv_bytes, name="don-vi.csv")
    assert (len(again.created), len(again.updated), len(again.unchanged)) == (0, 0, 5)
    agency_list_apply(province=cao_bang, plan=again)
    assert Agency.objects.filter(province=cao_bang).count() == 5


def test_a_renamed_row_updates_by_code_or_by_name_never_duplicates(cao_bang):
    agency_list_apply(province=cao_bang, plan=plan_of(cao_bang, ROWS))
    AgencyAlias.objects.create(
        agency=Agency.objects.get(slug="so-tt-tt"), name="Sở Thông tin - Truyền thông"
    )
    rows = [
        ["Sở Thông tin - Truyền thông", "Sở TT&TT", "Sở", "departments", "", "", "30/06/2025"],
        ["Ủy ban nhân dân huyện Hòa An", "Hòa An", "Huyện", "districts", "051", "", ""],
    ]
    plan = plan_of(cao_bang, rows)
    assert plan.problems == []
    assert [(r.existing.slug, r.changes()) for r in plan.rows] == [
        ("so-tt-tt", ["name", "valid_to"]),
        ("hoa-an", ["name", "short_name", "valid_to"]),
    ]
    agency_list_apply(province=cao_bang, plan=plan)
    assert Agency.objects.filter(province=cao_bang).count() == 5
    assert Agency.objects.get(slug="hoa-an").name == "Ủy ban nhân dân huyện Hòa An"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            ["", "X", "Sở", "departments", "", "", ""],
            "dòng 2, cột “Tên đơn vị”: thiếu tên đơn vị",
        ),
        (
            ["Sở Y tế", "", "Bệnh viện", "departments", "", "", ""],
            "dòng 2, cột “Loại”: loại “Bệnh viện” không hợp lệ; dùng một trong: Sở, ban, ngành; "
            "Cơ quan trung ương đóng trên địa bàn; UBND cấp huyện; UBND cấp xã; UBND cấp tỉnh",
        ),
        (
            ["Sở Y tế", "", "Sở", "Khối bệnh viện", "", "", ""],
            "dòng 2, cột “Khối”: khối “Khối bệnh viện” chưa có; hãy tạo khối trước hoặc dùng: "
            "Khối UBND huyện, thành phố; Khối UBND xã, phường, thị trấn; Khối sở, ban, ngành",
        ),
        (
            ["UBND huyện Hà Quảng", "", "Huyện", "districts", "46", "", ""],
            "dòng 2, cột “Mã ĐVHC”: mã 46 không có trong danh mục cấp huyện của tỉnh; gần nhất: "
            "Huyện Hà Quảng (045); Huyện Hạ Lang (048); Huyện Hoà An (051)",
        ),
        (
            ["UBND huyện Hà Quảng", "", "Huyện", "districts", "42", "", ""],
            "dòng 2, cột “Mã ĐVHC”: mã 42 là “Huyện Bảo Lâm”, không khớp tên “UBND huyện Hà Quảng”",
        ),
        (
            ["Sở Y tế", "", "Sở", "departments", "12", "", ""],
            "dòng 2, cột “Mã ĐVHC”: "
            "mã đơn vị hành chính chỉ dùng cho UBND cấp huyện, cấp xã và là số",
        ),
        (
            ["Sở Y tế", "", "Sở", "departments", "", "31/02/2020", ""],
            "dòng 2, cột “Hiệu lực từ”: “31/02/2020” không phải ngày (dd/mm/yyyy)",
        ),
        (
            ["Sở Y tế", "", "Sở", "departments", "", "01/01/2021", "31/12/2020"],
            "dòng 2, cột “Hiệu lực đến”: ngày hết hiệu lực trước ngày bắt đầu hiệu lực",
        ),
    ],
)
def test_every_refusal_names_row_and_column_and_writes_nothing(cao_bang, row, message):
    plan = plan_of(cao_bang, [ROWS[0], row][1:])
    assert [str(p) for p in plan.problems] == [message]
    with pytest.raises(ValueError):
        agency_list_apply(province=cao_bang, plan=plan)
    assert Agency.objects.count() == 0


def test_duplicates_in_the_file_are_refused(cao_bang):
    rows = [ROWS[1], ["SỞ Y TẾ", "", "Sở", "departments", "", "", ""], ROWS[3], ROWS[3]]
    plan = plan_of(cao_bang, rows)
    assert [str(p) for p in plan.problems] == [
        "dòng 3, cột “Tên đơn vị”: tên “SỞ Y TẾ” đã có ở dòng 2",
        "dòng 5, cột “Tên đơn vị”: tên “UBND huyện Hoà An” đã có ở dòng 4",
    ]


def test_unreadable_files_are_refused(cao_bang):
    no_header = agency_list_plan(province=cao_bang, data=xlsx([["a", "b"]]), filename="x.xlsx")
    assert [str(p) for p in no_header.problems] == [
        "không tìm thấy dòng tiêu đề có các cột “Tên đơn vị”, “Loại”, “Khối”."
    ]
    fake = agency_list_plan(province=cao_bang, data=b"PK\x03\x04junk", filename="x.xlsx")
    assert "bị hỏng" in str(fake.problems[0])
    empty = plan_of(cao_bang, [])
    assert [str(p) for p in empty.problems] == ["tệp không có dòng dữ liệu nào."]


def test_the_national_scope_links_each_province_by_its_code(cao_bang):
    """Provinces as ranked units: the code links each row to the province's own pages."""
    from agencies.models import Block, Province

    national = Province.objects.create(
        code="00", name="Toàn quốc", slug="toan-quoc", is_national=True
    )
    Block.objects.create(slug="provinces", name="Các tỉnh, thành phố", name_en="Provinces")
    phu_tho_old = Province.objects.create(
        code="25", name="Phú Thọ", valid_to=datetime.date(2025, 6, 30)
    )
    phu_tho_new = Province.objects.create(
        code="25", name="Phú Thọ", slug="phu-tho-2025", valid_from=datetime.date(2025, 7, 1)
    )
    rows = [
        ["UBND tỉnh Cao Bằng", "Cao Bằng", "Tỉnh", "provinces", "4", "", "30/06/2025"],
        ["UBND tỉnh Phú Thọ", "Phú Thọ", "Tỉnh", "provinces", "25", "", "30/06/2025"],
        ["UBND tỉnh Phú Thọ (mới)", "Phú Thọ mới", "Tỉnh", "provinces", "25", "01/07/2025", ""],
        ["UBND tỉnh Hà Giang", "Hà Giang", "Tỉnh", "provinces", "2", "", ""],
        ["Bộ Nội vụ", "", "Sở", "provinces", "", "", ""],
    ]
    plan = plan_of(national, rows)
    assert [str(p) for p in plan.problems] == [
        "dòng 5, cột “Mã ĐVHC”: mã tỉnh 02: 0 tỉnh trong hệ thống có hiệu lực trùng thời gian "
        "của dòng; hãy thiết lập tỉnh đó trước hoặc ghi ngày hiệu lực",
        "dòng 6, cột “Mã ĐVHC”: phạm vi toàn quốc xếp hạng UBND cấp tỉnh: cần loại “UBND cấp "
        "tỉnh” và mã tỉnh",
    ]
    plan = plan_of(national, rows[:3])
    agency_list_apply(province=national, plan=plan)
    linked = dict(Agency.objects.filter(province=national).values_list("short_name", "represents"))
    assert linked == {
        "Cao Bằng": cao_bang.pk,
        "Phú Thọ": phu_tho_old.pk,
        "Phú Thọ mới": phu_tho_new.pk,
    }


def test_a_file_refusal_is_english_in_english_mode():
    from django.utils import translation

    from rankings.setup.tables import Problem, Refused, read_sheet

    with translation.override("en"), pytest.raises(Refused) as refused:
        read_sheet(b"a,b\n1,2\n", "x.csv", columns={"name": ("Tên đơn vị",)}, required=("name",))
    with translation.override("en"):
        where = str(Problem(row=4, column="Khối", message="…"))
    assert (str(refused.value), where) == (
        "no header row with the columns “Tên đơn vị” was found.",
        "row 4, column “Khối”: …",
    )
