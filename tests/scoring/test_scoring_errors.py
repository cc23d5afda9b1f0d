"""Every refusal names its problem: where (agency, criterion, field), what value, why."""

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

import scoring
from scoring import Band, BandBasis, RankingRules, ScoringInputError

D = Decimal
RULES = "direct, ratio, steps, choice, capped, relative"


def criteria(*rows) -> pd.DataFrame:
    """(code, max, rule, params) rows; all in group 1."""
    return pd.DataFrame(
        [
            {"criterion": code, "group": "1", "max_points": maximum, "rule": rule, "params": params}
            for code, maximum, rule, params in rows
        ]
    )


ONE = criteria(("1", D(10), "direct", {}))


def refusal(criteria_frame, inputs=None, rules=None) -> list[tuple]:
    inputs = inputs if inputs is not None else scoring.inputs_from_records([])
    if rules is None:
        total = sum((to_decimal(m) for m in criteria_frame["max_points"]), D(0))
        rules = RankingRules(max_points=total)
    with pytest.raises(ScoringInputError) as caught:
        scoring.compute(criteria_frame, inputs, rules)
    return [(p.agency, p.criterion, p.field, p.value, p.message) for p in caught.value.problems]


def to_decimal(value) -> Decimal:
    try:
        return max(D(value), D(0))
    except Exception:
        return D(0)


@pytest.mark.parametrize(
    ("maximum", "message"),
    [
        (None, "max_points is required"),
        ("abc", "max_points: 'abc' is not a number"),
        (D("-1"), "max_points must not be negative"),
        (1.5, "max_points: expected a Decimal, int or str, got float"),
        (D("0.0001"), "max_points: 0.0001 has more than 3 decimals"),
    ],
)
def test_a_bad_criterion_maximum(maximum, message):
    frame = criteria(("1", maximum, "direct", {}), ("2", D(5), "direct", {}))
    assert refusal(frame, rules=RankingRules(max_points=D(5))) == [
        (None, "1", "max_points", maximum, message)
    ]


def test_duplicate_criteria_and_unknown_rules():
    frame = criteria(("1", D(1), "direct", {}), ("1", D(1), "direct", {}), ("2", D(1), "magic", {}))
    assert refusal(frame, rules=RankingRules(max_points=D(2))) == [
        (None, "1", "criterion", "1", "duplicate criterion"),
        (None, "2", "rule", "magic", f"unknown rule 'magic'; expected one of {RULES}"),
    ]


STEPS_NEEDED = "steps rule needs params {'steps': [[threshold, points], ...]}"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [("params", {}, STEPS_NEEDED)]),
        (None, [("params", {}, STEPS_NEEDED)]),
        ({"steps": []}, [("params", {"steps": []}, STEPS_NEEDED)]),
        ({"steps": "1:2"}, [("params", {"steps": "1:2"}, STEPS_NEEDED)]),
        (
            {"steps": [["1", "2", "3"]]},
            [("params", ["1", "2", "3"], "each step must be [threshold, points]")],
        ),
        ({"steps": ["12"]}, [("params", "12", "each step must be [threshold, points]")]),
        ({"steps": [["-1", "2"]]}, [("steps", "-1", "steps must not be negative")]),
        ({"steps": [["1", "-2"]]}, [("steps", "-2", "steps must not be negative")]),
        ({"steps": [["x", "2"]]}, [("steps", "x", "steps: 'x' is not a number")]),
        (
            {"steps": [["2199023255.552", "1"]]},
            [("steps", "2199023255.552", "step threshold is too large")],
        ),
        (
            {"steps": [["1", "4.001"]]},
            [("steps", "4.001", "step points are above the criterion's maximum")],
        ),
        (
            {"steps": [["1", "2"], ["1.000", "3"]]},
            [("params", [["1", "2"], ["1.000", "3"]], "step thresholds must be distinct")],
        ),
    ],
)
def test_bad_steps(params, expected):
    frame = criteria(("1", D(4), "steps", params))
    assert refusal(frame) == [
        (None, "1", field, value, message) for field, value, message in expected
    ]


