"""Ranks, ties, precision, eligibility, bands and block statistics."""

from decimal import Decimal

import pandas as pd
import pytest

import scoring
from scoring import Band, BandBasis, RankingRules, Rounding, TieMethod

D = Decimal


@pytest.fixture
def rank_totals(make):
    """Rank agencies whose totals (str) sit in one direct criterion of max `maximum`."""

    def run(totals: dict, maximum: str = "100", criteria=None, inputs=None, **rules):
        criteria = (
            criteria if criteria is not None else make.criteria([("1", maximum, "direct", {})])
        )
        inputs = inputs if inputs is not None else make.direct_totals(totals, maximum)
        return scoring.compute(criteria, inputs, RankingRules(max_points=D(maximum), **rules))

    return run


def ranks(card) -> dict:
    return {
        a: (None if pd.isna(r) else int(r))
        for a, r in zip(card.results["agency"], card.results["rank"], strict=True)
    }


TIED = {"a": "90", "b": "80", "c": "80", "d": "70"}


def test_competition_ties_1_2_2_4(rank_totals):
    assert ranks(rank_totals(TIED)) == {"a": 1, "b": 2, "c": 2, "d": 4}


def test_dense_ties_1_2_2_3(rank_totals):
    assert ranks(rank_totals(TIED, tie_method=TieMethod.DENSE)) == {"a": 1, "b": 2, "c": 2, "d": 3}


def test_results_sorted_by_block_rank_agency_unranked_last(make, rank_totals):
    inputs = make.inputs(
        [
            {"agency": 5, "block": "y", "criterion": "1", "value": D(50)},
            {"agency": 3, "block": "x", "criterion": "1", "value": D(10)},
            {"agency": 2, "block": "x", "criterion": "1", "value": D(60)},
            {"agency": 1, "block": "x", "criterion": "1", "value": D(60)},
            {"agency": 4, "block": "y", "criterion": "1", "value": D(70)},
        ]
    )
    card = rank_totals({}, inputs=inputs, not_ranked_below=D(20))
    assert card.results[["agency", "block"]].to_numpy().tolist() == [
        [1, "x"],
        [2, "x"],
        [3, "x"],
        [4, "y"],
        [5, "y"],
    ]
    assert ranks(card) == {1: 1, 2: 1, 3: None, 4: 1, 5: 2}


def test_precision_and_rounding_of_totals_can_make_a_tie(rank_totals):
    totals = {"a": "89.15", "b": "89.149"}
    exact = rank_totals(totals, precision=3)
    half_up = rank_totals(totals, precision=1, rounding=Rounding.HALF_UP)
    truncated = rank_totals(totals, precision=1, rounding=Rounding.TRUNCATE)
    assert ranks(exact) == {"a": 1, "b": 2}
    assert half_up.results["score"].tolist() == [89200, 89100]
    assert ranks(half_up) == {"a": 1, "b": 2}
    assert truncated.results["score"].tolist() == [89100, 89100]
    assert ranks(truncated) == {"a": 1, "b": 1}
    # The exact total is kept next to the published score.
    assert truncated.results["total"].tolist() == [89150, 89149]


def test_moc_chau_score_89_2_at_one_decimal(rank_totals):
    card = rank_totals({"moc-chau": "89.2"}, maximum="100", precision=1)
    stored = card.results_decimal()
    assert stored.loc[0, "score"] == D("89.2")
    assert str(stored.loc[0, "total"]) == "89.200"


def test_not_ranked_below_a_minimum_of_points(rank_totals):
    card = rank_totals({"a": "54", "b": "36", "c": "35.999"}, not_ranked_below=D(36), maximum="63")
    assert ranks(card) == {"a": 1, "b": 2, "c": None}
    reason = card.results.set_index("agency")["not_ranked_reason"]
    assert reason["c"] == "score below the minimum of 36 points"
    assert reason["a"] is None


def test_not_ranked_below_a_percent_of_maximum(rank_totals):
    card = rank_totals(
        {"a": "69", "b": "68.999"},
        maximum="138",
        not_ranked_below=D(50),
        not_ranked_basis=BandBasis.PERCENT,
    )
    assert ranks(card) == {"a": 1, "b": None}
    assert card.results["not_ranked_reason"].tolist()[1] == (
        "score below the minimum of 50% of the maximum"
    )


