"""Explanations: gaps to neighbours, groups against the block, what is left to gain."""

from decimal import Decimal

import pandas as pd

import scoring
from scoring import RankingRules

D = Decimal
CRITERIA = [
    ("1.1", "10", "direct", {}),
    ("1.2", "10", "direct", {}),
    ("2.1", "20", "direct", {}),
]
# total:  a 30, b 25, c 25, d 10 (not ranked: below 15)
VALUES = {
    "a": ("10", "5", "15"),
    "b": ("5", "5", "15"),
    "c": ("10", "10", "5"),
    "d": ("0", "0", "10"),
}


def explained(make, top_n=5):
    criteria = make.criteria(CRITERIA)
    inputs = make.inputs(
        [
            {"agency": agency, "criterion": code, "value": D(value)}
            for agency, values in VALUES.items()
            for (code, *_), value in zip(CRITERIA, values, strict=True)
        ]
    )
    card = scoring.compute(criteria, inputs, RankingRules(max_points=D(40), not_ranked_below=D(15)))
    return scoring.explain(card, criteria, top_n=top_n)


def test_gaps_to_the_next_better_and_to_the_top(make):
    gaps = explained(make).gaps.set_index("agency")
    assert pd.isna(gaps.loc["a", "gap_above"])
    assert gaps.loc["a", "gap_top"] == 0
    assert (gaps.loc["b", "gap_above"], gaps.loc["c", "gap_above"]) == (5000, 5000)
    assert gaps.loc["c", "gap_top"] == 5000
    assert pd.isna(gaps.loc["d", "gap_above"])
    assert gaps.loc["d", "gap_top"] == 20000


def test_group_gaps_against_the_block_mean(make):
    frame = explained(make).group_gaps
    frame = frame.assign(group=frame["group"].astype(str)).set_index(["agency", "group"])
    # Group 1: a 15, b 10, c 20, d 0 -> mean 11.25
    assert frame.loc[("a", "1"), "block_mean"] == D("11.25")
    assert frame.loc[("a", "1"), "gap"] == D("3.75")
    assert frame.loc[("d", "1"), "gap"] == D("-11.25")
    assert frame.loc[("a", "1"), "points"] == 15000


def test_attainable_largest_first_ties_by_code(make):
    frame = explained(make, top_n=2).attainable
    rows = frame[frame["agency"] == "b"]
    assert rows[["criterion", "attainable"]].to_numpy().tolist() == [["1.1", 5000], ["1.2", 5000]]
    d = frame[frame["agency"] == "d"]
    assert d["criterion"].tolist() == ["1.1", "1.2"]  # 10 each; 2.1 also 10 but comes later
    full = explained(make).attainable
    # Criteria at their maximum have nothing left and are not listed.
    assert "1.1" not in full.loc[full["agency"] == "a", "criterion"].tolist()
    assert set(full.columns) == {"agency", "criterion", "points", "max_points", "attainable"}
