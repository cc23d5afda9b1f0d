"""Targets judged against the world's published values (see conftest's table)."""

from decimal import Decimal

from rankings.targets.selectors import agency_targets, province_targets
from tests.targets.conftest import target

D = Decimal


def by_indicator(rows) -> dict:
    return {row.target.indicator: row for row in rows}


def test_an_agency_sees_its_targets_beside_its_published_values(world):
    target(world, world.an, indicator="ký số", value=D(80))  # 90 → 70, line 85 in 2021
    target(
        world,
        world.an,
        indicator="hạng",
        measure="rank",
        criterion_code="",
        value=D(1),
        comparison="at_most",
    )
    target(world, world.an, indicator="hài lòng", measure="text", criterion_code="", value=D(90))
    target(world, world.binh, indicator="của Bình", value=D(90))  # not An's
    found = agency_targets(agency=world.an)
    assert found.years == [2020, 2021]
    rows = by_indicator(found.rows)
    assert set(rows) == {"ký số", "hạng", "hài lòng"}
    assert rows["ký số"].series == {2020: D("90.000"), 2021: D("70.000")}
    assert rows["ký số"].progress.status == "behind"
    assert rows["ký số"].progress.expected == D("85.000")
    assert rows["hạng"].series == {2020: D(1), 2021: D(2)}
    assert rows["hạng"].progress.status == "behind"  # at most 1: line stays at 1
    assert rows["hài lòng"].progress.status == "no_data"


def test_met_on_track_missed_from_published_values(world):
    target(world, world.binh, indicator="ký số", value=D(90))  # 100 in 2021
    target(
        world,
        world.binh,
        indicator="tổng",
        measure="total",
        criterion_code="",
        value=D(38),
        year=2025,
    )  # 26 → 33; line 28.4 in 2021
    target(
        world,
        world.binh,
        indicator="tổng 2021",
        measure="total",
        criterion_code="",
        value=D(34),
        year=2021,
    )  # 33 in 2021
    target(world, world.binh, indicator="điểm a", measure="value", value=D(35))  # a: 30 → 40
    rows = by_indicator(agency_targets(agency=world.binh).rows)
    assert rows["ký số"].progress.status == "met"
    assert rows["tổng"].progress.status == "on_track"
    assert rows["tổng"].progress.expected == D("28.400")
    assert rows["tổng 2021"].progress.status == "missed"
    assert rows["điểm a"].series == {2020: D("30.000"), 2021: D("40.000")}
    assert rows["điểm a"].progress.status == "met"


def test_criterion_points_come_from_the_published_result(world):
    target(world, world.cat, indicator="điểm 1.2", measure="points", value=D(5), year=2023)
    row = agency_targets(agency=world.cat).rows[0]
    assert row.series == {2020: D("5.000"), 2021: D("2.500")}
    assert row.progress.status == "behind"


def test_a_correction_under_way_does_not_change_published_inputs(world):
    from rankings.models import Score

    target(world, world.an, indicator="ký số", value=D(80))
    score = Score.objects.get(
        cycle=world.cycle_2021, agency=world.an, criterion__code="1.2", stage="final"
    )
    score.value = D(50)  # 100 %, not yet published
    score.save()
    row = agency_targets(agency=world.an).rows[0]
    assert row.series[2021] == D("70.000")  # as published, from the score's history


def test_province_wide_targets_count_agencies_by_status(world):
    target(
        world,
        None,
        indicator="tổng chung",
        measure="total",
        criterion_code="",
        value=D(30),
        year=2021,
        block=world.districts,
    )  # An 30 met, Bình 33 met, Cát 20 missed
    target(world, world.an, indicator="ký số", value=D(80))
    found = province_targets(province=world.province)
    wide, own = found.rows
    assert wide.agency is None and own.agency == world.an
    assert wide.counts == {"met": 2, "on_track": 0, "behind": 0, "missed": 1, "no_data": 0}
    assert own.progress.status == "behind"
    # the agency's profile judges the province-wide target for it
    rows = by_indicator(agency_targets(agency=world.cat).rows)
    assert rows["tổng chung"].progress.status == "missed"
    assert agency_targets(agency=world.so_mot).rows == []  # another block


def test_province_table_filtered_by_year(world):
    target(world, world.an, indicator="2022", value=D(80))
    target(world, world.an, indicator="2025", value=D(80), year=2025)
    assert [
        r.target.indicator for r in province_targets(province=world.province, year=2025).rows
    ] == ["2025"]
