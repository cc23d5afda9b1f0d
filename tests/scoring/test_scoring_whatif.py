"""The what-if simulation and its cheapest proposals, on plain frames (no Django).

Block of three, max 30 (precision 1, half up), bands Tốt 80% / Khá 50%:

          1 direct /10   2 relative /10   3 steps /10 (≥2 → 5, ≥4 → 10)   total  rank
    a     9              50 → 10          4 → 10                          29.0   1
    b     6              25 → 5           2 → 5                           16.0   2
    c     4              10 → 2           0 → 0                            6.0   3
"""

from decimal import Decimal

import pytest

import scoring
from scoring import Band, RankingRules, Rounding
from scoring.whatif import RawInput, band_thresholds, lowest_total_for, scorecard, simulate
from scoring.whatif_plan import cheapest_plans

D = Decimal
RULES = RankingRules(
    max_points=D(30),
    precision=1,
    bands=(Band("Tốt", D(80)), Band("Khá", D(50))),
)
STEPS = {"steps": [["2", "5"], ["4", "10"]]}
VALUES = {"a": ("9", "50", "4"), "b": ("6", "25", "2"), "c": ("4", "10", "0")}


@pytest.fixture
def block(make):
    criteria = make.criteria(
        [("1", "10", "direct", {}), ("2", "10", "relative", {}), ("3", "10", "steps", STEPS)]
    )
    records = [
        {"agency": agency, "block": "x", "criterion": code, "value": D(value)}
        for agency, values in VALUES.items()
        for code, value in zip(("1", "2", "3"), values, strict=True)
    ]
    return criteria, records


def test_no_change_is_the_real_scorecard(block):
    criteria, records = block
    same = simulate(criteria, records, RULES, agency="b", block="x", changes={})
    assert (same.score, same.rank, same.band, same.ranked) == (16000, 2, "Khá", 3)
    assert same.points == {"1": 6000, "2": 5000, "3": 5000}


def test_a_new_best_value_renormalises_the_peers(block):
    """c's relative value 100 becomes the best: a's 50 is worth 5 then, not 10."""
    criteria, records = block
    changes = {"2": RawInput(value=D(100))}
    after = simulate(criteria, records, RULES, agency="c", block="x", changes=changes)
    card = scorecard(
        criteria,
        [r for r in records if not (r["agency"] == "c" and r["criterion"] == "2")]
        + [{"agency": "c", "block": "x", "criterion": "2", "value": D(100)}],
        RULES,
    )
    a_points = card.points.set_index(["agency", "criterion"]).loc[("a", "2"), "points"]
    assert a_points == 5000  # was 10000
    assert after.points["2"] == 10000
    assert after.total == 14000 and after.rank == 2  # b 6 + 2.5 + 5 = 13.5 is below


def test_invalid_changes_are_the_engines_problems(block):
    criteria, records = block
    with pytest.raises(scoring.ScoringInputError) as error:
        simulate(criteria, records, RULES, agency="b", block="x", changes={"1": RawInput(D(11))})
    assert error.value.problems[0].code == "above_maximum"


@pytest.mark.parametrize(
    ("score", "precision", "rounding", "lowest"),
    [
        (29000, 1, Rounding.HALF_UP, 28950),  # 28.95 rounds half up to 29.0
        (29000, 1, Rounding.TRUNCATE, 29000),
        (29001, 3, Rounding.HALF_UP, 29001),  # milli precision: no rounding at all
        (29010, 2, Rounding.HALF_UP, 29005),
        # a score between published steps (a band's minimum): the next step up
        (29001, 1, Rounding.HALF_UP, 29050),
        (29001, 1, Rounding.TRUNCATE, 29100),
        (29001, 0, Rounding.HALF_UP, 29500),
        (29000, 3, Rounding.TRUNCATE, 29000),
    ],
)
def test_lowest_total_for_a_published_score(score, precision, rounding, lowest):
    rules = RankingRules(max_points=D(30), precision=precision, rounding=rounding)
    found = lowest_total_for(score, rules)
    assert found == lowest and type(found) is int


def test_band_thresholds_by_percent_and_points():
    rules = RankingRules(
        max_points=D(138), bands=(Band("Tốt", D(85)), Band("Đạt", D("40.5"), basis="points"))
    )
    # 85% of 138 = 117.3; 40.5 points as they are
    assert band_thresholds(rules, 138000) == [(40500, "Đạt"), (117300, "Tốt")]


def test_cheapest_plans_draw_from_most_points_left_and_are_checked(block):
    """b (16.0, rank 2) to a's 29.0: 12.95 points at least; steps 5 → 10 first (5 left,
    ties broken by code order after relative's 5 and direct's 4)."""
    criteria, records = block
    card = scorecard(criteria, records, RULES)
    plans = cheapest_plans(criteria, records, RULES, card=card, agency="b", block="x")
    rank = plans["rank"]
    assert rank is not None and rank.target_rank == 1 and rank.needed == 12950
    assert [s.criterion for s in rank.steps] == ["2", "3", "1"]
    assert rank.steps[0].raw == RawInput(value=D(50))  # up to the best peer, no further
    assert rank.steps[1].raw == RawInput(value=D(4))  # the lowest step worth 10
    assert rank.steps[2].raw == RawInput(value=D("8.950"))
    assert rank.reached and rank.result.rank == 1 and rank.result.score == 29000
    band = plans["band"]  # Khá from 50% of 30 = 15 points: b is there; Tốt at 24
    assert band is not None and band.target_band == "Tốt" and band.needed == 24000 - 50 - 16000
    assert band.reached and band.result.band == "Tốt"


def test_the_top_agency_has_no_next_rank(block):
    criteria, records = block
    card = scorecard(criteria, records, RULES)
    plans = cheapest_plans(criteria, records, RULES, card=card, agency="a", block="x")
    assert plans["rank"] is None
    assert plans["band"] is None  # 29 of 30 is Tốt, the highest band