def test_the_largest_step_threshold_is_accepted():
    frame = criteria(("1", D(4), "steps", {"steps": [["2199023255.551", "4"], ["0", "1"]]}))
    inputs = scoring.inputs_from_records(
        [
            {"agency": a, "block": 1, "criterion": "1", "value": v}
            for a, v in [(1, D("2199023255.551")), (2, D("2199023255.550")), (3, D("999999999999"))]
        ]
    )
    card = scoring.compute(frame, inputs, RankingRules(max_points=D(4)))
    assert card.points["points"].tolist() == [4000, 1000, 4000]


CHOICE_NEEDED = "choice rule needs params {'choices': {key: fraction}}"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [("params", {}, CHOICE_NEEDED)]),
        ({"choices": {}}, [("params", {"choices": {}}, CHOICE_NEEDED)]),
        ({"choices": ["a"]}, [("params", {"choices": ["a"]}, CHOICE_NEEDED)]),
        ({"choices": {"a": 0.5}}, [("choices", 0.5, "fraction of 'a' must be a decimal string")]),
        ({"choices": {"a": True}}, [("choices", True, "fraction of 'a' must be a decimal string")]),
        ({"choices": {"a": "x"}}, [("choices", "x", "fraction of 'a' must be between 0 and 1")]),
        (
            {"choices": {"a": "1.001"}},
            [("choices", "1.001", "fraction of 'a' must be between 0 and 1")],
        ),
        (
            {"choices": {"a": "-0.001"}},
            [("choices", "-0.001", "fraction of 'a' must be between 0 and 1")],
        ),
        (
            {"choices": {"a": "NaN"}},
            [("choices", "NaN", "fraction of 'a' must be between 0 and 1")],
        ),
        (
            {"choices": {"a": "Infinity"}},
            [("choices", "Infinity", "fraction of 'a' must be between 0 and 1")],
        ),
    ],
)
def test_bad_choices(params, expected):
    frame = criteria(("1", D(4), "choice", params))
    assert refusal(frame) == [
        (None, "1", field, value, message) for field, value, message in expected
    ]


def test_choice_fractions_0_and_1_and_integers_are_accepted():
    frame = criteria(("1", D(4), "choice", {"choices": {"all": 1, "none": "0", "half": D("0.5")}}))
    inputs = scoring.inputs_from_records(
        [
            {"agency": a, "block": 1, "criterion": "1", "choice": c}
            for a, c in enumerate(["all", "none", "half"])
        ]
    )
    card = scoring.compute(frame, inputs, RankingRules(max_points=D(4)))
    assert card.points["points"].tolist() == [4000, 0, 2000]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [("per_unit", None, "per_unit is required")]),
        ({"per_unit": "-1"}, [("per_unit", "-1", "per_unit must not be negative")]),
        ({"per_unit": "1", "cap": "-1"}, [("cap", "-1", "cap must not be negative")]),
        (
            {"per_unit": "1", "cap": "5.001"},
            [("cap", "5.001", "cap is above the criterion's maximum")],
        ),
        (
            {"per_unit": "1", "cap": 2.5},
            [("cap", 2.5, "cap: expected a Decimal, int or str, got float")],
        ),
    ],
)
def test_bad_capped_params(params, expected):
    frame = criteria(("1", D(5), "capped", params))
    assert refusal(frame) == [
        (None, "1", field, value, message) for field, value, message in expected
    ]


def test_a_cap_equal_to_the_maximum_is_accepted():
    frame = criteria(("1", D(5), "capped", {"per_unit": "1", "cap": "5"}))
    inputs = scoring.inputs_from_records([{"agency": 1, "block": 1, "criterion": "1", "value": 9}])
    card = scoring.compute(frame, inputs, RankingRules(max_points=D(5)))
    assert card.points["points"].tolist() == [5000]


