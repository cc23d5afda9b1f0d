"""A small published block with one criterion of every rule kind, for the simulator's tests.

Province "mo" (Tỉnh Mô), districts block, 2021, criteria set max 60, precision 2 half up,
bands Tốt 85 / Khá 70 / Trung bình 50 / Yếu 0 (% of maximum):

    code  rule      max  rule parameters
    1     direct    10
    2     ratio     10   a/b × 10
    3     steps     10   ≥1 → 2.5, ≥2 → 5, ≥4 → 10
    4     choice    10   chair 1, deputy 0.5, none 0
    5     capped    10   2 per unit, cap 10
    6     relative  10   value / best of the block × 10

              1     2        3     4        5    6         total   rank
    An        8     45/50=9  4=10  chair=10 3=6  80/80=10  53.00   1
    Bình      6     30/40=7.5 2=5  deputy=5 5=10 40/80=5   38.50   2
    Cát       7     2/4=5    1=2.5 none=0   1=2  60/80=7.5 24.00   3
    Đông      5     1/10=1   0=0   deputy=5 2=4  20/80=2.5 17.50   4
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from agencies.models import Agency, AgencyKind, Block, Province
from rankings.cycles import services
from rankings.models import (
    AssessmentCycle,
    Band,
    CriteriaSet,
    Criterion,
    CriterionGroup,
    Score,
    Stage,
)

D = Decimal
CRITERIA = [
    ("1", "direct", {}),
    ("2", "ratio", {}),
    ("3", "steps", {"steps": [["1", "2.5"], ["2", "5"], ["4", "10"]]}),
    ("4", "choice", {"choices": {"chair": "1", "deputy": "0.5", "none": "0"}}),
    ("5", "capped", {"per_unit": "2", "cap": "10"}),
    ("6", "relative", {}),
]
INPUTS = {
    "an": {"1": 8, "2": (45, 50), "3": 4, "4": "chair", "5": 3, "6": 80},
    "binh": {"1": 6, "2": (30, 40), "3": 2, "4": "deputy", "5": 5, "6": 40},
    "cat": {"1": 7, "2": (2, 4), "3": 1, "4": "none", "5": 1, "6": 60},
    "dong": {"1": 5, "2": (1, 10), "3": 0, "4": "deputy", "5": 2, "6": 20},
}
NAMES = {"an": "UBND huyện An", "binh": "UBND huyện Bình", "cat": "UBND huyện Cát"}
NAMES["dong"] = "UBND huyện Đông"


@dataclass
class KindsWorld:
    province: Province
    block: Block
    cycle: AssessmentCycle
    agencies: dict[str, Agency]


def build_kinds_world() -> KindsWorld:
    province = Province.objects.create(code="98", name="Tỉnh Mô", slug="mo")
    block = Block.objects.create(slug="huyen-mo", name="Khối huyện", name_en="Districts", order=2)
    criteria_set = CriteriaSet.objects.create(
        province=province,
        block=block,
        name="Bộ tiêu chí mô phỏng 2021",
        slug="mo-huyen-2021",
        max_points=D("60"),
        precision=2,
        percent_precision=1,
    )
    group = CriterionGroup.objects.create(criteria_set=criteria_set, code="1", name="Chung")
    criteria = {
        code: Criterion.objects.create(
            criteria_set=criteria_set,
            group=group,
            code=code,
            name=f"Tiêu chí {code} ({rule})",
            max_points=D("10"),
            rule=rule,
            params=params,
            order=int(code),
        )
        for code, rule, params in CRITERIA
    }
    for label, minimum in (("Tốt", "85"), ("Khá", "70"), ("Trung bình", "50"), ("Yếu", "0")):
        Band.objects.create(criteria_set=criteria_set, label=label, minimum=D(minimum))
    cycle = AssessmentCycle.objects.create(
        province=province, year=2021, block=block, criteria_set=criteria_set
    )
    agencies = {}
    for slug, name in NAMES.items():
        agencies[slug] = Agency.objects.create(
            province=province, block=block, kind=AgencyKind.DISTRICT, slug=slug, name=name
        )
        for code, raw in INPUTS[slug].items():
            Score.objects.create(
                cycle=cycle,
                agency=agencies[slug],
                criterion=criteria[code],
                stage=Stage.FINAL,
                points=D("0"),
                max_points=D("10"),
                **raw_fields(raw),
            )
    services.cycle_publish(
        cycle=cycle, decision_number="9/QĐ-UBND", decision_date=datetime.date(2022, 5, 1)
    )
    return KindsWorld(province, block, cycle, agencies)


def raw_fields(raw) -> dict:
    """Score columns of a raw input written as in INPUTS: a number, (a, b) or a choice key."""
    if isinstance(raw, tuple):
        return {"value": D(str(raw[0])), "denominator": D(str(raw[1])), "choice": ""}
    if isinstance(raw, str) and not raw[0].isdigit():
        return {"value": None, "denominator": None, "choice": raw}
    return {"value": D(str(raw)), "denominator": None, "choice": ""}
