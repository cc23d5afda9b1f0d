"""The simulator's planner, hand-computed: each rule inverted, targets, plans (milli-points).

`invert(context, code, goal, now)` gives the smallest raw input of a criterion worth at
least `goal` milli-points and the points it is worth; the planner draws the points needed
from the criteria with most left and checks the proposal with the engine.
"""

from decimal import Decimal

import pandas as pd
import pytest

from scoring import Band, BandBasis, RankingRules, Rounding, RuleKind, TieMethod
from scoring.criteria import parse_criteria
from scoring.whatif import (
    RawInput,
    band_thresholds,
    scorecard,
    simulate,
    standing,
    with_changes,
)
from scoring.whatif_plan import (
    RETRIES,
    Plan,
    Step,
    _Context,
    cheapest_plans,
    invert,
    next_band_target,
    next_rank_target,
)

D = Decimal
STEPS = {"steps": [["2", "5"], ["4", "10"]]}
CHOICES = {"choices": {"none": "0", "deputy": "0.5", "chair": "1"}}


def context(make, rows, records=(), rounding=Rounding.HALF_UP, agency="me"):
    """The planner's context for `rows` (criteria as conftest's builder takes them)."""
    criteria = make.criteria(rows)
    rules = RankingRules(max_points=sum(criteria["max_points"], D(0)), rounding=rounding)
    table = parse_criteria(criteria, rounding)
    return _Context(criteria, list(records), rules, agency, "x", table)


# A direct criterion first, so no rule under test sits in the grid's first column.
DIRECT_FIRST = ("0", "1", "direct", {})


@pytest.mark.parametrize(
    ("goal", "value", "points"),
    [(7250, "7.250", 7250), (1, "0.001", 1), (10000, "10.000", 10000), (12000, "10.000", 10000)],
)
def test_direct_is_the_goal_itself_up_to_the_maximum(make, goal, value, points):
    at = context(make, [DIRECT_FIRST, ("1", "10", "direct", {})])
    assert invert(at, "1", goal, RawInput()) == (RawInput(value=D(value)), points)


@pytest.mark.parametrize(
    ("now", "goal", "a", "b", "points"),
    [
        # 5 of 10 points from 8 dossiers: 4 of them
        (RawInput(D(3), D(8)), 5000, "4.000", "8.000", 5000),
        # 5.1 points need 4.08 of 8: whole inputs propose 5 (6.25 points) ...
        (RawInput(D(3), D(8)), 5100, "5.000", "8.000", 6250),
        # ... decimal inputs propose 4.08 exactly
        (RawInput(D("2.5"), D(8)), 5100, "4.080", "8.000", 5100),
        (RawInput(D(3), D("8.5")), 5100, "4.335", "8.500", 5100),
        # no denominator yet (or 0): out of 100
        (RawInput(), 3333, "34.000", "100.000", 3400),
        (RawInput(D(0), D(0)), 3333, "34.000", "100.000", 3400),
        (RawInput(D("0.5")), 3333, "33.325", "100.000", 3333),  # 3.3325 → 3.333
        # never above the denominator: the most is a = b
        (RawInput(D(3), D(8)), 10000, "8.000", "8.000", 10000),
        (RawInput(D(3), D(8)), 15000, "8.000", "8.000", 10000),
        (RawInput(D(3), D(8)), 1, "1.000", "8.000", 1250),
        # a denominator of 0.001: its one thousandth is all of it
        (RawInput(None, D("0.001")), 1, "0.001", "0.001", 10000),
    ],
)
def test_ratio_is_the_smallest_share_of_the_denominator(make, now, goal, a, b, points):
    at = context(make, [DIRECT_FIRST, ("1", "10", "ratio", {})])
    assert invert(at, "1", goal, now) == (RawInput(value=D(a), denominator=D(b)), points)


@pytest.mark.parametrize(
    ("rounding", "goal", "a", "points"),
    [
        # 3.334 of 10 from 3: a ≥ 1.0002, so 1.001 (3.33667 points) either way
        ("half_up", 3334, "1.001", 3337),
        ("truncate", 3334, "1.001", 3336),
        # 6.667: half up, 2 of 3 (6.66667) is enough; truncated it needs 2.001 (6.67)
        ("half_up", 6667, "2.000", 6667),
        ("truncate", 6667, "2.001", 6670),
    ],
)
def test_ratio_points_are_rounded_by_the_sets_rule(make, rounding, goal, a, points):
    at = context(make, [DIRECT_FIRST, ("1", "10", "ratio", {})], rounding=Rounding(rounding))
    now = RawInput(D("0.5"), D(3))
    assert invert(at, "1", goal, now) == (RawInput(D(a), D("3.000")), points)