NO_PROBLEM = []


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        (
            RankingRules(max_points=D(11)),
            [
                (
                    "max_points",
                    D(11),
                    "maximum 11.000 does not equal the sum of the criteria maxima 10.000",
                )
            ],
        ),
        (
            RankingRules(max_points=10.0),
            [("max_points", 10.0, "expected a Decimal, int or str, got float")],
        ),
        (
            RankingRules(max_points=D(10), precision=4),
            [("precision", 4, "precision must be 0 to 3")],
        ),
        (
            RankingRules(max_points=D(10), precision=-1),
            [("precision", -1, "precision must be 0 to 3")],
        ),
        (
            RankingRules(max_points=D(10), percent_precision=4),
            [("percent_precision", 4, "percent_precision must be 0 to 3")],
        ),
        (
            RankingRules(max_points=D(10), percent_precision=-1),
            [("percent_precision", -1, "percent_precision must be 0 to 3")],
        ),
        (
            RankingRules(max_points=D(10), not_ranked_below=D("-0.001")),
            [
                (
                    "not_ranked_below",
                    D("-0.001"),
                    "minimum -0.001 must be between 0 and 10.000 points",
                )
            ],
        ),
        (
            RankingRules(max_points=D(10), not_ranked_below=D("10.001")),
            [
                (
                    "not_ranked_below",
                    D("10.001"),
                    "minimum 10.001 must be between 0 and 10.000 points",
                )
            ],
        ),
        (
            RankingRules(
                max_points=D(10), not_ranked_below=D("100.001"), not_ranked_basis=BandBasis.PERCENT
            ),
            [
                (
                    "not_ranked_below",
                    D("100.001"),
                    "minimum 100.001 must be between 0 and 100.000 percent",
                )
            ],
        ),
        (
            RankingRules(max_points=D(10), not_ranked_below=5.5),
            [("not_ranked_below", 5.5, "expected a Decimal, int or str, got float")],
        ),
        (
            RankingRules(
                max_points=D(10), bands=(Band("A", D(101)), Band("B", D(11), BandBasis.POINTS))
            ),
            [
                ("band 'A'", D(101), "minimum 101 must be between 0 and 100.000 percent"),
                ("band 'B'", D(11), "minimum 11 must be between 0 and 10.000 points"),
            ],
        ),
        (
            RankingRules(max_points=D(10), bands=(Band("A", "x"),)),
            [("band 'A'", "x", "'x' is not a number")],
        ),
        # At the limits: accepted.
        (RankingRules(max_points=D(10), precision=0, percent_precision=0), NO_PROBLEM),
        (RankingRules(max_points=D(10), precision=3, percent_precision=3), NO_PROBLEM),
        (RankingRules(max_points=D(10), not_ranked_below=D(10)), NO_PROBLEM),
        (RankingRules(max_points=D(10), not_ranked_below=D(0)), NO_PROBLEM),
        (
            RankingRules(
                max_points=D(10),
                not_ranked_below=D(100),
                not_ranked_basis=BandBasis.PERCENT,
                bands=(Band("A", D(100)), Band("B", D(10), BandBasis.POINTS), Band("C", D(0))),
            ),
            NO_PROBLEM,
        ),
    ],
)
def test_bad_rules(rules, expected):
    inputs = scoring.inputs_from_records([{"agency": 1, "block": 1, "criterion": "1", "value": 1}])
    if not expected:
        assert scoring.compute(ONE, inputs, rules).results["total"].tolist() == [1000]
        return
    assert refusal(ONE, inputs, rules) == [(None, None, f, v, m) for f, v, m in expected]


def test_a_zero_maximum_is_refused_clearly():
    frame = criteria(("1", D(0), "direct", {}), ("2", D(0), "ratio", {}))
    assert refusal(frame, rules=RankingRules(max_points=D(0))) == [
        (None, None, "max_points", 0, "maximum must be above 0")
    ]


def test_a_maximum_above_a_billion_points_is_refused():
    frame = criteria(*[(str(i), D(300_000_000), "direct", {}) for i in range(4)])
    assert refusal(frame) == [
        (
            None,
            None,
            "max_points",
            1_200_000_000_000,
            "maximum 1200000000.000 is above 1000000000.000",
        )
    ]
    frame = criteria(("1", D(600_000_000), "direct", {}), ("2", D(400_000_000), "direct", {}))
    assert scoring.compute(
        frame, scoring.inputs_from_records([]), RankingRules(max_points=D(10**9))
    ).results.empty


