"""The Scorecard's Decimal views: percent() and results_decimal()."""

from decimal import Decimal

import pandas as pd

import scoring
from scoring import RankingRules

D = Decimal


def card() -> scoring.Scorecard:
    criteria = pd.DataFrame(
        [{"criterion": "1", "group": "1", "max_points": D(3), "rule": "direct"}]
    )
    inputs = scoring.inputs_from_records(
        [{"agency": a, "block": 1, "criterion": "1", "value": v} for a, v in [("a", 2), ("b", 1)]]
    )
    return scoring.compute(criteria, inputs, RankingRules(max_points=D(3), percent_precision=2))


def test_percent_is_named_and_follows_the_results_index():
    scorecard = card()
    percent = scorecard.percent()
    assert percent.name == "percent" and percent.dtype == object
    assert percent.tolist() == [D("66.66"), D("33.33")]
    # A card whose results were re-indexed (rankings/ builds some by hand) keeps its rows.
    results = scorecard.results.iloc[::-1]
    turned = scoring.Scorecard(
        points=scorecard.points,
        groups=scorecard.groups,
        subgroups=scorecard.subgroups,
        results=results,
        blocks=scorecard.blocks,
        rules=scorecard.rules,
    )
    assert turned.percent().index.tolist() == [1, 0]
    assert turned.percent().tolist() == [D("33.33"), D("66.66")]
    assert turned.results_decimal()["percent"].tolist() == [D("33.33"), D("66.66")]