STEPS_ROWS = [
    DIRECT_FIRST,
    ("1", "10", "steps", {"steps": [["1", "8"], ["3", "5"], ["5", "8"], ["6", "2"]]}),
    ("2", "10", "steps", STEPS),
]


@pytest.mark.parametrize(
    ("code", "goal", "value", "points"),
    [
        ("2", 3000, "2.000", 5000),  # the lowest threshold worth at least 3
        ("2", 5000, "2.000", 5000),  # exactly at a step's points
        ("2", 5001, "4.000", 10000),
        ("2", 12000, "4.000", 10000),
        # Not ordered by points: the step with fewest points that is enough, then the
        # lowest threshold of equal points (1 before 5 for 8 points).
        ("1", 4000, "3.000", 5000),
        ("1", 6000, "1.000", 8000),
        ("1", 1, "6.000", 2000),
        ("1", 9000, "1.000", 8000),  # none is enough: the best step
    ],
)
def test_steps_give_the_cheapest_enough_threshold(make, code, goal, value, points):
    at = context(make, STEPS_ROWS)
    assert invert(at, code, goal, RawInput()) == (RawInput(value=D(value)), points)


CHOICE_ROWS = [
    DIRECT_FIRST,
    ("1", "4", "choice", CHOICES),
    ("2", "4", "choice", {"choices": {"b": "0.5", "a": "0.5", "c": "0.25"}}),
]


@pytest.mark.parametrize(
    ("code", "goal", "choice", "points"),
    [
        ("1", 1, "deputy", 2000),
        ("1", 2000, "deputy", 2000),
        ("1", 2001, "chair", 4000),
        ("1", 9000, "chair", 4000),
        ("2", 1500, "b", 2000),  # equal points: the first listed
        ("2", 900, "c", 1000),
        ("2", 3000, "b", 2000),  # none is enough: the best, first listed
    ],
)
def test_choice_is_the_cheapest_enough_key(make, code, goal, choice, points):
    at = context(make, CHOICE_ROWS)
    assert invert(at, code, goal, RawInput()) == (RawInput(choice=choice), points)


CAPPED_ROWS = [
    DIRECT_FIRST,
    ("1", "10", "capped", {"per_unit": "2", "cap": "7"}),
    ("2", "10", "capped", {"per_unit": "0.333"}),
    ("3", "10", "capped", {"per_unit": "0"}),
    ("4", "10", "capped", {"per_unit": "0.333", "cap": "0"}),
]


@pytest.mark.parametrize(
    ("code", "now", "goal", "value", "points"),
    [
        ("1", RawInput(), 5000, "3.000", 6000),  # 2.5 units, whole: 3
        ("1", RawInput(D(1)), 5000, "3.000", 6000),
        ("1", RawInput(D("1.5")), 5000, "2.500", 5000),
        ("1", RawInput(), 6000, "3.000", 6000),
        ("1", RawInput(), 9000, "4.000", 7000),  # the cap, not the maximum
        ("1", RawInput(D("0.5")), 9000, "3.500", 7000),
        ("2", RawInput(D("0.5")), 1000, "3.002", 1000),  # 3.002 × 0.333 = 0.999666 → 1
        ("2", RawInput(), 1000, "4.000", 1332),
        ("2", RawInput(), 10000, "31.000", 10000),  # the cap is the maximum: 10.323 → 10
    ],
)
def test_capped_is_the_fewest_units_to_the_goal_or_cap(make, code, now, goal, value, points):
    at = context(make, CAPPED_ROWS)
    assert invert(at, code, goal, now) == (RawInput(value=D(value)), points)


def test_capped_with_no_points_per_unit_gives_nothing(make):
    at = context(make, CAPPED_ROWS)
    assert invert(at, "3", 2000, RawInput()) == (RawInput(value=D(0)), 0)


@pytest.mark.parametrize(
    ("rounding", "goal", "units", "points"),
    [
        # 0.002 × 0.333 = 0.000666 points: 0.001 half up; truncated 0.004 units are needed
        ("half_up", 1, "0.002", 1),
        ("truncate", 1, "0.004", 1),
        ("half_up", 166, "0.497", 166),  # 0.165501
        ("truncate", 166, "0.499", 166),  # 0.166167
        ("half_up", 167, "0.500", 167),  # 0.1665: exactly half, up
        ("truncate", 167, "0.502", 167),
    ],
)
def test_capped_points_are_rounded_by_the_sets_rule(make, rounding, goal, units, points):
    at = context(make, CAPPED_ROWS, rounding=Rounding(rounding))
    assert invert(at, "2", goal, RawInput(D("0.5"))) == (RawInput(D(units)), points)


