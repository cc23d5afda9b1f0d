"""Database constraints hold on SQLite and PostgreSQL alike."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from agencies.models import Agency, AgencyKind, Block, Province, Succession
from rankings.models import (
    AssessmentCycle,
    CriteriaSet,
    Criterion,
    CriterionGroup,
    Publication,
    Result,
    Score,
    Stage,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def base():
    province = Province.objects.create(code="99", name="Tỉnh Mẫu", slug="mau")
    block = Block.objects.create(slug="districts", name="Khối huyện", name_en="Districts")
    agency = Agency.objects.create(
        province=province,
        block=block,
        kind=AgencyKind.DISTRICT,
        name="UBND huyện An",
        short_name="An",
        slug="an",
    )
    criteria_set = CriteriaSet.objects.create(
        province=province,
        block=block,
        name="Bộ tiêu chí 2020",
        slug="mau-2020",
        max_points=Decimal("10"),
    )
    group = CriterionGroup.objects.create(criteria_set=criteria_set, code="1", name="Sẵn sàng")
    criterion = Criterion.objects.create(
        criteria_set=criteria_set,
        group=group,
        code="1.1",
        name="Máy tính",
        max_points=Decimal("10"),
    )
    cycle = AssessmentCycle.objects.create(
        province=province, year=2020, block=block, criteria_set=criteria_set
    )
    return {
        "province": province,
        "block": block,
        "agency": agency,
        "cycle": cycle,
        "criterion": criterion,
        "criteria_set": criteria_set,
    }


def _score(base, **overrides) -> Score:
    fields = {
        "cycle": base["cycle"],
        "agency": base["agency"],
        "criterion": base["criterion"],
        "stage": Stage.FINAL,
        "points": Decimal("5.000"),
        "max_points": Decimal("10.000"),
    }
    fields.update(overrides)
    return Score.objects.create(**fields)


def _refused(create) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_score_points_within_zero_and_maximum(base):
    _refused(lambda: _score(base, points=Decimal("10.001")))
    _refused(lambda: _score(base, points=Decimal("-0.001")))
    assert _score(base, points=Decimal("10.000")).points == Decimal("10.000")


def test_one_score_per_agency_criterion_cycle_and_stage(base):
    _score(base)
    _refused(lambda: _score(base))
    assert _score(base, stage=Stage.SELF).stage == Stage.SELF


def test_ratio_denominator_must_be_positive(base):
    _refused(lambda: _score(base, value=Decimal("1"), denominator=Decimal("0")))


def test_one_cycle_per_province_year_and_block(base):
    _refused(
        lambda: AssessmentCycle.objects.create(
            province=base["province"],
            year=2020,
            block=base["block"],
            criteria_set=base["criteria_set"],
        )
    )


def test_criterion_codes_unique_within_a_set_and_maximum_positive(base):
    group = base["criterion"].group
    _refused(
        lambda: Criterion.objects.create(
            criteria_set=base["criteria_set"], group=group, code="1.1", name="x", max_points=1
        )
    )
    _refused(
        lambda: Criterion.objects.create(
            criteria_set=base["criteria_set"], group=group, code="1.2", name="x", max_points=0
        )
    )


def test_criteria_set_precision_at_most_thousandths(base):
    _refused(
        lambda: CriteriaSet.objects.create(
            block=base["block"], name="x", slug="x", max_points=1, precision=4
        )
    )


def test_criteria_set_statistics_at_most_four_decimals(base):
    """Vĩnh Phúc prints a department mean of 49.8631: four decimals, and no more."""
    fields = {"block": base["block"], "max_points": 1}
    CriteriaSet.objects.create(**fields, name="y", slug="y", statistics_precision=4)
    _refused(
        lambda: CriteriaSet.objects.create(**fields, name="x", slug="x", statistics_precision=5)
    )


def test_agency_slug_unique_per_province_and_lifetime_ordered(base):
    _refused(
        lambda: Agency.objects.create(
            province=base["province"],
            block=base["block"],
            kind=AgencyKind.DISTRICT,
            name="Trùng",
            short_name="Trùng",
            slug="an",
        )
    )
    _refused(
        lambda: Agency.objects.create(
            province=base["province"],
            block=base["block"],
            kind=AgencyKind.DISTRICT,
            name="Ngược",
            short_name="Ngược",
            slug="nguoc",
            valid_from=datetime.date(2025, 7, 1),
            valid_to=datetime.date(2025, 6, 30),
        )
    )


def test_succession_links_are_many_to_many_and_never_to_itself(base):
    agency = base["agency"]
    successors = [
        Agency.objects.create(
            province=base["province"],
            block=base["block"],
            kind=AgencyKind.COMMUNE,
            name=f"Xã {n}",
            short_name=n,
            slug=n,
        )
        for n in ("bac", "nam")
    ]
    for successor in successors:
        Succession.objects.create(
            predecessor=agency,
            successor=successor,
            effective=datetime.date(2025, 7, 1),
            whole=False,
        )
    assert set(agency.successors.values_list("slug", flat=True)) == {"bac", "nam"}
    assert list(successors[0].predecessors.values_list("slug", flat=True)) == ["an"]
    _refused(
        lambda: Succession.objects.create(
            predecessor=agency, successor=agency, effective=datetime.date(2025, 7, 1)
        )
    )


def test_results_one_draft_and_one_per_publication_with_percent_in_range(base):
    fields = {
        "cycle": base["cycle"],
        "agency": base["agency"],
        "total": Decimal("5"),
        "score": Decimal("5"),
        "percent": Decimal("50"),
        "rank": 1,
    }
    Result.objects.create(**fields)
    _refused(lambda: Result.objects.create(**fields))
    publication = Publication.objects.create(
        cycle=base["cycle"],
        decision_number="1/QĐ-UBND",
        decision_date=datetime.date(2021, 1, 1),
        published_at=datetime.datetime(2021, 1, 1, tzinfo=datetime.UTC),
    )
    Result.objects.create(**fields, publication=publication)
    _refused(lambda: Result.objects.create(**fields, publication=publication))
    _refused(lambda: Result.objects.create(**{**fields, "percent": Decimal("100.001")}))


def test_an_unranked_result_must_say_why(base):
    fields = {
        "cycle": base["cycle"],
        "agency": base["agency"],
        "total": Decimal("1"),
        "score": Decimal("1"),
        "percent": Decimal("10"),
        "rank": None,
    }
    _refused(lambda: Result.objects.create(**fields))
    assert Result.objects.create(**fields, not_ranked_reason="dưới ngưỡng").rank is None


def test_publication_revisions_unique_per_cycle(base):
    fields = {
        "cycle": base["cycle"],
        "decision_number": "1/QĐ-UBND",
        "decision_date": datetime.date(2021, 1, 1),
        "published_at": datetime.datetime(2021, 1, 1, tzinfo=datetime.UTC),
    }
    Publication.objects.create(**fields)
    _refused(lambda: Publication.objects.create(**fields))
