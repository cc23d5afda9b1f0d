"""Year over year, for agencies and for blocks."""

from decimal import Decimal

import pandas as pd
import pytest

import scoring
from scoring import RankingRules

D = Decimal


@pytest.fixture
def results(make):
    def run(totals: dict, maximum: str):
        criteria = make.criteria([("1", maximum, "direct", {})])
        card = scoring.compute(
            criteria, make.direct_totals(totals, maximum), RankingRules(max_points=D(maximum))
        )
        return card

    return run


def test_compare_years_comparable(results):
    before = results({"an": "32", "binh": "26", "cat": "26", "gone": "1"}, "40")
    now = results({"an": "30", "binh": "33", "cat": "20", "new": "5"}, "40")
    frame = scoring.compare_years(
        now.results, before.results, current_max=D(40), previous_max=D(40), comparable=True
    ).set_index("agency")
    assert frame.loc["binh", "change"] == 7000
    assert frame.loc["an", "change"] == -2000
    assert (frame.loc["binh", "previous_rank"], frame.loc["binh", "rank_change"]) == (2, 1)
    assert frame.loc["an", "rank_change"] == -1
    assert frame.loc["cat", "rank_change"] == -1  # 2 -> 3
    assert pd.isna(frame.loc["new", "previous_total"])
    assert pd.isna(frame.loc["new", "rank_change"])
    assert frame.loc["new", "previous_percent"] is None
    assert frame.loc["binh", "percent_change"] == D("17.500")  # 82.5% - 65%
    assert frame.loc["an", "previous_percent"] == D("80.000")
    assert frame["comparable"].tolist() == [True, True, True, False]


def test_compare_years_with_the_decimal_results_uses_their_percent(results):
    before = results({"a": "45.2"}, "63")
    now = results({"a": "49.9"}, "63")
    frame = scoring.compare_years(
        now.results,
        before.results_decimal(),
        current_max=D(63),
        previous_max=D(63),
        comparable=True,
    )
    assert frame.loc[0, "previous_percent"] == D("71.7")  # 71.746..% truncated at 1 place
    assert frame.loc[0, "percent_change"] == D("7.460")  # 79.206..% - 71.746..%


def test_compare_years_with_the_decimal_results_gives_none_for_a_new_agency(results):
    """An agency without last year's row has no previous percent: None, not the NaN that
    aligning the frames put in the Decimal column."""
    before = results({"a": "45.2"}, "63")
    now = results({"a": "49.9", "new": "30"}, "63")
    frame = scoring.compare_years(
        now.results,
        before.results_decimal(),
        current_max=D(63),
        previous_max=D(63),
        comparable=True,
    ).set_index("agency")
    assert frame.loc["new", "previous_percent"] is None
    assert frame.loc["a", "previous_percent"] == D("71.7")


def test_compare_years_not_comparable_keeps_ranks_and_percents_not_points(results):
    before = results({"a": "60", "b": "40"}, "100")
    now = results({"a": "69", "b": "100"}, "138")
    frame = scoring.compare_years(
        now.results, before.results, current_max=D(138), previous_max=D(100), comparable=False
    ).set_index("agency")
    assert frame["change"].isna().all()
    assert frame.loc["b", "rank_change"] == 1
    assert frame.loc["a", "percent_change"] == D("-10.000")  # 50% - 60%
    assert frame.loc["b", "percent_change"] == D("32.463")  # 72.4637..% - 40%, toward zero
    assert not frame["comparable"].any()


def test_compare_years_without_previous(results):
    now = results({"a": "1"}, "10")
    frame = scoring.compare_years(
        now.results, None, current_max=D(10), previous_max=D(10), comparable=True
    )
    assert frame["previous_total"].isna().all() and frame["change"].isna().all()
    assert frame.loc[0, "percent_change"] is None
    assert not frame.loc[0, "comparable"]


def test_compare_blocks_departments_mean_up_4_650(make):
    previous = pd.DataFrame(
        {"block": ["departments"], "count": [20], "mean": [D("45.2131")], "mean_percent": [D(0)]}
    )
    current = pd.DataFrame(
        {"block": ["departments"], "count": [20], "mean": [D("49.8631")], "mean_percent": [D(1)]}
    )
    frame = scoring.compare_blocks(current, previous, comparable=True)
    assert frame.loc[0, "mean_change"] == D("4.650")
    assert frame.loc[0, "previous_mean"] == D("45.2131")
    assert frame.loc[0, "mean_percent_change"] == D(1)
    not_comparable = scoring.compare_blocks(current, previous, comparable=False)
    assert not_comparable.loc[0, "mean_change"] is None
    assert scoring.compare_blocks(current, None, comparable=True).loc[0, "mean_change"] is None


def test_compare_blocks_districts_mean_up_18_995(make):
    def blocks(totals):
        criteria = make.criteria([("1", "138", "direct", {})])
        card = scoring.compute(
            criteria, make.direct_totals(totals, "138"), RankingRules(max_points=D(138))
        )
        return card.blocks

    # 2019: 71.484 average of 2; 2020: 90.479 average of 2.
    before = blocks({"a": "71", "b": "71.968"})
    now = blocks({"a": "106.331", "b": "74.627"})
    frame = scoring.compare_blocks(now, before, comparable=True)
    assert frame.loc[0, "mean"] == D("90.479")
    assert frame.loc[0, "mean_change"] == D("18.995")


def test_is_comparable(make):
    base = [("1", "10", "direct", {}), ("2", "5", "ratio", {})]
    assert scoring.is_comparable(make.criteria(base), make.criteria(list(reversed(base))))
    assert not scoring.is_comparable(
        make.criteria(base), make.criteria([("1", "10", "direct", {}), ("2", "6", "ratio", {})])
    )
    assert not scoring.is_comparable(
        make.criteria(base), make.criteria([("1", "10", "direct", {}), ("2", "5", "direct", {})])
    )
    assert not scoring.is_comparable(make.criteria(base), make.criteria(base[:1]))