def relative_records(values, mine=None):
    rows = [
        {"agency": agency, "block": "x", "criterion": "1", "value": value}
        for agency, value in values.items()
    ]
    return [*rows, {"agency": "me", "block": "x", "criterion": "1", "value": mine}]


RELATIVE_ROWS = [DIRECT_FIRST, ("1", "10", "relative", {})]


@pytest.mark.parametrize(
    ("peers", "now", "goal", "value", "points"),
    [
        ({"p": D(50), "q": D(20)}, RawInput(), 5000, "25.000", 5000),
        ({"p": D(50), "q": D(20)}, RawInput(D(3)), 5100, "26.000", 5200),
        ({"p": D(50), "q": D(20)}, RawInput(D("2.5")), 5100, "25.498", 5100),  # 5.0996 → 5.1
        ({"p": D(50), "q": None}, RawInput(), 10000, "50.000", 10000),
        ({"p": D(50)}, RawInput(), 14000, "50.000", 10000),  # never past the best peer
        # a best of 2.5 and whole inputs: up to 2.5 itself, not 3
        ({"p": D("2.5")}, RawInput(D(1)), 9000, "2.500", 10000),
        ({"p": D(3)}, RawInput(D("0.5")), 5000, "1.500", 5000),
        ({"p": D(3)}, RawInput(D("0.5")), 5001, "1.501", 5003),
        # no peer above 0: any value leads the block
        ({"p": D(0), "q": None}, RawInput(), 1, "1.000", 10000),
        ({"p": D(0)}, RawInput(D("0.5")), 4000, "0.001", 10000),
        ({}, RawInput(D(2)), 4000, "1.000", 10000),
    ],
)
def test_relative_is_the_smallest_share_of_the_best_peer(make, peers, now, goal, value, points):
    at = context(make, RELATIVE_ROWS, relative_records(peers, now.value))
    assert invert(at, "1", goal, now) == (RawInput(value=D(value)), points)


def test_relative_best_peer_leaves_out_the_agency_itself(make):
    """The agency's own 90 is not the best to reach: the best peer's 30 is."""
    at = context(make, RELATIVE_ROWS, relative_records({"p": D(30)}, D(90)))
    assert invert(at, "1", 5000, RawInput(D(90))) == (RawInput(value=D(15)), 5000)


def test_relative_best_peer_is_of_the_agencys_block(make):
    """A value of 80 in block y does not count: the engine normalises by block x's 40,
    so 20 is worth 5 of 10 (and 40 would be the maximum, not 5)."""
    records = [
        *relative_records({"p": D(40)}),
        {"agency": "far", "block": "y", "criterion": "1", "value": D(80)},
    ]
    at = context(make, RELATIVE_ROWS, records)
    raw, points = invert(at, "1", 5000, RawInput())
    assert (raw, points) == (RawInput(value=D(20)), 5000)
    after = simulate(at.criteria, records, at.rules, agency="me", block="x", changes={"1": raw})
    assert after.points["1"] == 5000


@pytest.mark.parametrize(
    ("rounding", "goal", "value", "points"),
    [
        ("half_up", 3333, "1.000", 3333),  # 1 of the best 3 on 10: 3.3333
        ("truncate", 3333, "1.000", 3333),
        ("half_up", 3334, "1.001", 3337),  # 3.33667
        ("truncate", 3334, "1.001", 3336),
        ("half_up", 6667, "2.000", 6667),  # 6.66667
        ("truncate", 6667, "2.001", 6670),
    ],
)
def test_relative_points_are_rounded_by_the_sets_rule(make, rounding, goal, value, points):
    at = context(make, RELATIVE_ROWS, relative_records({"p": D(3)}), Rounding(rounding))
    assert invert(at, "1", goal, RawInput(D("0.5"))) == (RawInput(D(value)), points)


def test_each_invert_is_what_the_engine_scores(make):
    """Every worked proposal above, entered for real, scores the points invert claims."""
    cases = [
        (STEPS_ROWS, "1", 4000, RawInput()),
        (CHOICE_ROWS, "2", 1500, RawInput()),
        (CAPPED_ROWS, "2", 1000, RawInput(D("0.5"))),
        ([DIRECT_FIRST, ("1", "10", "ratio", {})], "1", 3334, RawInput(D("0.5"), D(3))),
    ]
    for rows, code, goal, now in cases:
        at = context(make, rows)
        raw, points = invert(at, code, goal, now)
        after = simulate(at.criteria, [], at.rules, agency="me", block="x", changes={code: raw})
        assert after.points[code] == points, (rows, code)


# --- targets -------------------------------------------------------------------------

TWO_BLOCKS = {  # agency: (block, total); one direct criterion of max 100
    "top": ("x", "90"),
    "high": ("x", "70"),
    "tie": ("x", "70"),
    "me": ("x", "40"),
    "low": ("x", "10"),
    "other": ("y", "50"),  # another block: never a target
    "second": ("y", "30"),
}


