"""Backfilling printed tables: ranks checked by the engine, sources kept, refusals write nothing.

Cao Bằng's departments, two printed years (maximum 100):

    2019 (decision 1234/QĐ-UBND)      2020 (a ministry's report)
    Sở TT&TT        90,5   1          Sở Y tế          88     1
    Sở Y tế         80     2 =        Sở TT&TT         85,25  2
    Sở LĐTBXH       80     2 =        Sở LĐTBXH        70     3
    Sở Tài chính    60,25  4          Sở Tài chính     70     3 =
"""

import datetime
from decimal import Decimal

import pytest

from agencies.models import Agency, AgencyAlias, AgencyKind
from rankings.models import AssessmentCycle, Publication, Result, SourceKind
from rankings.setup.backfill import Source, backfill_apply, backfill_plan
from tests.setup.files import csv_bytes, xlsx

DECISION = Source(
    SourceKind.DECISION,
    datetime.date(2020, 3, 2),
    number="1234/QĐ-UBND",
    signer="Chủ tịch UBND tỉnh",
)
REPORT = Source(
    SourceKind.OTHER,
    datetime.date(2021, 4, 5),
    title="Báo cáo số 55/BC-STTTT của Sở TT&TT",
    url="https://example.vn/bc55",
)
HEADER = ["STT", "Cơ quan, đơn vị", "Tổng điểm", "Xếp hạng"]
Y2019 = [
    [1, "Sở Thông tin và Truyền thông", "90,5", 1],
    [2, "Sở Y tế", 80, 2],
    [3, "Sở Lao động - Thương binh và Xã hội", "80", 2],
    [4, "SỞ TÀI CHÍNH", 60.25, 4],
]


@pytest.fixture
def agencies(cao_bang, departments):
    names = [
        "Sở Thông tin và Truyền thông",
        "Sở Y tế",
        "Sở Lao động, Thương binh và Xã hội",
        "Sở Tài chính",
    ]
    return [
        Agency.objects.create(
            province=cao_bang,
            block=departments,
            kind=AgencyKind.DEPARTMENT,
            name=name,
            short_name=name,
        )
        for name in names
    ]


def plan(cao_bang, departments, rows, *, year=2019, source=DECISION, confirmed=None, maker=xlsx):
    return backfill_plan(
        province=cao_bang,
        block=departments,
        year=year,
        max_points=Decimal(100),
        tie_method="competition",
        source=source,
        data=maker([HEADER, *rows]),
        filename="bang.xlsx" if maker is xlsx else "bang.csv",
        confirmed=confirmed,
    )


def test_two_printed_years_become_published_rankings_with_their_sources(
    cao_bang, departments, agencies
):
    first = plan(cao_bang, departments, Y2019)
    assert first.problems == [] and first.differences == []
    assert [r.rank for r in first.rows] == [1, 2, 2, 4]
    backfill_apply(plan=first)
    rows_2020 = [
        ["1", "Sở Y tế", "88", ""],
        ["2", "Sở TT&TT", "85,25", ""],  # confirmed below, then learned as an alias
        ["3", "Sở Lao động, Thương binh và Xã hội", "70", ""],
        ["4", "Sở Tài chính", "70", ""],
    ]
    second = plan(cao_bang, departments, rows_2020, year=2020, source=REPORT, maker=csv_bytes)
    assert list(second.unmatched) == [3]
    assert [a.name for a in second.unmatched[3][1]] == ["Sở Thông tin và Truyền thông"]
    second = plan(
        cao_bang,
        departments,
        rows_2020,
        year=2020,
        source=REPORT,
        maker=csv_bytes,
        confirmed={3: agencies[0].pk},
    )
    assert second.ok
    publication = backfill_apply(plan=second)
    assert AgencyAlias.objects.get().name == "Sở TT&TT"

    assert publication.source_kind == SourceKind.OTHER and publication.decision_number == ""
    assert publication.source_title == "Báo cáo số 55/BC-STTTT của Sở TT&TT"
    results = {
        (r.cycle.year, r.agency.name): (r.total, r.rank)
        for r in Result.objects.filter(publication__isnull=False).select_related("cycle", "agency")
    }
    assert results == {
        (2019, "Sở Thông tin và Truyền thông"): (Decimal("90.500"), 1),
        (2019, "Sở Y tế"): (Decimal("80.000"), 2),
        (2019, "Sở Lao động, Thương binh và Xã hội"): (Decimal("80.000"), 2),
        (2019, "Sở Tài chính"): (Decimal("60.250"), 4),
        (2020, "Sở Y tế"): (Decimal("88.000"), 1),
        (2020, "Sở Thông tin và Truyền thông"): (Decimal("85.250"), 2),
        (2020, "Sở Lao động, Thương binh và Xã hội"): (Decimal("70.000"), 3),
        (2020, "Sở Tài chính"): (Decimal("70.000"), 3),
    }
    cycles = AssessmentCycle.objects.filter(province=cao_bang).order_by("year")
    assert cycles[0].criteria_set_id == cycles[1].criteria_set_id  # comparable years
    assert cycles[0].criteria_set.totals_only


