"""The uncached hot paths (issue #8) read less and compute once, with the same output.

On the named world (tests/world.py): the leaderboard's rows become dicts once and its
results come without their per-criterion points; the agency profile reads its block as
plain rows in a fixed number of queries; the recompute read keeps its order without
asking the database to sort.
"""

import datetime
from decimal import Decimal

import pandas as pd
import pytest

from rankings.cycles import services
from rankings.frames import score_records
from rankings.models import Score, Stage
from rankings.public.selectors import leaderboard as leaderboard_selectors
from rankings.public.selectors.agency import agency_profile
from rankings.public.selectors.leaderboard import published_cycle
from rankings.public.selectors.trends import block_trend
from tests.world import enter

pytestmark = pytest.mark.django_db

D = Decimal


def pandas_records(frame: pd.DataFrame) -> list[dict]:
    """What `Leaderboard.records` computed before `frame_records`."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def typed(records: list[dict]) -> list[list[tuple]]:
    return [[(key, type(value), value) for key, value in row.items()] for row in records]


def test_frame_records_are_the_pandas_records_value_for_value():
    frame = pd.DataFrame.from_records(
        [
            {"rank": 1, "tied": False, "name": "An", "total": D("32.000"), "reason": None},
            {"rank": None, "tied": True, "name": None, "total": D("0.000"), "reason": "x"},
        ],
        columns=["rank", "tied", "name", "total", "reason"],
    )
    frame["rank"] = frame["rank"].astype("Int64")
    frame["previous_total"] = [None, None]
    records = leaderboard_selectors.frame_records(frame)
    assert typed(records) == typed(pandas_records(frame))
    assert records[1] == {
        "rank": None,
        "tied": True,
        "name": None,
        "total": D("0.000"),
        "reason": "x",
        "previous_total": None,
    }
    assert leaderboard_selectors.frame_records(frame.iloc[0:0]) == []


def test_leaderboard_records_are_built_once_from_results_without_criteria(world):
    board = leaderboard_selectors.leaderboard(cycle=world.cycle_2021)
    assert board.records is board.records  # the page reads them twice
    assert typed(board.records) == typed(pandas_records(board.rows))
    assert typed(board.previous.records) == typed(pandas_records(board.previous.rows))
    assert "criteria" in board.highest.get_deferred_fields()
    # The page's table: each record with its group subtotals in the groups' order.
    assert [group.code for group in board.groups] == ["1", "2"]
    assert board.table_rows[0] == (board.records[0], [D("18.000"), D("15.000")])  # Bình


def test_leaderboard_query_count_is_fixed(world, django_assert_num_queries):
    cycle = published_cycle(province="mau", year=2021, block="districts")
    # publication, groups, results, previous cycle; the same four for 2020 (whose year
    # before has no cycle), the comparison of the two criteria sets, the bands twice.
    with django_assert_num_queries(10):
        board = leaderboard_selectors.leaderboard(cycle=cycle)
        assert len(board.records) == 3


def test_agency_profile_reads_a_fixed_number_of_queries(world, django_assert_num_queries):
    # cycles, publications, the block's rows, the criteria sets' shapes, the agency's
    # own results (and the one above), its criteria with their groups, the bands
    with django_assert_num_queries(7):
        profile = agency_profile(agency=world.cat)
    assert [point.result.rank for point in profile.history] == [2, 3]
    assert profile.above.agency == world.an  # 2021: Cát 3rd, An 2nd
    assert profile.gap_above == D("10.000")
    assert [row.code for row in profile.improve] == ["1.2", "2.1", "1.1"]
    assert profile.criteria[1].points == D("2.500") and profile.criteria[1].change == -D("2.5")


def test_the_profile_names_the_last_of_those_tied_just_above(world):
    # Bình 2021 falls from 33 to 30: tied first with An, so Cát (3rd) is behind both, and
    # the page names the last of them by name, as it always has.
    Score.objects.filter(cycle=world.cycle_2021, agency=world.binh, criterion__code="1.1").update(
        value=D("5")
    )
    services.cycle_recompute(cycle=world.cycle_2021)
    services.cycle_publish(
        cycle=world.cycle_2021,
        decision_number="201/QĐ-UBND",
        decision_date=datetime.date(2022, 6, 2),
        reason="Sửa số liệu",
    )
    profile = agency_profile(agency=world.cat)
    assert profile.latest.result.rank == 3
    assert profile.above.rank == 1 and profile.above.agency == world.binh
    assert agency_profile(agency=world.binh).above is None  # first, tied


def test_an_agency_with_no_published_result_has_an_empty_profile(world):
    from agencies.models import Agency, AgencyKind

    new = Agency.objects.create(
        province=world.province,
        block=world.districts,
        kind=AgencyKind.DISTRICT,
        slug="moi",
        name="UBND huyện Mới",
        short_name="Mới",
    )
    profile = agency_profile(agency=new)
    assert profile.history == [] and profile.above is None


def test_score_records_come_in_agency_then_criterion_order(world):
    # Scores stored out of order (a late agency first, criteria backwards) still come out
    # sorted, since the engine lists problems in the order of its input rows.
    cycle = world.cycle_2021
    Score.objects.filter(cycle=cycle, agency=world.an).delete()
    enter(cycle, world.an, {"2.1": 15, "1.2": (35, 50), "1.1": 8})
    records = score_records(cycle=cycle)
    criterion_ids = dict(
        Score.objects.filter(cycle=cycle, stage=Stage.FINAL).values_list("pk", "criterion_id")
    )
    keys = [(r["agency"], criterion_ids[r["id"]]) for r in records]
    assert keys == sorted(keys) and len(keys) == 9
    assert {r["agency"] for r in records[:3]} == {min(r["agency"] for r in records)}
    assert all(r["block"] == cycle.block_id for r in records)


def test_a_trend_reads_its_years_in_a_fixed_number_of_queries(world, django_assert_num_queries):
    # cycles, publications, the block's rows with their agencies' names, the criteria
    # sets' shapes
    with django_assert_num_queries(4):
        trend = block_trend(province="mau", block="districts")
    assert [year.totals for year in trend.years] == [
        [D("32.000"), D("26.000"), D("26.000")],
        [D("33.000"), D("30.000"), D("20.000")],
    ]
    assert [(m.agency_slug, m.agency_name, m.rank_change) for m in trend.movers_up] == [
        ("binh", "UBND huyện Bình", 1)
    ]
    assert [(m.agency_slug, m.rank_change, m.change) for m in trend.movers_down] == [
        ("an", -1, -D("2.000")),
        ("cat", -1, -D("6.000")),
    ]