def two_blocks(make, rules=None, extra=()):
    criteria = make.criteria([("1", "100", "direct", {}), ("2", "1", "direct", {}, True)])
    records = [
        {"agency": a, "block": b, "criterion": "1", "value": D(t)}
        for a, (b, t) in TWO_BLOCKS.items()
    ] + [
        {"agency": a, "block": b, "criterion": "2", "value": D(1)}
        for a, (b, _) in TWO_BLOCKS.items()
        if a not in extra
    ]
    rules = rules or RankingRules(max_points=D(101), precision=1)
    return criteria, records, rules


def test_next_rank_is_the_nearest_better_score_in_the_block(make):
    criteria, records, rules = two_blocks(make)
    card = scorecard(criteria, records, rules)
    me = standing(card, "me")
    assert (me.rank, me.ranked) == (4, 5)
    assert next_rank_target(card, me, "me") == (71000, 2)  # high and tie share rank 2
    assert next_rank_target(card, standing(card, "high"), "high") == (91000, 1)
    assert next_rank_target(card, standing(card, "top"), "top") is None
    # in block y "other" is first: block x's higher scores are not its targets
    assert next_rank_target(card, standing(card, "other"), "other") is None
    assert next_rank_target(card, standing(card, "second"), "second") == (51000, 1)


def test_next_rank_skips_unranked_peers_with_higher_scores(make):
    """'high' and 'tie' miss the required criterion 2: not ranked, not targets."""
    criteria, records, rules = two_blocks(make, extra=("high", "tie"))
    card = scorecard(criteria, records, rules)
    me = standing(card, "me")
    assert (me.rank, me.ranked) == (2, 3)
    assert next_rank_target(card, me, "me") == (91000, 1)
    high = standing(card, "high")
    assert high.rank is None and high.not_ranked_reason
    assert next_rank_target(card, high, "high") is None
    assert next_band_target(high, rules, 101000) is None


def test_next_rank_with_dense_ties(make):
    rules = RankingRules(max_points=D(101), precision=1, tie_method=TieMethod.DENSE)
    criteria, records, rules = two_blocks(make, rules)
    card = scorecard(criteria, records, rules)
    me = standing(card, "me")
    assert me.rank == 3
    assert next_rank_target(card, me, "me") == (71000, 2)


BANDS = (
    Band("Tốt", D(80)),
    Band("Khá", D(50)),
    Band("Đạt", D("40.5"), BandBasis.POINTS),
)


@pytest.mark.parametrize(
    ("agency", "target"),
    [
        ("low", (40500, "Đạt")),  # 11 points (10 + 1)
        ("me", (50500, "Khá")),  # 41 points: Đạt (40.5 points) already; Khá is 50% of 101
        ("tie", (80800, "Tốt")),  # 71: Khá; Tốt is 80% of 101
        ("top", None),  # 91: Tốt, the highest band
    ],
)
def test_next_band_is_the_lowest_band_above(make, agency, target):
    criteria, records, _ = two_blocks(make)
    rules = RankingRules(max_points=D(101), precision=1, bands=BANDS)
    card = scorecard(criteria, records, rules)
    assert next_band_target(standing(card, agency), rules, 101000) == target


def test_a_score_exactly_at_a_band_minimum_aims_at_the_next(make):
    criteria = make.criteria([("1", "100", "direct", {})])
    rules = RankingRules(max_points=D(100), bands=BANDS)
    records = [{"agency": "me", "block": "x", "criterion": "1", "value": D("40.5")}]
    me = standing(scorecard(criteria, records, rules), "me")
    assert me.band == "Đạt"
    assert next_band_target(me, rules, 100000) == (50000, "Khá")


# --- plans ---------------------------------------------------------------------------

PLAN_ROWS = [
    ("1", "10", "direct", {}),
    ("2", "10", "ratio", {}),
    ("3", "10", "steps", STEPS),
    ("4", "4", "choice", CHOICES),
    ("5", "10", "capped", {"per_unit": "2", "cap": "6"}),
]


def plan_world(make, mine, peers, precision=1, bands=(), rounding=Rounding.HALF_UP):
    criteria = make.criteria(PLAN_ROWS)
    maximum = sum(criteria["max_points"], D(0))
    rules = RankingRules(max_points=maximum, precision=precision, bands=bands, rounding=rounding)
    records = []
    for agency, inputs in {"me": mine, **peers}.items():
        for code, raw in inputs.items():
            records.append(
                {
                    "agency": agency,
                    "block": "x",
                    "criterion": code,
                    "value": raw.value,
                    "denominator": raw.denominator,
                    "choice": raw.choice,
                }
            )
    return criteria, records, rules


