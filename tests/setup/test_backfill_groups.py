"""Backfilling printed group subtotals: matched to the block's groups, checked against the
printed total by row and column, stored as group scores and shown like any group.

Cao Bằng's departments in 2019, with the set of the annex test (1 Nhận thức số 50,
2 Mức độ ứng dụng 50; maximum 100):

    Sở TT&TT       1: 45,5   2: 45      total 90,5   rank 1
    Sở Y tế        1: 40     2: 40      total 80     rank 2 =
    Sở LĐTBXH      1: 30     2: 50      total 80     rank 2 =
    Sở Tài chính   1: 30,25  2: 30      total 60,25  rank 4
"""

import datetime
from decimal import Decimal

import pytest

from rankings.models import (
    AssessmentCycle,
    CriteriaSet,
    CriteriaSetKind,
    Publication,
    Result,
    Score,
)
from rankings.setup.annex import SetHeader, annex_apply
from rankings.setup.backfill import backfill_apply, backfill_plan
from tests.setup import test_backfill
from tests.setup.files import xlsx
from tests.setup.test_annex import ANNEX
from tests.setup.test_annex import plan_of as annex_of
from tests.setup.test_backfill import DECISION

agencies = test_backfill.agencies  # the four departments, a fixture

HEADER = ["STT", "Cơ quan, đơn vị", "Nhóm 1", "Mức độ ứng dụng", "Tổng điểm", "Xếp hạng"]
ROWS = [
    [1, "Sở Thông tin và Truyền thông", "45,5", 45, "90,5", 1],
    [2, "Sở Y tế", 40, 40, 80, 2],
    [3, "Sở Lao động - Thương binh và Xã hội", 30, 50, "80", 2],
    [4, "SỞ TÀI CHÍNH", 30.25, 30, 60.25, 4],
]


@pytest.fixture
def annex_set(cao_bang, departments):
    header = SetHeader(
        block=departments,
        name="Bộ chỉ số 2019",
        max_points=Decimal(100),
        decision_number="15/QĐ-UBND",
        decision_date=datetime.date(2019, 1, 5),
    )
    return annex_apply(province=cao_bang, header=header, plan=annex_of(ANNEX))


def plan(cao_bang, departments, rows, header=HEADER, year=2019):
    return backfill_plan(
        province=cao_bang,
        block=departments,
        year=year,
        max_points=Decimal(100),
        tie_method="competition",
        source=DECISION,
        data=xlsx([header, *rows]),
        filename="bang.xlsx",
    )


def test_printed_subtotals_become_group_scores_shown_like_any_group(
    client,
    cao_bang,
    departments,
    agencies,
    annex_set,
):
    checked = plan(cao_bang, departments, ROWS)
    assert [str(p) for p in checked.problems] == [] and checked.differences == []
    assert [(g.header, g.code, g.maximum) for g in checked.groups] == [
        ("Nhóm 1", "1", Decimal(50)),
        ("Mức độ ứng dụng", "2", Decimal(50)),
    ]
    publication = backfill_apply(plan=checked)
    used = publication.cycle.criteria_set
    assert used.kind == CriteriaSetKind.FULL and used.pk != annex_set.pk
    assert [(g.code, g.name) for g in used.groups.order_by("order")] == [
        ("1", "Nhận thức số"),
        ("2", "Mức độ ứng dụng"),
    ]
    assert sorted(
        (s.agency.short_name, s.criterion.code, s.points)
        for s in Score.objects.filter(cycle=publication.cycle).select_related("agency", "criterion")
    )[:2] == [
        ("Sở Lao động, Thương binh và Xã hội", "1", Decimal("30.000")),
        ("Sở Lao động, Thương binh và Xã hội", "2", Decimal("50.000")),
    ]
    results = {
        r.agency.short_name: (r.total, r.rank)
        for r in Result.objects.filter(publication=publication).select_related("agency")
    }
    assert results["Sở Thông tin và Truyền thông"] == (Decimal("90.500"), 1)
    assert results["Sở Tài chính"] == (Decimal("60.250"), 4)
    page = client.get(f"/{cao_bang.slug}/2019/departments/").content.decode()
    assert "Nhận thức số" in page and "Mức độ ứng dụng" in page
    assert "45,500" in page and "30,250" in page  # the groups' columns, 3 decimals
    csv_text = client.get(f"/{cao_bang.slug}/2019/departments.csv").content.decode()
    assert "group_1,group_2,total" in csv_text.splitlines()[0]
    # The next printed year with the same groups reuses the set: years stay comparable.
    again = plan(cao_bang, departments, ROWS, year=2020)
    assert backfill_apply(plan=again).cycle.criteria_set_id == used.pk


@pytest.mark.parametrize(
    ("header", "row", "message"),
    [
        (
            HEADER,
            [5, "Sở Y tế", 40, 40, 85, ""],
            "dòng 6, cột “Tổng điểm”: các điểm nhóm cộng lại 80, khác tổng điểm in 85",
        ),
        (HEADER, [5, "Sở Y tế", "", 40, 40, ""], "dòng 6, cột “Nhóm 1”: “” không phải số điểm"),
        (
            HEADER,
            [5, "Sở Y tế", 55, 40, 95, ""],
            "dòng 6, cột “Nhóm 1”: 55 nằm ngoài 0 – 50 điểm của nhóm 1",
        ),
        (
            HEADER,
            [5, "Sở Y tế", "40,1234", 40, 80, ""],
            "dòng 6, cột “Nhóm 1”: 40.1234 có hơn 3 chữ số thập phân",
        ),
        (
            [*HEADER[:3], "Nhóm 3", *HEADER[4:]],
            None,
            "cột “Nhóm 3”: không có nhóm này trong bộ tiêu chí nào của khối có điểm tối đa "
            "100; đặt tên cột theo mã hoặc tên nhóm của bộ tiêu chí",
        ),
        (
            [HEADER[0], HEADER[1], "", "Mức độ ứng dụng", *HEADER[4:]],
            None,
            "bảng có điểm nhóm nhưng thiếu cột của nhóm 1 Nhận thức số",
        ),
    ],
)
def test_every_subtotal_refusal_names_row_and_column_and_writes_nothing(
    cao_bang,
    departments,
    agencies,
    annex_set,
    header,
    row,
    message,
):
    checked = plan(cao_bang, departments, [*ROWS, row] if row else ROWS, header=header)
    assert [str(p) for p in checked.problems] == [message]
    with pytest.raises(ValueError):
        backfill_apply(plan=checked)
    assert (AssessmentCycle.objects.count(), Publication.objects.count()) == (0, 0)
    assert CriteriaSet.objects.count() == 1  # the annex's only


def test_subtotal_columns_need_a_criteria_set_that_has_the_groups(
    cao_bang,
    departments,
    agencies,
):
    checked = plan(cao_bang, departments, ROWS)
    assert [str(p) for p in checked.problems] == [
        "cột “Nhóm 1”: không có nhóm này trong bộ tiêu chí nào của khối có điểm tối đa 100; "
        "đặt tên cột theo mã hoặc tên nhóm của bộ tiêu chí"
    ]