def test_missing_input_columns():
    inputs = pd.DataFrame({"criterion": ["1"], "value": pd.array([1000], dtype="Int64")})
    assert refusal(ONE, inputs) == [
        (None, None, "agency", None, "inputs have no 'agency' column"),
        (None, None, "block", None, "inputs have no 'block' column"),
    ]


@pytest.mark.parametrize("column", ["value", "denominator"])
def test_float_number_columns_are_refused(column):
    inputs = pd.DataFrame({"agency": [1], "block": [1], "criterion": ["1"], column: [1.5]})
    assert refusal(ONE, inputs) == [
        (None, None, column, "float64", f"{column} must be int64 milli-points")
    ]


def test_an_all_empty_float_column_is_read_as_no_values():
    inputs = pd.DataFrame(
        {
            "agency": [1],
            "block": [1],
            "criterion": ["1"],
            "value": pd.array([2000], dtype="Int64"),
            "denominator": [np.nan],
        }
    )
    assert scoring.compute(ONE, inputs, RankingRules(max_points=D(10))).results[
        "total"
    ].tolist() == [2000]


MIXED = criteria(
    ("1", D(10), "direct", {}),
    ("2", D(10), "ratio", {}),
    ("3", D(4), "choice", {"choices": {"chair": "1", "none": "0"}}),
)


def test_row_problems_in_row_order_each_named():
    rows = [
        {"agency": None, "block": "x", "criterion": "1", "value": D(1)},
        {"agency": 2, "block": "x", "criterion": None, "value": D(1)},
        {"agency": 3, "block": None, "criterion": "1", "value": D(1)},
        {"agency": 4, "block": "x", "criterion": "2", "value": D(2), "denominator": D("1.5")},
        {"agency": 4, "block": "x", "criterion": "3", "choice": "deputy"},
        {"agency": 5, "block": "x", "criterion": "1", "value": D("10.001")},
        {"agency": 5, "block": "x", "criterion": "2", "value": None, "denominator": None},
        {"agency": 6, "block": "x", "criterion": "2", "value": D(-1), "denominator": D(-1)},
        {"agency": 6, "block": "y", "criterion": "1", "value": D(1)},
        {"agency": 7, "block": "x", "criterion": "3", "choice": None},
        {"agency": 7, "block": "x", "criterion": "3", "choice": "chair"},
        {"agency": 8, "block": "x", "criterion": "2", "value": D(0)},
    ]
    assert refusal(MIXED, scoring.inputs_from_records(rows)) == [
        (None, "1", "agency", None, "agency is missing"),
        (2, None, "criterion", None, "criterion is missing"),
        (3, "1", "block", None, "block is missing"),
        (4, "2", "value", D(2), "value 2 is above the denominator 1.5"),
        (4, "3", "choice", "deputy", "unknown choice 'deputy'; expected one of chair, none"),
        (5, "1", "value", D("10.001"), "value 10.001 is above the maximum 10.000"),
        (6, "2", "value", D(-1), "value must not be negative"),
        (6, "2", "denominator", D(-1), "denominator must be greater than 0"),
        (6, "1", "block", "y", "agency is in more than one block"),
        (7, "3", "criterion", "3", "duplicate row"),
        (8, "2", "denominator", None, "denominator must be greater than 0"),
    ]


def test_unknown_criteria_of_an_agency_with_no_other_row():
    inputs = scoring.inputs_from_records(
        [
            {"agency": "a", "block": "x", "criterion": "9", "value": 1},
            {"agency": "b", "block": "x", "criterion": "1", "value": 1},
            {"agency": "a", "block": "y", "criterion": "8", "value": 1},
        ]
    )
    assert refusal(ONE, inputs) == [
        ("a", "9", "criterion", "9", "unknown criterion '9'"),
        ("a", "8", "criterion", "8", "unknown criterion '8'"),
        ("a", "8", "block", "y", "agency is in more than one block"),
    ]