MINE = {
    "1": RawInput(D(6)),
    "2": RawInput(D(3), D(10)),
    "3": RawInput(D(2)),
    "4": RawInput(choice="none"),
    "5": RawInput(D(1)),
}
# me: 6 + 3 + 5 + 0 + 2 = 16 of 44. Points left: capped 8 (to its maximum 10, though its
# cap is 6), ratio 7, steps 5, direct 4, choice 4 (equal: code order).


def plans_of(make, peers, **rules):
    criteria, records, rules = plan_world(make, MINE, peers, **rules)
    card = scorecard(criteria, records, rules)
    return cheapest_plans(criteria, records, rules, card=card, agency="me", block="x")


def test_a_plan_draws_from_the_most_points_left_and_checks_them(make):
    peer = {code: RawInput(D(10)) for code in ("1", "3")} | {
        "2": RawInput(D(9), D(10)),
        "4": RawInput(choice="deputy"),
        "5": RawInput(D("2.2")),
    }  # 10 + 9 + 10 + 2 + 4.4 = 35.4
    plans = plans_of(make, {"p": peer})
    assert plans["band"] is None  # the set has no bands
    rank = plans["rank"]
    assert isinstance(rank, Plan)
    assert (rank.goal, rank.target_rank, rank.target_band) == ("rank", 1, None)
    # 35.4 at one decimal, half up: 35.35 is enough; 35.35 − 16 = 19.35 points
    assert (rank.target_score, rank.needed) == (35400, 19350)
    assert rank.steps == (
        # the capped criterion gives only its cap (6): 3 units, and 15.35 are still needed
        Step("5", RuleKind.CAPPED, 2000, 6000, RawInput(D("3.000"))),
        Step("2", RuleKind.RATIO, 3000, 10000, RawInput(D("10.000"), D("10.000"))),
        Step("3", RuleKind.STEPS, 5000, 10000, RawInput(D("4.000"))),
        Step("1", RuleKind.DIRECT, 6000, 9350, RawInput(D("9.350"))),  # the last 3.35
    )
    assert rank.reached
    assert (rank.result.total, rank.result.score, rank.result.rank) == (35350, 35400, 1)


def test_the_last_step_takes_only_what_is_still_needed(make):
    peer = {"1": RawInput(D(10)), "2": RawInput(D(10), D(10)), "3": RawInput(D(2))}
    rank = plans_of(make, {"p": peer})["rank"]  # p: 10 + 10 + 5 = 25
    assert rank.needed == 8950  # 24.95 rounds half up to 25.0
    # capped +4, then the ratio to 7.95 of 10: whole inputs, so 8 of 10
    assert rank.steps == (
        Step("5", RuleKind.CAPPED, 2000, 6000, RawInput(D("3.000"))),
        Step("2", RuleKind.RATIO, 3000, 8000, RawInput(D("8.000"), D("10.000"))),
    )
    assert rank.reached and rank.result.total == 25000 and rank.result.rank == 1


def test_a_plan_by_truncation_needs_the_whole_score(make):
    peer = {"1": RawInput(D(10)), "2": RawInput(D(10), D(10)), "3": RawInput(D(2))}
    rank = plans_of(make, {"p": peer}, rounding=Rounding.TRUNCATE)["rank"]
    assert rank.needed == 9000
    assert rank.steps[-1] == Step("2", RuleKind.RATIO, 3000, 8000, RawInput(D(8), D(10)))


def test_a_plan_at_milli_precision_needs_the_exact_gap(make):
    peer = {"1": RawInput(D("9.999")), "2": RawInput(D(10), D(10)), "3": RawInput(D(2))}
    rank = plans_of(make, {"p": peer}, precision=3)["rank"]
    assert (rank.target_score, rank.needed) == (24999, 8999)


def test_a_band_plan_aims_at_the_bands_minimum(make):
    bands = (Band("Tốt", D(80)), Band("Khá", D(50)))  # of 44: 35.2 and 22
    plans = plans_of(make, {}, bands=bands)
    assert plans["rank"] is None  # alone in the block: first
    band = plans["band"]
    assert (band.goal, band.target_rank, band.target_band) == ("band", None, "Khá")
    assert (band.target_score, band.needed) == (22000, 22000 - 50 - 16000)
    # 5.95 points: the capped 4, then 1.95 of the ratio (2 whole dossiers: 5 of 10)
    assert band.steps == (
        Step("5", RuleKind.CAPPED, 2000, 6000, RawInput(D("3.000"))),
        Step("2", RuleKind.RATIO, 3000, 5000, RawInput(D("5.000"), D("10.000"))),
    )
    assert band.reached and band.result.band == "Khá" and band.result.total == 22000


