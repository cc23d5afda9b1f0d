"""Every problem is found at once and said precisely."""

from decimal import Decimal

import pandas as pd
import pytest

import scoring
from scoring import RankingRules, ScoringInputError

D = Decimal
CRITERIA = [
    ("1", "10", "direct", {}),
    ("2", "10", "ratio", {}),
    ("3", "4", "choice", {"choices": {"chair": "1", "deputy": "0.5", "none": "0"}}),
]


@pytest.fixture
def problems_of(make):
    def run(rows, criteria=CRITERIA, max_points="24"):
        with pytest.raises(ScoringInputError) as caught:
            scoring.compute(
                make.criteria(criteria), make.inputs(rows), RankingRules(max_points=D(max_points))
            )
        return [(p.agency, p.criterion, p.field, p.message) for p in caught.value.problems]

    return run


def test_each_problem_with_its_message_all_at_once(problems_of):
    problems = problems_of(
        [
            {"agency": 1, "criterion": "1", "value": D("12.5")},
            {"agency": 1, "criterion": "2", "value": D(3), "denominator": D(0)},
            {"agency": 1, "criterion": "3", "choice": "x"},
            {"agency": 2, "criterion": "9.9", "value": D(1)},
            {"agency": 2, "criterion": "1", "value": D(1)},
            {"agency": 2, "criterion": "1", "value": D(2)},
            {"agency": 3, "criterion": "1", "value": D(-1)},
            {"agency": 4, "criterion": "2", "value": D(5), "denominator": D(4)},
            {"agency": 5, "criterion": "2", "value": D(5)},
        ]
    )
    assert problems == [
        (1, "1", "value", "value 12.5 is above the maximum 10.000"),
        (1, "2", "denominator", "denominator must be greater than 0"),
        (1, "3", "choice", "unknown choice 'x'; expected one of chair, deputy, none"),
        (2, "9.9", "criterion", "unknown criterion '9.9'"),
        (2, "1", "criterion", "duplicate row"),
        (3, "1", "value", "value must not be negative"),
        (4, "2", "value", "value 5 is above the denominator 4"),
        (5, "2", "denominator", "denominator must be greater than 0"),
    ]


def test_problem_values_are_shown_as_decimals(make):
    with pytest.raises(ScoringInputError) as caught:
        scoring.compute(
            make.criteria(CRITERIA),
            make.inputs([{"agency": 1, "criterion": "1", "value": D("12.5")}]),
            RankingRules(max_points=D(24)),
        )
    assert caught.value.problems[0].value == D("12.5")
    assert "value 12.5 is above the maximum 10.000" in str(caught.value)


def test_agency_in_two_blocks(problems_of):
    problems = problems_of(
        [
            {"agency": 1, "block": "a", "criterion": "1", "value": D(1)},
            {"agency": 1, "block": "b", "criterion": "2", "value": D(1), "denominator": D(2)},
        ]
    )
    assert problems == [(1, "2", "block", "agency is in more than one block")]


def test_maximum_must_equal_the_sum_of_criteria(problems_of):
    problems = problems_of([{"agency": 1, "criterion": "1", "value": D(1)}], max_points="63")
    assert problems == [
        (
            None,
            None,
            "max_points",
            "maximum 63.000 does not equal the sum of the criteria maxima 24.000",
        )
    ]


def test_bad_criteria_params_are_reported(problems_of):
    problems = problems_of(
        [],
        criteria=[
            ("1", "10", "steps", {}),
            ("2", "4", "choice", {"choices": {"a": "1.5"}}),
            ("3", "4", "magic", {}),
            ("4", "2", "steps", {"steps": [["1", "3"]]}),
        ],
        max_points="20",
    )
    assert [(c, f) for _, c, f, _ in problems] == [
        ("1", "params"),
        ("2", "choices"),
        ("3", "rule"),
        ("4", "steps"),
    ]


def test_more_than_three_decimals_in_records():
    with pytest.raises(ScoringInputError) as caught:
        scoring.inputs_from_records(
            [{"agency": 1, "block": 1, "criterion": "1", "value": D("1.0001")}]
        )
    assert caught.value.problems[0].field == "value"
    assert "more than 3 decimals" in caught.value.problems[0].message


def test_float_values_are_refused(make):
    inputs = pd.DataFrame({"agency": [1], "block": [1], "criterion": ["1"], "value": [1.5]})
    with pytest.raises(ScoringInputError, match="milli-points"):
        scoring.compute(make.criteria(CRITERIA), inputs, RankingRules(max_points=D(24)))


def test_plain_string_columns_work_like_categoricals(make):
    inputs = pd.DataFrame(
        {
            "agency": [1, 2],
            "block": ["x", "x"],
            "criterion": ["1", "3"],
            "value": pd.array([5000, None], dtype="Int64"),
            "denominator": pd.array([None, None], dtype="Int64"),
            "choice": [None, "deputy"],
        }
    )
    card = scoring.compute(make.criteria(CRITERIA), inputs, RankingRules(max_points=D(24)))
    assert card.results["total"].tolist() == [5000, 2000]