def test_printed_ranks_that_disagree_are_listed_before_saving(cao_bang, departments, agencies):
    rows = [[*r[:3], rank] for r, rank in zip(Y2019, [1, 2, 3, 4], strict=True)]
    checked = plan(cao_bang, departments, rows)
    assert checked.differences == [
        "dòng 4, Sở Lao động - Thương binh và Xã hội: bảng in hạng 3, tính theo quy tắc của bộ "
        "tiêu chí là 2"
    ]
    assert Publication.objects.count() == 0


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ([5, "", "50", ""], "dòng 6, cột “Cơ quan, đơn vị”: thiếu tên đơn vị"),
        ([5, "Sở Y tế", "năm mươi", ""], "dòng 6, cột “Tổng điểm”: “năm mươi” không phải số điểm"),
        ([5, "Sở Y tế", "100,5", ""], "dòng 6, cột “Tổng điểm”: 100.5 nằm ngoài 0 – 100 điểm"),
        (
            [5, "Sở Y tế", "50,1234", ""],
            "dòng 6, cột “Tổng điểm”: 50.1234 có hơn 3 chữ số thập phân",
        ),
        (
            [5, "Sở Y tế", "50", "2a"],
            "dòng 6, cột “Xếp hạng”: “2a” không phải thứ hạng (số nguyên từ 1)",
        ),
        (
            [5, "Sở Y tế", "50", ""],
            "dòng 6, cột “Cơ quan, đơn vị”: “Sở Y tế” trùng đơn vị với dòng 3",
        ),
        (
            [5, "Công an tỉnh", "50", ""],
            "dòng 6, cột “Cơ quan, đơn vị”: không tìm thấy đơn vị “Công an tỉnh” trong danh sách "
            "đơn vị của tỉnh",
        ),
        (
            [5, "So Tai chinh", "50", ""],
            "dòng 6, cột “Cơ quan, đơn vị”: không tìm thấy đơn vị “So Tai chinh”; gần nhất: "
            "Sở Tài chính",
        ),
    ],
)
def test_every_refusal_names_row_and_column_and_writes_nothing(
    cao_bang, departments, agencies, row, message
):
    checked = plan(cao_bang, departments, [*Y2019, row])
    assert [str(p) for p in checked.problems] == [message]
    with pytest.raises(ValueError):
        backfill_apply(plan=checked)
    assert (AssessmentCycle.objects.count(), Publication.objects.count()) == (0, 0)


def test_a_source_must_be_named_and_a_published_year_is_not_entered_again(
    cao_bang, departments, agencies
):
    no_number = plan(
        cao_bang, departments, Y2019, source=Source(SourceKind.DECISION, datetime.date(2020, 1, 1))
    )
    assert [str(p) for p in no_number.problems] == ["cột “Số quyết định”: cần số quyết định"]
    no_title = plan(
        cao_bang, departments, Y2019, source=Source(SourceKind.OTHER, datetime.date(2020, 1, 1))
    )
    assert [str(p) for p in no_title.problems] == [
        "cột “Tên nguồn”: cần tên báo cáo, bài báo hoặc văn bản"
    ]
    backfill_apply(plan=plan(cao_bang, departments, Y2019))
    again = plan(cao_bang, departments, Y2019)
    assert [str(p) for p in again.problems] == [
        "Cao Bằng · Khối sở, ban, ngành · 2019 đã công bố; sửa bằng đính chính, không nhập lại"
    ]


def test_an_agency_the_table_does_not_name_is_not_ranked_for_that_reason(
    cao_bang, departments, agencies
):
    # The walk of session 26: a printed table of some agencies published the others as
    # "did not submit", an invented reason, with no warning before saving.
    three = plan(cao_bang, departments, Y2019[:3])
    assert three.ok and [a.name for a in three.missing] == ["Sở Tài chính"]
    backfill_apply(plan=three)
    unranked = Result.objects.get(publication__isnull=False, agency=agencies[3])
    assert unranked.rank is None
    assert unranked.not_ranked_reason == "Không có tên trong bảng đã công bố"