def out_of_reach(make):
    """Tốt needs 18 of 20, but the steps give at most 5 of their 10: 15 at best."""
    rows = [("1", "10", "steps", {"steps": [["1", "5"]]}), ("2", "10", "direct", {})]
    criteria = make.criteria(rows)
    rules = RankingRules(max_points=D(20), bands=(Band("Tốt", D(90)),))
    records = [
        {"agency": "me", "block": "x", "criterion": "1", "value": D(0)},
        {"agency": "me", "block": "x", "criterion": "2", "value": D(1)},
    ]
    return criteria, records, rules


def test_a_target_no_input_can_reach_is_reported_as_not_reached(make):
    criteria, records, rules = out_of_reach(make)
    card = scorecard(criteria, records, rules)
    plans = cheapest_plans(criteria, records, rules, card=card, agency="me", block="x")
    band = plans["band"]
    assert plans["rank"] is None
    assert (band.target_band, band.target_score, band.needed) == ("Tốt", 18000, 17000)
    assert not band.reached
    assert band.result.total == 15000 and band.result.band is None
    assert [(s.criterion, s.points_after) for s in band.steps] == [("1", 5000), ("2", 10000)]


def test_retries_are_bounded(make, monkeypatch):
    """A target out of reach is recomputed RETRIES times, then given up."""
    import scoring.whatif_plan as planner

    criteria, records, rules = out_of_reach(make)
    card = scorecard(criteria, records, rules)
    calls = []

    def counted(*args, **kwargs):
        calls.append(kwargs["changes"])
        return simulate(*args, **kwargs)

    monkeypatch.setattr(planner, "simulate", counted)
    band = cheapest_plans(criteria, records, rules, card=card, agency="me", block="x")["band"]
    assert not band.reached
    assert len(calls) == RETRIES == 4


def test_a_short_proposal_is_topped_up_until_the_engine_agrees(make):
    """The card given says 'me' has 6 points of criterion 1; its records say 2 (a card
    read before the records changed). The first proposal, counted from 6, falls 4 short
    in the recompute; the planner adds the shortfall and draws again."""
    criteria = make.criteria([("1", "10", "direct", {}), ("2", "10", "direct", {})])
    rules = RankingRules(max_points=D(20))
    peer = [
        {"agency": "p", "block": "x", "criterion": "1", "value": D(8)},
        {"agency": "p", "block": "x", "criterion": "2", "value": D(8)},
    ]
    mine = [{"agency": "me", "block": "x", "criterion": "2", "value": D(1)}]
    old = [{"agency": "me", "block": "x", "criterion": "1", "value": D(6)}]
    now = [{"agency": "me", "block": "x", "criterion": "1", "value": D(2)}]
    card = scorecard(criteria, peer + mine + old, rules)
    records = peer + mine + now
    rank = cheapest_plans(criteria, records, rules, card=card, agency="me", block="x")["rank"]
    # from the card's 7 to 16: 9, all from criterion 2 (9 left); the recompute gives 12,
    # so 4 more are drawn: criterion 2 again, then criterion 1 from the card's 6 to 10
    assert rank.needed == 9000
    assert [(s.criterion, s.points_before, s.points_after) for s in rank.steps] == [
        ("2", 1000, 10000),
        ("1", 6000, 10000),
    ]
    assert rank.reached and rank.result.total == 20000 and rank.result.rank == 1


def test_with_changes_replaces_only_the_agencys_changed_rows():
    records = [
        {"agency": "me", "block": "x", "criterion": "1", "value": D(1)},
        {"agency": "me", "block": "x", "criterion": "2", "value": D(2)},
        {"agency": "p", "block": "x", "criterion": "1", "value": D(3)},
    ]
    changed = with_changes(
        records,
        agency="me",
        block="x",
        changes={"1": RawInput(D(5)), "3": RawInput(choice=""), "4": RawInput(D(1), D(2), "k")},
    )
    assert changed == [
        records[1],
        records[2],
        {
            "agency": "me",
            "block": "x",
            "criterion": "1",
            "value": D(5),
            "denominator": None,
            "choice": None,
        },
        {
            "agency": "me",
            "block": "x",
            "criterion": "3",
            "value": None,
            "denominator": None,
            "choice": None,
        },
        {
            "agency": "me",
            "block": "x",
            "criterion": "4",
            "value": D(1),
            "denominator": D(2),
            "choice": "k",
        },
    ]
    changed[0]["value"] = D(9)
    assert records[1]["value"] == D(2)  # copies: the caller's records are untouched


