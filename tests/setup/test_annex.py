"""A criteria set from its decision's annex: rules in readable form, every refusal by row."""

import datetime
from decimal import Decimal

import pytest

from rankings.models import CriteriaSet, Criterion
from rankings.setup.annex import SetHeader, annex_apply, annex_plan
from rankings.setup.annex_export import annex_xlsx
from rankings.setup.rule_text import RuleError, parse_rule, rule_text
from tests.setup.files import xlsx

HEADER = [
    "STT",
    "Chỉ số / tiêu chí",
    "Điểm tối đa",
    "Cách xác định và chấm điểm",
    "Tài liệu kiểm chứng",
    "Nguồn số liệu",
]
ANNEX = [
    ["1", "Nhận thức số", 50, "", "", ""],
    [
        "1.1",
        "Số cuộc họp của Ban Chỉ đạo chuyển đổi số",
        20,
        "4:20; 3:15; 2:10; 1:5",
        "Văn bản, biên bản họp",
        "UBND huyện",
    ],
    ["1.2", "Trưởng Ban Chỉ đạo", 10, "Chủ tịch:1; Phó Chủ tịch:0,5; Không:0", "Quyết định", ""],
    ["1.3", "Hạ tầng", 20, "", "", ""],
    ["1.3.1", "Tỷ lệ máy tính", 10, "a/b", "", "Sở TT&TT"],
    ["1.3.2", "Ứng dụng dùng chung", 10, "1/ứng dụng; tối đa 10", "Không", ""],
    ["2", "Mức độ ứng dụng", 50, "", "", ""],
    ["2.1", "Văn bản ký số", 50, "trực tiếp", "", ""],
]
TITLE = [["PHỤ LỤC"], ["Bộ chỉ số đánh giá chuyển đổi số cấp huyện"], []]


def plan_of(rows, *, maximum=100):
    return annex_plan(
        data=xlsx([HEADER, *rows], title_rows=TITLE),
        filename="phu-luc.xlsx",
        max_points=Decimal(maximum),
    )