def test_records_with_bad_numbers_are_refused_together():
    with pytest.raises(ScoringInputError) as caught:
        scoring.inputs_from_records(
            [
                {"agency": 1, "block": 1, "criterion": 1, "value": D("1.0001")},
                {"agency": 2, "block": 1, "criterion": "", "value": 1, "denominator": 2.5},
                {"agency": 3, "block": 1, "criterion": "2", "value": "x"},
            ]
        )
    assert [
        (p.agency, p.criterion, p.field, p.value, p.message) for p in caught.value.problems
    ] == [
        (1, "1", "value", D("1.0001"), "1.0001 has more than 3 decimals"),
        (3, "2", "value", "x", "'x' is not a number"),
        (2, None, "denominator", 2.5, "expected a Decimal, int or str, got float"),
    ]


def test_describe_and_compare_refuse_a_zero_maximum():
    with pytest.raises(ScoringInputError) as caught:
        scoring.describe([0, 0], 0)
    assert [(p.field, p.value, p.message) for p in caught.value.problems] == [
        ("max_points", 0, "maximum must be above 0")
    ]
    results = pd.DataFrame({"agency": [1], "total": [0], "score": [0], "rank": [1]})
    with pytest.raises(ScoringInputError) as caught:
        scoring.compare_years(
            results, results, current_max=D(0), previous_max=D(-1), comparable=True
        )
    assert [(p.field, p.value, p.message) for p in caught.value.problems] == [
        ("current_max", 0, "maximum must be above 0"),
        ("previous_max", -1000, "maximum must be above 0"),
    ]
    frame = scoring.compare_years(
        results, results, current_max=D("0.001"), previous_max=D(1), comparable=True
    )
    assert frame["percent_change"].tolist() == [D(0)]


def test_a_row_without_block_is_missing_not_a_second_block():
    inputs = scoring.inputs_from_records(
        [
            {"agency": 1, "block": "x", "criterion": "1", "value": 1},
            {"agency": 1, "block": None, "criterion": "2", "value": 1},
            {"agency": None, "block": "y", "criterion": "2", "value": 1},
        ]
    )
    two = criteria(("1", D(5), "direct", {}), ("2", D(5), "direct", {}))
    assert refusal(two, inputs) == [
        (1, "2", "block", None, "block is missing"),
        (None, "2", "agency", None, "agency is missing"),
    ]


def test_inputs_without_a_choice_column_score_choices_0():
    frame = criteria(("1", D(4), "choice", {"choices": {"a": "1"}}), ("2", D(1), "direct", {}))
    inputs = pd.DataFrame(
        {
            "agency": [1, 1],
            "block": [1, 1],
            "criterion": ["1", "2"],
            "value": pd.array([None, 1000], dtype="Int64"),
        }
    )
    card = scoring.compute(frame, inputs, RankingRules(max_points=D(5)))
    assert card.points["points"].tolist() == [0, 1000]


def test_a_step_of_one_milli_point_is_not_reached_by_0():
    frame = criteria(("1", D(4), "steps", {"steps": [["0.001", "4"], ["0", "1"]]}))
    inputs = scoring.inputs_from_records(
        [
            {"agency": a, "block": 1, "criterion": "1", "value": v}
            for a, v in [(1, 0), (2, D("0.001"))]
        ]
    )
    card = scoring.compute(frame, inputs, RankingRules(max_points=D(4)))
    assert card.points["points"].tolist() == [1000, 4000]


def test_agency_ids_keep_their_type_and_sort_in_id_order():
    def agencies(ids):
        inputs = scoring.inputs_from_records(
            [{"agency": a, "block": 1, "criterion": "1", "value": 1} for a in ids]
        )
        results = scoring.compute(ONE, inputs, RankingRules(max_points=D(10))).results
        return results["agency"]

    numbers = agencies([30, 2, 10**9])  # a wide span: coded by sorting, not by offsets
    assert str(numbers.dtype) == "int64" and numbers.tolist() == [2, 30, 10**9]
    assert agencies([3, 1, 2]).tolist() == [1, 2, 3]
    flags = agencies([True, False])
    assert flags.dtype == object and flags.tolist() == [False, True]
    assert agencies(["b", 7, "a"]).tolist() == [7, "a", "b"]  # pandas orders mixed ids
    # Ids that cannot be ordered at all keep their first-seen order.
    assert agencies([(2, 1), 5, "a"]).tolist() == [(2, 1), 5, "a"]