def test_standing_reads_one_agency_of_its_block(make):
    criteria = make.criteria([("1", "10", "direct", {}), ("2", "10", "direct", {}, True)])
    rules = RankingRules(max_points=D(20), precision=1, bands=(Band("Khá", D(50)),))
    rows = [
        ("a", "x", "9.96", "1"),
        ("b", "x", "3", None),
        ("c", "x", "1", "1"),
        ("d", "y", "5", "1"),
    ]
    records = [
        {"agency": a, "block": b, "criterion": c, "value": None if v is None else D(v)}
        for a, b, one, two in rows
        for c, v in (("1", one), ("2", two))
    ]
    card = scorecard(criteria, records, rules)
    a = standing(card, "a")
    assert (a.total, a.score, a.percent, a.rank, a.band, a.ranked) == (
        10960,
        11000,
        D("54.8"),
        1,
        "Khá",
        2,
    )
    assert a.not_ranked_reason is None
    assert a.points == {"1": 9960, "2": 1000}
    b = standing(card, "b")
    assert (b.rank, b.ranked, b.band) == (None, 2, None)
    assert b.not_ranked_reason
    assert (standing(card, "c").rank, standing(card, "d").ranked) == (2, 1)
    with pytest.raises(KeyError) as missing:
        standing(card, "nobody")
    assert missing.value.args == ("nobody",)
    assert isinstance(card.results, pd.DataFrame)


def test_the_draw_stops_when_enough_and_skips_what_gives_nothing(make):
    """Points left: choice 10 (but no key above 'half': it gives nothing more), direct 8,
    steps 3 (its lowest step, 2 points, would be proposed were the draw not stopped)."""
    rows = [
        ("1", "20", "choice", {"choices": {"none": "0", "half": "0.5"}}),
        ("2", "8", "direct", {}),
        ("3", "3", "steps", {"steps": [["1", "2"]]}),
    ]
    criteria = make.criteria(rows)
    rules = RankingRules(max_points=D(31), bands=(Band("Khá", D(50)),))  # 15.5
    records = [
        {"agency": "me", "block": "x", "criterion": "1", "choice": "half"},
        {"agency": "me", "block": "x", "criterion": "2", "value": D(0)},
        {"agency": "me", "block": "x", "criterion": "3", "value": D(0)},
    ]
    card = scorecard(criteria, records, rules)
    band = cheapest_plans(criteria, records, rules, card=card, agency="me", block="x")["band"]
    assert band.needed == 5500
    assert band.steps == (Step("2", RuleKind.DIRECT, 0, 5500, RawInput(D("5.500"))),)
    assert band.reached and band.result.total == 15500


def test_a_band_out_of_reach_at_the_maximum_is_recomputed_once(make, monkeypatch):
    """100% of 10.55 points, published at one decimal and truncated: 10.5 at best. With
    every criterion at its maximum there is nothing left to try: one recompute."""
    import scoring.whatif_plan as planner

    criteria = make.criteria([("1", "10.55", "direct", {})])
    rules = RankingRules(
        max_points=D("10.55"), precision=1, rounding=Rounding.TRUNCATE, bands=(Band("Tốt", D(100)),)
    )
    records = [{"agency": "me", "block": "x", "criterion": "1", "value": D(1)}]
    card = scorecard(criteria, records, rules)
    calls = []

    def counted(*args, **kwargs):
        calls.append(kwargs["changes"])
        return simulate(*args, **kwargs)

    monkeypatch.setattr(planner, "simulate", counted)
    band = cheapest_plans(criteria, records, rules, card=card, agency="me", block="x")["band"]
    assert (band.target_score, band.needed) == (10550, 10600 - 1000)
    assert not band.reached and band.result.total == 10550 and band.result.score == 10500
    assert calls == [{"1": RawInput(D("10.550"))}]


def test_band_thresholds_round_up_to_the_milli():
    """33.3% of 10.001 points is 3.330333: the lowest score reaching it is 3.331."""
    rules = RankingRules(max_points=D("10.001"), bands=(Band("Khá", D("33.3")),))
    assert band_thresholds(rules, 10001) == [(3331, "Khá")]


def test_a_rank_plan_is_checked_by_rank_not_by_the_score_it_aimed_at(make):
    """The card given ranks 'p' at 16 points; its records now say 18 (a card read before a
    correction). The proposal reaches 16, but the recompute ranks 'me' second: not reached.
    Each retry asks one milli-point more (the score aimed at is met), RETRIES in all."""
    criteria = make.criteria([("1", "10", "direct", {}), ("2", "10", "direct", {})])
    rules = RankingRules(max_points=D(20))

    def rows(agency, one, two):
        return [
            {"agency": agency, "block": "x", "criterion": "1", "value": D(one)},
            {"agency": agency, "block": "x", "criterion": "2", "value": D(two)},
        ]

    card = scorecard(criteria, rows("p", 8, 8) + rows("me", 2, 1), rules)
    records = rows("p", 9, 9) + rows("me", 2, 1)
    rank = cheapest_plans(criteria, records, rules, card=card, agency="me", block="x")["rank"]
    assert (rank.target_rank, rank.target_score, rank.needed) == (1, 16000, 13000)
    assert not rank.reached and rank.result.rank == 2
    # 9 from criterion 2 (1 → 10), then 4 from criterion 1 (2 → 6), + 0.001 three times
    assert rank.steps == (
        Step("2", RuleKind.DIRECT, 1000, 10000, RawInput(D("10.000"))),
        Step("1", RuleKind.DIRECT, 2000, 6003, RawInput(D("6.003"))),
    )
    assert rank.result.total == 16003


