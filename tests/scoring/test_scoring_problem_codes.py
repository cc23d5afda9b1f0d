"""Every refusal names its problem for an application: code, field, row and figures.

The messages are English for logs; the product says a problem in its own language from
`code` and `detail`, so these are checked as exactly as the message.
"""

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import scoring
from scoring import RankingRules, ScoringInputError

D = Decimal


def criteria(*rows) -> pd.DataFrame:
    """(code, max, rule, params) rows; all in group 1."""
    return pd.DataFrame(
        [
            {"criterion": code, "group": "1", "max_points": maximum, "rule": rule, "params": params}
            for code, maximum, rule, params in rows
        ]
    )


MIXED = criteria(
    ("1", D(10), "direct", {}),
    ("2", D(10), "ratio", {}),
    ("3", D(4), "choice", {"choices": {"none": "0", "chair": "1"}}),
)


def problems(criteria_frame, inputs) -> list[tuple]:
    maximum = sum(criteria_frame["max_points"], D(0))
    with pytest.raises(ScoringInputError) as caught:
        scoring.compute(criteria_frame, inputs, RankingRules(max_points=maximum))
    return [
        (p.agency, p.criterion, p.field, p.value, p.code, dict(p.detail))
        for p in caught.value.problems
    ]


def test_every_row_problem_has_its_code_and_figures():
    rows = [
        {"agency": None, "block": "x", "criterion": "1", "value": D(1)},
        {"agency": 2, "block": "x", "criterion": None, "value": D(1)},
        {"agency": 2, "block": "x", "criterion": "9.9", "value": D(1)},
        {"agency": 3, "block": None, "criterion": "1", "value": D(1)},
        {"agency": 4, "block": "x", "criterion": "2", "value": D("2.50"), "denominator": D("1.5")},
        {"agency": 4, "block": "x", "criterion": "3", "choice": "deputy"},
        {"agency": 5, "block": "x", "criterion": "1", "value": D("10.001")},
        {"agency": 6, "block": "x", "criterion": "2", "value": D(-1), "denominator": D(-1)},
        {"agency": 6, "block": "y", "criterion": "1", "value": D(1)},
        {"agency": 7, "block": "x", "criterion": "3", "choice": "none"},
        {"agency": 7, "block": "x", "criterion": "3", "choice": "chair"},
        {"agency": 8, "block": "x", "criterion": "2", "value": D(0)},
    ]
    assert problems(MIXED, scoring.inputs_from_records(rows)) == [
        (None, "1", "agency", None, "agency_missing", {}),
        (2, None, "criterion", None, "unknown_criterion", {}),
        (2, "9.9", "criterion", "9.9", "unknown_criterion", {"criterion": "9.9"}),
        (3, "1", "block", None, "block_missing", {}),
        (4, "2", "value", D("2.5"), "above_denominator", {"value": "2.5", "denominator": "1.5"}),
        (
            4,
            "3",
            "choice",
            "deputy",
            "unknown_choice",
            {"choice": "deputy", "expected": ["chair", "none"]},
        ),
        (5, "1", "value", D("10.001"), "above_maximum", {"value": "10.001", "maximum": D(10)}),
        (6, "2", "value", D(-1), "negative", {}),
        (6, "2", "denominator", D(-1), "denominator_not_positive", {}),
        (6, "1", "block", "y", "block_conflict", {}),
        (7, "3", "criterion", "3", "duplicate_row", {}),
        (8, "2", "denominator", None, "denominator_not_positive", {}),
    ]


def test_a_missing_criterion_has_no_figures_and_a_known_one_names_itself():
    """The detail of an unknown criterion is read from its own row, not another's."""
    rows = [
        {"agency": 1, "block": "x", "criterion": "7", "value": 1},
        {"agency": 1, "block": "x", "criterion": None, "value": 1},
        {"agency": 1, "block": "x", "criterion": "8", "value": 1},
    ]
    found = problems(MIXED, scoring.inputs_from_records(rows))
    assert [(p[2], p[4], p[5]) for p in found] == [
        ("criterion", "unknown_criterion", {"criterion": "7"}),
        ("criterion", "unknown_criterion", {}),
        ("criterion", "unknown_criterion", {"criterion": "8"}),
    ]


def test_rows_without_an_agency_never_conflict_over_their_block():
    """Rows with no agency are each reported once as such, whatever their blocks."""
    rows = [
        {"agency": None, "block": "x", "criterion": "1", "value": 1},
        {"agency": None, "block": "y", "criterion": "1", "value": 1},
        {"agency": 1, "block": "x", "criterion": "1", "value": 1},
    ]
    assert problems(MIXED, scoring.inputs_from_records(rows)) == [
        (None, "1", "agency", None, "agency_missing", {}),
        (None, "1", "agency", None, "agency_missing", {}),
    ]


