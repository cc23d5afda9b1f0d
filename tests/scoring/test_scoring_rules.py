"""Each rule kind, hand-computed (points in milli: 3036 is 3.036 points)."""

from decimal import Decimal

import pytest

from scoring import Rounding

D = Decimal
STEPS = {"steps": [["4", "20"], ["3", "15"], ["2", "10"], ["1", "5"]]}
CHOICES = {"choices": {"chair": "1", "deputy": "0.5", "none": "0"}}


def points_of(card) -> dict:
    frame = card.points
    return {
        (a, str(c)): int(p)
        for a, c, p in zip(frame["agency"], frame["criterion"], frame["points"], strict=True)
    }


@pytest.mark.parametrize(("rounding", "expected"), [("half_up", 3036), ("truncate", 3035)])
def test_ratio_102_of_336_dossiers_online_on_max_10(score, rounding, expected):
    card = score(
        [("1", "10", "ratio", {})],
        [{"agency": 1, "criterion": "1", "value": D(102), "denominator": D(336)}],
        rounding=Rounding(rounding),
    )
    assert points_of(card) == {(1, "1"): expected}


@pytest.mark.parametrize(
    ("meetings", "expected"), [("4", 20000), ("3", 15000), ("0", 0), ("7", 20000), ("2.5", 10000)]
)
def test_steps_of_steering_committee_meetings(score, meetings, expected):
    card = score(
        [("1", "20", "steps", STEPS)], [{"agency": 1, "criterion": "1", "value": D(meetings)}]
    )
    assert points_of(card)[(1, "1")] == expected


def test_steps_empty_value_scores_0_even_with_a_threshold_of_0(score):
    steps = {"steps": [["0", "1"], ["2", "3"]]}
    card = score(
        [("1", "3", "steps", steps)],
        [
            {"agency": 1, "criterion": "1", "value": None},
            {"agency": 2, "criterion": "1", "value": 0},
        ],
    )
    assert points_of(card) == {(1, "1"): 0, (2, "1"): 1000}


@pytest.mark.parametrize(
    ("choice", "expected"), [("chair", 4000), ("deputy", 2000), ("none", 0), (None, 0)]
)
def test_choice_fraction_of_max_4(score, choice, expected):
    card = score(
        [("1", "4", "choice", CHOICES)], [{"agency": 1, "criterion": "1", "choice": choice}]
    )
    assert points_of(card)[(1, "1")] == expected


def test_choice_fraction_rounded_by_the_set_rule(score):
    thirds = {"choices": {"some": "0.3333"}}
    rows = [{"agency": 1, "criterion": "1", "choice": "some"}]
    # 0.3333 × 1.001 = 0.33366... points
    up = score([("1", "1.001", "choice", thirds)], rows, rounding=Rounding.HALF_UP)
    down = score([("1", "1.001", "choice", thirds)], rows, rounding=Rounding.TRUNCATE)
    assert (points_of(up)[(1, "1")], points_of(down)[(1, "1")]) == (334, 333)


@pytest.mark.parametrize(("apps", "expected"), [("7", 5000), ("3", 3000), ("0", 0)])
def test_capped_one_point_per_application_at_most_5(score, apps, expected):
    card = score(
        [("1", "6", "capped", {"per_unit": "1", "cap": "5"})],
        [{"agency": 1, "criterion": "1", "value": D(apps)}],
    )
    assert points_of(card)[(1, "1")] == expected


def test_capped_cap_defaults_to_max_and_per_unit_may_be_fractional(score):
    card = score(
        [("1", "4", "capped", {"per_unit": "1.5"})],
        [
            {"agency": 1, "criterion": "1", "value": D(2)},
            {"agency": 2, "criterion": "1", "value": D(9)},
        ],
    )
    assert points_of(card) == {(1, "1"): 3000, (2, "1"): 4000}


def test_relative_to_the_best_of_the_block(score):
    card = score(
        [("1", "10", "relative", {})],
        [
            {"agency": 1, "block": "a", "criterion": "1", "value": D(8)},
            {"agency": 2, "block": "a", "criterion": "1", "value": D(6)},
            {"agency": 3, "block": "a", "criterion": "1", "value": D(1)},
            # Another block has its own best.
            {"agency": 4, "block": "b", "criterion": "1", "value": D(3)},
            {"agency": 5, "block": "c", "criterion": "1", "value": D(0)},
        ],
    )
    assert points_of(card) == {
        (1, "1"): 10000,
        (2, "1"): 7500,
        (3, "1"): 1250,
        (4, "1"): 10000,
        (5, "1"): 0,  # best 0 -> 0 points, no division by zero
    }


def test_relative_one_third_rounds_by_the_set_rule(score):
    rows = [
        {"agency": 1, "criterion": "1", "value": D(3)},
        {"agency": 2, "criterion": "1", "value": D(2)},
    ]
    up = score([("1", "1", "relative", {})], rows, rounding=Rounding.HALF_UP)
    down = score([("1", "1", "relative", {})], rows, rounding=Rounding.TRUNCATE)
    assert points_of(up)[(2, "1")] == 667
    assert points_of(down)[(2, "1")] == 666


def test_direct_points_and_missing_pairs_score_0(score):
    card = score(
        [("1.1", "10", "direct", {}), ("1.2", "5", "direct", {})],
        [{"agency": 1, "criterion": "1.1", "value": D("7.25")}],
    )
    assert points_of(card) == {(1, "1.1"): 7250, (1, "1.2"): 0}
    assert card.results["total"].tolist() == [7250]


def test_groups_and_subgroups_sum_their_criteria(score):
    card = score(
        [
            ("1.1.1", "5", "direct", {}),
            ("1.1.2", "5", "direct", {}),
            ("1.2.1", "5", "direct", {}),
            ("2.1.1", "5", "direct", {}),
        ],
        [
            {"agency": 1, "criterion": c, "value": D(v)}
            for c, v in [("1.1.1", 1), ("1.1.2", 2), ("1.2.1", 3), ("2.1.1", 4)]
        ],
    )
    groups = dict(zip(card.groups["group"].astype(str), card.groups["points"], strict=True))
    subgroups = dict(
        zip(card.subgroups["subgroup"].astype(str), card.subgroups["points"], strict=True)
    )
    assert groups == {"1": 6000, "2": 4000}
    assert subgroups == {"1.1": 3000, "1.2": 3000, "2.1": 4000}


def test_points_frame_lists_criteria_in_the_frame_order(score):
    card = score(
        [("1", "5", "ratio", {}), ("2", "5", "direct", {}), ("3", "5", "ratio", {})],
        [{"agency": 1, "criterion": "2", "value": D(1)}],
    )
    assert card.points["criterion"].astype(str).tolist() == ["1", "2", "3"]
    assert card.points["points"].tolist() == [0, 1000, 0]
