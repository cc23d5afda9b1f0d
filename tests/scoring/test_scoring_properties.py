"""Properties that hold for any inputs (hypothesis)."""

from decimal import Decimal
from itertools import pairwise

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scoring
from scoring import RankingRules, Rounding, TieMethod

D = Decimal
CRITERIA_ROWS = [
    ("1.1.1", "10", "direct", {}),
    ("1.1.2", "6", "ratio", {}),
    ("1.2.1", "4", "steps", {"steps": [["3", "4"], ["2", "3"], ["1", "2"]]}),
    ("2.1.1", "4", "choice", {"choices": {"chair": "1", "deputy": "0.5", "none": "0"}}),
    ("2.1.2", "6", "capped", {"per_unit": "1.5", "cap": "5"}),
    ("2.2.1", "10", "relative", {}),
]
MAXIMUM = D(40)
SETTINGS = settings(
    max_examples=min(15, settings.default.max_examples),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@st.composite
def input_rows(draw) -> list[dict]:
    """Some agencies in 1-3 blocks, each with a random subset of criteria filled."""
    n_agencies = draw(st.integers(1, 12))
    rows = []
    for agency in range(n_agencies):
        block = draw(st.sampled_from(["x", "y", "z"]))
        for code, maximum, rule, _ in CRITERIA_ROWS:
            if not draw(st.booleans()):
                continue
            row = {"agency": agency, "block": block, "criterion": code}
            if rule == "direct":
                row["value"] = D(draw(st.integers(0, int(maximum) * 1000))) / 1000
            elif rule == "ratio":
                denominator = draw(st.integers(1, 500))
                row["value"] = D(draw(st.integers(0, denominator)))
                row["denominator"] = D(denominator)
            elif rule == "choice":
                row["choice"] = draw(st.sampled_from(["chair", "deputy", "none"]))
            else:
                row["value"] = D(draw(st.integers(0, 9000))) / 1000
            rows.append(row)
    return rows


def rules_strategy():
    return st.builds(
        RankingRules,
        max_points=st.just(MAXIMUM),
        precision=st.integers(0, 3),
        rounding=st.sampled_from(Rounding),
        tie_method=st.sampled_from(TieMethod),
    )


def compute(make, rows, rules) -> scoring.Scorecard:
    return scoring.compute(make.criteria(CRITERIA_ROWS), make.inputs(rows), rules)


@SETTINGS
@given(rows=input_rows(), rules=rules_strategy(), seed=st.integers(0, 2**32 - 1))
def test_shuffling_the_input_rows_changes_nothing(make, rows, rules, seed):
    card = compute(make, rows, rules)
    shuffled = [rows[i] for i in np.random.default_rng(seed).permutation(len(rows))]
    again = compute(make, shuffled, rules)
    pd.testing.assert_frame_equal(card.results, again.results)
    pd.testing.assert_frame_equal(card.points, again.points)
    pd.testing.assert_frame_equal(card.blocks, again.blocks)


@SETTINGS
@given(rows=input_rows(), rules=rules_strategy())
def test_total_is_the_sum_of_groups_and_of_criteria(make, rows, rules):
    card = compute(make, rows, rules)
    total = card.results.set_index("agency")["total"].sort_index()
    by_criteria = card.points.groupby("agency")["points"].sum().sort_index()
    by_groups = card.groups.groupby("agency")["points"].sum().sort_index()
    assert total.tolist() == by_criteria.tolist() == by_groups.tolist()
    maxima = {code: scoring.to_milli(m) for code, m, *_ in CRITERIA_ROWS}
    per_criterion = card.points.assign(criterion=card.points["criterion"].astype(str))
    assert (per_criterion["points"] >= 0).all()
    assert (per_criterion["points"] <= per_criterion["criterion"].map(maxima)).all()


@SETTINGS
@given(rows=input_rows(), rules=rules_strategy())
def test_percent_is_between_0_and_100(make, rows, rules):
    percent = compute(make, rows, rules).percent()
    assert all(D(0) <= p <= D(100) for p in percent)


@SETTINGS
@given(rows=input_rows(), rules=rules_strategy())
def test_ranks_follow_scores_and_ties_share_a_rank(make, rows, rules):
    results = compute(make, rows, rules).results
    for _, block in results.groupby("block"):
        ranked = block[block["rank"].notna()]
        scores = ranked["score"].tolist()
        ranks = ranked["rank"].astype(int).tolist()
        assert ranks[0] == 1
        for (s1, r1), (s2, r2) in pairwise(zip(scores, ranks, strict=True)):
            assert s1 >= s2  # a higher score never ranks below a lower one
            if s1 == s2:
                assert r1 == r2
            elif rules.tie_method == TieMethod.COMPETITION:
                assert r2 == ranks.index(r2) + 1  # after a tie the next rank skips
            else:
                assert r2 == r1 + 1