def test_a_block_conflict_is_found_when_the_last_row_has_no_block():
    """A float block column: the agency's last row (NaN) differs from every other row."""
    inputs = pd.DataFrame(
        {
            "agency": [1, 1, 1],
            "block": [1.0, 2.0, np.nan],
            "criterion": ["1", "2", "3"],
            "value": pd.array([1000, 1000, None], dtype="Int64"),
            "denominator": pd.array([None, 2000, None], dtype="Int64"),
        }
    )
    assert problems(MIXED, inputs) == [
        (1, "2", "block", 2.0, "block_conflict", {}),
        (1, "3", "block", None, "block_missing", {}),
    ]


def test_negative_integer_agency_ids_keep_their_values_and_type():
    inputs = scoring.inputs_from_records(
        [{"agency": a, "block": 1, "criterion": "1", "value": 1} for a in (3, -5, 0)]
    )
    agencies = scoring.compute(MIXED, inputs, RankingRules(max_points=D(24))).results["agency"]
    assert str(agencies.dtype) == "int64" and agencies.tolist() == [-5, 0, 3]
    dense = scoring.inputs_from_records(
        [{"agency": a, "block": 1, "criterion": "1", "value": 1} for a in (3, 1, 2)]
    )
    agencies = scoring.compute(MIXED, dense, RankingRules(max_points=D(24))).results["agency"]
    assert str(agencies.dtype) == "int64" and agencies.tolist() == [1, 2, 3]


def test_encoded_rows_are_int64_row_numbers_and_bool_flags():
    """The grid and the row lists index arrays: integers, even when empty or absent."""
    from scoring.criteria import parse_criteria
    from scoring.inputs import encode_inputs

    table = parse_criteria(MIXED, scoring.Rounding.HALF_UP)
    bare = pd.DataFrame({"agency": [1, 2], "block": [1, 1], "criterion": ["1", "2"]})
    rows = encode_inputs(bare, table)
    for name in ("value", "denominator", "cell", "duplicates", "block_missing", "agency"):
        assert getattr(rows, name).dtype == np.int64, name
    assert rows.value_na.dtype == bool and rows.value_na.tolist() == [True, True]
    assert rows.denominator_na.dtype == bool and rows.denominator_na.tolist() == [True, True]
    assert rows.value.tolist() == [0, 0] and rows.cell.tolist() == [[0, -1, -1], [-1, 1, -1]]


def test_inputs_without_value_columns_score_0():
    bare = pd.DataFrame({"agency": [1, 2], "block": [1, 1], "criterion": ["1", "2"]})
    card = scoring.compute(MIXED, bare, RankingRules(max_points=D(24)))
    assert card.results["total"].tolist() == [0, 0]


@given(st.lists(st.integers(min_value=0, max_value=20_000), min_size=1, max_size=12))
def test_each_value_above_its_maximum_is_reported_once_in_row_order(values):
    rows = [
        {"agency": agency, "block": 1, "criterion": "1", "value": D(v) / 1000}
        for agency, v in enumerate(values)
    ]
    inputs = scoring.inputs_from_records(rows)
    above = [(a, v) for a, v in enumerate(values) if v > 10_000]
    expected = [
        (
            a,
            "1",
            "value",
            D(v) / 1000,
            "above_maximum",
            {"value": f"{(D(v) / 1000).normalize():f}", "maximum": D(10)},
        )
        for a, v in above
    ]
    if not above:
        scoring.compute(MIXED, inputs, RankingRules(max_points=D(24)))
    else:
        assert problems(MIXED, inputs) == expected


@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from(["1", "2", "3", "4"])),
        min_size=1,
        max_size=10,
    )
)
def test_each_repeated_or_unknown_row_is_reported_once_with_its_criterion(pairs):
    """Later repeats of an (agency, criterion) are duplicates; criterion 4 is unknown."""
    rows = [
        {"agency": a, "block": 1, "criterion": c, "value": 0, "denominator": 1} for a, c in pairs
    ]
    seen: set = set()
    expected = []
    for a, c in pairs:
        if c == "4":
            expected.append((a, c, "criterion", c, "unknown_criterion", {"criterion": c}))
        elif (a, c) in seen:
            expected.append((a, c, "criterion", c, "duplicate_row", {}))
        seen.add((a, c))
    inputs = scoring.inputs_from_records(rows)
    if expected:
        assert problems(MIXED, inputs) == expected
    else:
        scoring.compute(MIXED, inputs, RankingRules(max_points=D(24)))


