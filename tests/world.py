"""A small named world the tests share: one province, three districts, three departments.

Districts (criteria set max 40: 1.1 direct /10, 1.2 ratio a/b × 10, 2.1 direct /20):

    2020        1.1    1.2          2.1    total   rank
    An          8      45/50 = 9    15     32.000  1
    Bình        6      30/40 = 7.5  12.5   26.000  2 =
    Cát         6      2/4   = 5    15     26.000  2 =

    2021        1.1    1.2          2.1    total   rank  change
    An          8      35/50 = 7    15     30.000  2     −2.000 (▼1)
    Bình        8      40/40 = 10   15     33.000  1     +7.000 (▲1)
    Cát         5      1/4   = 2.5  12.5   20.000  3     −6.000 (▼1)

Departments 2020 (max 20, one direct criterion 1.1): Sở Một 18, Sở Hai 15, Sở Ba 9.
Both years are published; the 2021 district cycle also has a newer draft recomputation.
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
    CycleState,
    Score,
    Stage,
)

D = Decimal


@dataclass
class World:
    province: Province
    districts: Block
    departments: Block
    an: Agency
    binh: Agency
    cat: Agency
    so_mot: Agency
    so_hai: Agency
    so_ba: Agency
    cycle_2020: AssessmentCycle
    cycle_2021: AssessmentCycle
    departments_2020: AssessmentCycle


def district_set(province, block, year, previous=None) -> CriteriaSet:
    criteria_set = CriteriaSet.objects.create(
        province=province,
        block=block,
        name=f"Bộ tiêu chí huyện {year}",
        slug=f"mau-huyen-{year}",
        decision_number=f"{year}/QĐ-STTTT",
        decision_date=datetime.date(year, 3, 1),
        max_points=D("40"),
        precision=3,
        percent_precision=1,
        copied_from=previous,
    )
    ready = CriterionGroup.objects.create(
        criteria_set=criteria_set, code="1", name="Sẵn sàng", order=1
    )
    use = CriterionGroup.objects.create(
        criteria_set=criteria_set, code="2", name="Ứng dụng", order=2
    )
    Criterion.objects.create(
        criteria_set=criteria_set,
        group=ready,
        code="1.1",
        name="Hạ tầng",
        max_points=D("10"),
        order=1,
    )
    Criterion.objects.create(
        criteria_set=criteria_set,
        group=ready,
        code="1.2",
        name="Tỷ lệ văn bản ký số",
        max_points=D("10"),
        rule="ratio",
        order=2,
    )
    Criterion.objects.create(
        criteria_set=criteria_set,
        group=use,
        code="2.1",
        name="Dịch vụ công trực tuyến",
        max_points=D("20"),
        order=3,
    )
    for label, minimum in (("Tốt", "80"), ("Khá", "65"), ("Trung bình", "0")):
        Band.objects.create(criteria_set=criteria_set, label=label, minimum=D(minimum))
    return criteria_set


def enter(cycle, agency, values: dict[str, tuple]) -> None:
    criteria = {c.code: c for c in cycle.criteria_set.criteria.all()}
    for code, raw in values.items():
        value, denominator = raw if isinstance(raw, tuple) else (raw, None)
        Score.objects.create(
            cycle=cycle,
            agency=agency,
            criterion=criteria[code],
            stage=Stage.FINAL,
            value=D(str(value)),
            denominator=D(str(denominator)) if denominator else None,
            points=D("0"),
            max_points=criteria[code].max_points,
        )


def publish(cycle, number: str) -> None:
    services.cycle_publish(
        cycle=cycle,
        decision_number=number,
        decision_date=datetime.date(cycle.year + 1, 5, 1),
        signer="Chủ tịch",
    )


def build_world() -> World:
    province = Province.objects.create(code="99", name="Tỉnh Mẫu", slug="mau")
    districts = Block.objects.create(
        slug="districts", name="Khối huyện", name_en="Districts", order=2
    )
    departments = Block.objects.create(
        slug="departments", name="Khối sở", name_en="Departments", order=1
    )

    def agency(block, kind, slug, name, short):
        return Agency.objects.create(
            province=province, block=block, kind=kind, slug=slug, name=name, short_name=short
        )

    an = agency(districts, AgencyKind.DISTRICT, "an", "UBND huyện An", "An")
    binh = agency(districts, AgencyKind.DISTRICT, "binh", "UBND huyện Bình", "Bình")
    cat = agency(districts, AgencyKind.DISTRICT, "cat", "UBND huyện Cát", "Cát")
    so_mot = agency(departments, AgencyKind.DEPARTMENT, "so-mot", "Sở Một", "Sở Một")
    so_hai = agency(departments, AgencyKind.DEPARTMENT, "so-hai", "Sở Hai", "Sở Hai")
    so_ba = agency(departments, AgencyKind.DEPARTMENT, "so-ba", "Sở Ba", "Sở Ba")

    set_2020 = district_set(province, districts, 2020)
    set_2021 = district_set(province, districts, 2021, previous=set_2020)
    cycle_2020 = AssessmentCycle.objects.create(
        province=province, year=2020, block=districts, criteria_set=set_2020
    )
    enter(cycle_2020, an, {"1.1": 8, "1.2": (45, 50), "2.1": 15})
    enter(cycle_2020, binh, {"1.1": 6, "1.2": (30, 40), "2.1": "12.5"})
    enter(cycle_2020, cat, {"1.1": 6, "1.2": (2, 4), "2.1": 15})
    publish(cycle_2020, "100/QĐ-UBND")

    cycle_2021 = AssessmentCycle.objects.create(
        province=province, year=2021, block=districts, criteria_set=set_2021
    )
    enter(cycle_2021, an, {"1.1": 8, "1.2": (35, 50), "2.1": 15})
    enter(cycle_2021, binh, {"1.1": 8, "1.2": (40, 40), "2.1": 15})
    enter(cycle_2021, cat, {"1.1": 5, "1.2": (1, 4), "2.1": "12.5"})
    publish(cycle_2021, "200/QĐ-UBND")

    dept_set = CriteriaSet.objects.create(
        province=province,
        block=departments,
        name="Bộ tiêu chí sở 2020",
        slug="mau-so-2020",
        max_points=D("20"),
        precision=3,
        percent_precision=0,
    )
    group = CriterionGroup.objects.create(criteria_set=dept_set, code="1", name="Ứng dụng")
    Criterion.objects.create(
        criteria_set=dept_set, group=group, code="1.1", name="Ứng dụng", max_points=D("20")
    )
    departments_2020 = AssessmentCycle.objects.create(
        province=province, year=2020, block=departments, criteria_set=dept_set
    )
    for unit, points in ((so_mot, 18), (so_hai, 15), (so_ba, 9)):
        enter(departments_2020, unit, {"1.1": points})
    publish(departments_2020, "101/QĐ-UBND")
    return World(
        province,
        districts,
        departments,
        an,
        binh,
        cat,
        so_mot,
        so_hai,
        so_ba,
        cycle_2020,
        cycle_2021,
        departments_2020,
    )


def open_2022(world: World, *, deadline_days: int | None = 10) -> AssessmentCycle:
    """The districts' 2022 cycle, open on 2021's criteria set, its deadline `deadline_days`
    away (None: no deadline): where most tests of the yearly cycle start."""
    deadline = None
    if deadline_days is not None:
        deadline = datetime.date.today() + datetime.timedelta(days=deadline_days)
    return AssessmentCycle.objects.create(
        province=world.province,
        year=2022,
        block=world.districts,
        criteria_set=world.cycle_2021.criteria_set,
        state=CycleState.OPEN,
        submission_deadline=deadline,
    )