def test_required_criterion_not_met(make, rank_totals):
    criteria = make.criteria([("1", "50", "direct", {}, True), ("2", "50", "direct", {})])
    inputs = make.inputs(
        [
            {"agency": "a", "criterion": "1", "value": D(10)},
            {"agency": "a", "criterion": "2", "value": D(10)},
            {"agency": "b", "criterion": "2", "value": D(50)},
            {"agency": "c", "criterion": "1", "value": D(0)},
        ]
    )
    card = rank_totals({}, criteria=criteria, inputs=inputs, bands=(Band("A", D(0)),))
    assert ranks(card) == {"a": 1, "b": None, "c": None}
    rows = card.results.set_index("agency")
    assert rows.loc["b", "not_ranked_reason"] == "criterion 1 not met"
    assert rows.loc["c", "not_ranked_reason"] == "criterion 1 not met"
    assert rows.loc["a", "band"] == "A"
    assert rows.loc["b", "band"] is None  # not ranked, not classified


GOOD_FAIR = (
    Band("Tốt", D(85)),
    Band("Yếu", D(0)),
    Band("Khá", D(70)),
    Band("Trung bình", D(50)),
)


def test_bands_by_percent_in_any_order(rank_totals):
    card = rank_totals(
        {"a": "85", "b": "84.999", "c": "50", "d": "49.9"}, bands=GOOD_FAIR, maximum="100"
    )
    assert card.results["band"].tolist() == ["Tốt", "Khá", "Trung bình", "Yếu"]


def test_bands_by_percent_compare_exactly_against_the_maximum(rank_totals):
    # 53.55 / 63 = 85.0% exactly; 53.549 falls just short.
    card = rank_totals({"a": "53.55", "b": "53.549"}, maximum="63", bands=GOOD_FAIR)
    assert card.results["band"].tolist() == ["Tốt", "Khá"]


def test_bands_by_points(rank_totals):
    levels = tuple(
        Band(label, D(minimum), BandBasis.POINTS)
        for label, minimum in [("I", 54), ("II", 48), ("III", 42), ("IV", 36)]
    )
    card = rank_totals({"a": "60", "b": "48", "c": "41.999", "d": "35"}, maximum="63", bands=levels)
    assert card.results["band"].tolist() == ["I", "II", "IV", None]


def test_percent_is_exact_from_the_total(rank_totals):
    card = rank_totals(
        {"lap-thach": "90.69"},
        maximum="138",
        percent_precision=0,
        percent_rounding=Rounding.HALF_UP,
    )
    assert card.results["percent_scaled"].tolist() == [66]
    assert card.percent().tolist() == [D("66")]
    assert card.results_decimal()["percent"].tolist() == [D("66")]


# 20 departments, Vĩnh Phúc 2020: highest 59.984, lowest 33.407, sum 997.262.
DEPARTMENTS = {
    **{f"d{i:02}": "50.215" for i in range(17)},
    "d17": "50.216",
    "so-tttt": "59.984",
    "bql-kcn": "33.407",
}


def test_block_statistics_are_exact(rank_totals):
    card = rank_totals(DEPARTMENTS, maximum="63")
    stats = card.blocks.iloc[0]
    assert (stats["count"], stats["ranked"]) == (20, 20)
    assert stats["mean"] == D("49.8631")
    assert str(stats["highest"]) == "59.984"
    assert str(stats["lowest"]) == "33.407"
    assert str(stats["spread"]) == "26.577"
    assert stats["median"] == D("50.215")
    assert stats["max_points"] == D(63)
    assert scoring.quantize(stats["mean_percent"], 0, Rounding.TRUNCATE) == D(79)
    assert str(stats["mean_percent"]).startswith("79.147777777777777777777777")


def test_block_statistics_even_median_and_one_block_each(make, rank_totals):
    inputs = make.inputs(
        [
            {"agency": 1, "block": "x", "criterion": "1", "value": D(1)},
            {"agency": 2, "block": "x", "criterion": "1", "value": D(2)},
            {"agency": 3, "block": "y", "criterion": "1", "value": D(5)},
        ]
    )
    card = rank_totals({}, inputs=inputs, maximum="10")
    blocks = card.blocks.set_index("block")
    assert blocks.loc["x", "median"] == D("1.5")
    assert blocks.loc["x", "mean"] == D("1.5")
    assert blocks.loc["y", "count"] == 1
    assert blocks.loc["y", "spread"] == 0


def test_results_decimal_for_storage(rank_totals):
    card = rank_totals({"a": "9.5", "b": "1"}, maximum="10", not_ranked_below=D(2))
    stored = card.results_decimal()
    assert list(stored.columns) == [
        "agency",
        "block",
        "total",
        "score",
        "percent",
        "rank",
        "band",
        "not_ranked_reason",
    ]
    first, second = stored.to_dict("records")
    assert (first["total"], first["percent"], first["rank"]) == (D("9.5"), D("95.0"), 1)
    assert second["rank"] is None