def test_a_plan_may_need_every_criterion_not_only_the_five_most_left(make):
    """Six criteria with 1 point left each (the profile lists five): 'p' leads by 6."""
    codes = [str(c) for c in range(1, 7)]
    criteria = make.criteria([(code, "2", "direct", {}) for code in codes])
    rules = RankingRules(max_points=D(12))
    records = [
        {"agency": agency, "block": "x", "criterion": code, "value": D(value)}
        for agency, value in (("me", 1), ("p", 2))
        for code in codes
    ]
    card = scorecard(criteria, records, rules)
    rank = cheapest_plans(criteria, records, rules, card=card, agency="me", block="x")["rank"]
    assert rank.needed == 6000
    assert [(s.criterion, s.points_after) for s in rank.steps] == [(c, 2000) for c in codes]
    assert rank.reached and rank.result.total == 12000


def test_the_last_milli_point_is_drawn_too(make):
    """Steps give 5.499 of their 6: one milli-point is left for the direct criterion."""
    rows = [("1", "6", "steps", {"steps": [["1", "5.499"]]}), ("2", "5", "direct", {})]
    criteria = make.criteria(rows)
    rules = RankingRules(max_points=D(11), bands=(Band("Đạt", D("5.5"), BandBasis.POINTS),))
    records = [
        {"agency": "me", "block": "x", "criterion": "1", "value": D(0)},
        {"agency": "me", "block": "x", "criterion": "2", "value": D(0)},
    ]
    card = scorecard(criteria, records, rules)
    band = cheapest_plans(criteria, records, rules, card=card, agency="me", block="x")["band"]
    assert band.steps == (
        Step("1", RuleKind.STEPS, 0, 5499, RawInput(D("1.000"))),
        Step("2", RuleKind.DIRECT, 0, 1, RawInput(D("0.001"))),
    )
    assert band.reached and band.result.total == 5500


def test_criteria_without_a_row_start_from_an_empty_input(make):
    """'me' has no rows for the ratio and relative criteria: out of 100, up to p's 40."""
    rows = [("1", "10", "ratio", {}), ("2", "10", "relative", {}), ("3", "1", "direct", {})]
    criteria = make.criteria(rows)
    rules = RankingRules(max_points=D(21))
    records = [
        {"agency": "p", "block": "x", "criterion": "1", "value": D(5), "denominator": D(10)},
        {"agency": "p", "block": "x", "criterion": "2", "value": D(40)},
        {"agency": "me", "block": "x", "criterion": "3", "value": D(1)},
    ]
    card = scorecard(criteria, records, rules)
    rank = cheapest_plans(criteria, records, rules, card=card, agency="me", block="x")["rank"]
    assert rank.needed == 14000  # p 15, me 1
    assert rank.steps == (
        Step("1", RuleKind.RATIO, 0, 10000, RawInput(D(100), D(100))),
        Step("2", RuleKind.RELATIVE, 0, 4000, RawInput(D(16))),
    )
    assert rank.reached and rank.result.rank == 1


def test_a_decimal_input_gets_a_decimal_proposal(make):
    """'me' has 2.5 of 10 dossiers: 6.25 of 10 is proposed (whole inputs would get 7)."""
    criteria = make.criteria([("1", "10", "ratio", {})])
    rules = RankingRules(max_points=D(10))
    records = [
        {"agency": "p", "block": "x", "criterion": "1", "value": D("6.25"), "denominator": D(10)},
        {"agency": "me", "block": "x", "criterion": "1", "value": D("2.5"), "denominator": D(10)},
    ]
    card = scorecard(criteria, records, rules)
    rank = cheapest_plans(criteria, records, rules, card=card, agency="me", block="x")["rank"]
    assert rank.steps == (Step("1", RuleKind.RATIO, 2500, 6250, RawInput(D("6.25"), D(10))),)


def test_capped_with_a_cap_of_0_proposes_nothing(make):
    at = context(make, CAPPED_ROWS)
    assert invert(at, "4", 3000, RawInput(D("0.5"))) == (RawInput(value=D(0)), 0)