@pytest.mark.parametrize(("method", "expected"), [("competition", [1, 1, 2]), ("dense", [1, 1, 2])])
def test_a_block_starts_its_ranks_even_when_its_top_score_ends_the_previous_block(method, expected):
    """Block 1's last score equals block 2's first: each is still first in its block."""
    from scoring.ranking import block_ranks

    ranks = block_ranks(
        np.array([0, 1, 1]),
        np.array([5000, 5000, 3000]),
        np.array([0, 1, 2]),
        np.ones(3, dtype=bool),
        scoring.TieMethod(method),
    )
    assert ranks.tolist() == expected


def test_group_sums_are_int64_milli_points():
    from scoring.engine import group_sums

    matrix = np.array([[2**60, 1, 5], [0, 2, 6]], dtype=np.int64)
    sums = group_sums(matrix, np.array([1, 0, 1]), 2)
    assert sums.dtype == np.int64 and sums.tolist() == [[1, 2**60 + 5], [2, 6]]


def test_steps_are_searched_by_threshold_whatever_their_points_and_order():
    """Points need not grow with the threshold; equal points keep thresholds apart."""
    frame = criteria(
        ("s", D(4), "steps", {"steps": [["5", "1"], ["0", "3"], ["9", "3"], ["7", "3"]]}),
    )
    rows = [
        {"agency": a, "block": 1, "criterion": "s", "value": v}
        for a, v in enumerate([0, 4, 5, 6, 7, 8, 9, 100])
    ]
    card = scoring.compute(frame, scoring.inputs_from_records(rows), RankingRules(max_points=D(4)))
    assert card.points["points"].tolist() == [3000, 3000, 1000, 1000, 3000, 3000, 3000, 3000]


def test_a_set_of_one_thousandth_of_a_point_is_accepted():
    frame = criteria(("1", D("0.001"), "direct", {}))
    inputs = scoring.inputs_from_records(
        [{"agency": 1, "block": 1, "criterion": "1", "value": D("0.001")}]
    )
    card = scoring.compute(frame, inputs, RankingRules(max_points=D("0.001")))
    assert card.results["total"].tolist() == [1]


@pytest.mark.parametrize("rounding", list(scoring.Rounding))
def test_mul_div_at_the_int64_boundary_is_exact(rounding):
    """Just past the fast path's limits: 2ab + c or 2c would wrap int64 there."""
    from scoring.numbers import mul_div

    got = mul_div(np.array([2**62, 0]), np.array([1, 5]), np.array([1, 2**62]), rounding)
    assert got.tolist() == [2**62, 0]


def test_mul_div_gives_int64_for_any_integer_dtype():
    """Unsigned inputs would turn numpy's arithmetic into floats without the conversion."""
    from scoring.numbers import mul_div

    big = np.array([2**53 + 1], dtype=np.uint64)
    one = np.array([1], dtype=np.uint64)
    for a, b, c in [(big, one, one), (one, big, one), (big * 0 + 2**54 + 2, one, one + 1)]:
        got = mul_div(a, b, c, scoring.Rounding.TRUNCATE)
        assert got.dtype == np.int64
        assert got.tolist() == [int(a[0]) * int(b[0]) // int(c[0])]


def test_the_inputs_frame_has_fixed_columns_and_dtypes_even_when_all_empty():
    frame = scoring.inputs_from_records(
        [{"agency": 1, "block": 2, "criterion": "1", "value": None, "denominator": None}]
    )
    assert list(frame.columns) == list(scoring.inputs.INPUT_COLUMNS)
    assert frame["block"].dtype == object
    assert str(frame["value"].dtype) == "Int64" and str(frame["denominator"].dtype) == "Int64"


def test_the_criteria_table_holds_int64_milli_points():
    from scoring.criteria import parse_criteria

    frame = criteria(
        ("1", D(10), "direct", {}),
        ("2", D(5), "capped", {"per_unit": "1", "cap": "4"}),
    )
    table = parse_criteria(frame, scoring.Rounding.HALF_UP)
    assert table.maxima.dtype == np.int64 and table.cap.dtype == np.int64
    assert table.per_unit.dtype == np.int64
    assert table.codes.dtype == object and table.codes.tolist() == ["1", "2"]


def test_a_per_unit_of_0_scores_0():
    frame = criteria(("c", D(5), "capped", {"per_unit": "0"}))
    inputs = scoring.inputs_from_records([{"agency": 1, "block": 1, "criterion": "c", "value": 9}])
    card = scoring.compute(frame, inputs, RankingRules(max_points=D(5)))
    assert card.results["total"].tolist() == [0]