def test_an_annex_becomes_a_criteria_set(cao_bang, departments):
    plan = plan_of(ANNEX)
    assert [str(p) for p in plan.problems] == []
    assert [(n.code, depth) for n, depth in plan.walk()] == [
        ("1", 0),
        ("1.1", 1),
        ("1.2", 1),
        ("1.3", 1),
        ("1.3.1", 2),
        ("1.3.2", 2),
        ("2", 0),
        ("2.1", 1),
    ]
    header = SetHeader(
        block=departments,
        name="Bộ chỉ số cấp sở 2024",
        max_points=Decimal(100),
        decision_number="15/QĐ-UBND",
        decision_date=datetime.date(2024, 1, 5),
    )
    criteria_set = annex_apply(province=cao_bang, header=header, plan=plan)
    assert criteria_set.slug == "cao-bang-bo-chi-so-cap-so-2024"
    rules = {
        c.code: (c.rule, c.params, c.evidence_required, c.group.code)
        for c in Criterion.objects.filter(criteria_set=criteria_set).select_related("group")
    }
    assert rules == {
        "1.1": ("steps", {"steps": [["4", "20"], ["3", "15"], ["2", "10"], ["1", "5"]]}, True, "1"),
        "1.2": (
            "choice",
            {"choices": {"Chủ tịch": "1", "Phó Chủ tịch": "0.5", "Không": "0"}},
            True,
            "1",
        ),
        "1.3.1": ("ratio", {}, False, "1.3"),
        "1.3.2": ("capped", {"per_unit": "1", "cap": "10"}, False, "1.3"),
        "2.1": ("direct", {}, False, "2"),
    }
    assert criteria_set.groups.get(code="1.3").parent.code == "1"
    # Its annex, written back, reads as the same tree (the editor's round trip).
    exported = annex_plan(data=annex_xlsx(criteria_set), filename="p.xlsx", max_points=Decimal(100))
    assert [(n.code, n.maximum, n.rule, n.params) for n, _ in exported.walk()] == [
        (n.code, n.maximum, n.rule, n.params) for n, _ in plan.walk()
    ]
    # Until published, the tree can be replaced from a corrected annex.
    fixed = [
        *ANNEX[:7],
        ["2.1", "Văn bản ký số", 30, "", "", ""],
        ["2.2", "Hồ sơ trực tuyến", 20, "a/b", "", ""],
    ]
    annex_apply(province=cao_bang, header=header, plan=plan_of(fixed), replace=criteria_set)
    assert criteria_set.criteria.count() == 6 and CriteriaSet.objects.count() == 1


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([*ANNEX, ["2.1", "Lặp", 1, "", "", ""]], "dòng 13, cột “STT”: mã 2.1 đã có ở dòng 12"),
        (
            [*ANNEX, ["3.1", "Mồ côi", 1, "", "", ""]],
            "dòng 13, cột “STT”: mã 3.1 thiếu dòng cha 3 (phải đứng trước)",
        ),
        (
            [*ANNEX, ["2.1.1.1", "Sâu", 1, "", "", ""]],
            "dòng 13, cột “STT”: mã 2.1.1.1 sâu quá 3 cấp (nhóm, nhóm con, tiêu chí)",
        ),
        (
            [*ANNEX[:7], ["2.1", "", 50, "", "", ""]],
            "dòng 12, cột “Chỉ số / tiêu chí”: thiếu tên chỉ số, tiêu chí",
        ),
        (
            [*ANNEX[:7], ["2.1", "X", "năm", "", "", ""]],
            "dòng 12, cột “Điểm tối đa”: “năm” không phải điểm tối đa dương",
        ),
        (
            [*ANNEX[:7], ["2.1", "X", 40, "", "", ""]],
            "dòng 11, cột “Điểm tối đa”: nhóm 2 tối đa 50 điểm nhưng các mục con cộng lại 40",
        ),
        (
            [*ANNEX, ["3", "Nhóm rỗng", 10, "", "", ""]],
            "cột “Điểm tối đa”: tổng điểm tối đa các nhóm là 110, khác điểm tối đa của bộ tiêu "
            "chí 100 | dòng 13, cột “STT”: mã 3 là cấp nhóm nhưng không có tiêu chí con",
        ),
        (
            [*ANNEX[:7], ["2.1", "X", 50, "mỗi năm một lần", "", ""]],
            "dòng 12, cột “Cách xác định và chấm điểm”: không hiểu cách chấm “mỗi năm một lần”; "
            "viết theo mẫu: 4:20; 3:15 · Chủ tịch:1; Phó:0,5; Không:0 · a/b · "
            "1/ứng dụng; tối đa 5 · trực tiếp",
        ),
        (
            [*ANNEX[:7], ["2.1", "X", 50, "4:60; 2:30", "", ""]],
            "dòng 12, cột “Cách xác định và chấm điểm”: bậc 60 điểm lớn hơn điểm tối đa 50",
        ),
    ],
)
def test_every_refusal_names_row_and_column_and_writes_nothing(cao_bang, rows, message):
    plan = plan_of(rows)
    assert " | ".join(str(p) for p in plan.problems) == message
    assert not plan.ok
    assert CriteriaSet.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "maximum", "rule"),
    [
        (
            "Bí thư hoặc Chủ tịch: 10; Phó: 5; không có: 0",
            10,
            ("choice", {"choices": {"Bí thư hoặc Chủ tịch": "1", "Phó": "0.5", "không có": "0"}}),
        ),
        ("4 = 20; 3 = 15", 20, ("steps", {"steps": [["4", "20"], ["3", "15"]]})),
        ("Tỷ lệ", 5, ("ratio", {})),
        ("so với đơn vị cao nhất", 5, ("relative", {})),
    ],
)
def test_rule_texts(text, maximum, rule):
    assert parse_rule(text, Decimal(maximum)) == rule
    assert parse_rule(rule_text(*rule), Decimal(maximum)) == rule  # round trip


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("4:20; Chủ tịch:1", "bảng bậc và lựa chọn lẫn nhau trong “4:20; Chủ tịch:1”"),
        ("4:20; 4:10", "bảng bậc có mức trùng nhau"),
        ("Có:1; có:0", "lựa chọn trùng tên"),
        ("Chủ tịch:30", "lựa chọn “Chủ tịch” 30 điểm lớn hơn điểm tối đa 20"),
        ("1/ứng dụng; tối đa 30", "mức tối đa 30 lớn hơn điểm tối đa 20"),
    ],
)
def test_rule_refusals(text, message):
    with pytest.raises(RuleError) as refused:
        parse_rule(text, Decimal(20))
    assert str(refused.value) == message
