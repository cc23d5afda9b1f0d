"""Explanations against brute force: gaps, group means and points left, for any scores."""

from decimal import Decimal
from fractions import Fraction

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import scoring
from scoring import RankingRules

D = Decimal
# Natural order: 1.2 before 1.10, digits before letters, "-" splits like ".".
CODES = ["1.10", "1.2", "2.a", "2.1", "10-1", "1.1"]
NATURAL = ["1.1", "1.2", "1.10", "2.1", "2.a", "10-1"]
MAXIMA = {"1.10": 3, "1.2": 5, "2.a": 2, "2.1": 4, "10-1": 1, "1.1": 5}


@st.composite
def scored(draw):
    n = draw(st.integers(1, 7))
    rows = [
        {
            "agency": f"a{i}",
            "block": block,
            "criterion": code,
            "value": D(draw(st.integers(0, MAXIMA[code] * 2))) / 2,
        }
        for i in range(n)
        for block in [draw(st.sampled_from(["x", "y"]))]
        for code in CODES
    ]
    required = draw(st.sampled_from([None, "2.1"]))
    below = draw(st.sampled_from([None, D(3), D(8)]))
    return rows, required, below, draw(st.integers(1, 6))


def criteria(required):
    return pd.DataFrame(
        [
            {
                "criterion": code,
                "group": code.split(".")[0].split("-")[0],
                "max_points": D(MAXIMA[code]),
                "rule": "direct",
                "required": code == required,
            }
            for code in CODES
        ]
    )


@settings(max_examples=min(25, settings.default.max_examples), deadline=None, database=None)
@given(case=scored())
def test_explanations_match_brute_force(case):
    rows, required, below, top_n = case
    frame = criteria(required)
    card = scoring.compute(
        frame,
        scoring.inputs_from_records(rows),
        RankingRules(max_points=D(20), not_ranked_below=below),
    )
    why = scoring.explain(card, frame, top_n=top_n)

    results = card.results
    expected_gaps = []
    for agency, block, rank, score in results[["agency", "block", "rank", "score"]].itertuples(
        index=False
    ):
        peers = results[(results["block"] == block) & results["rank"].notna()]["score"].tolist()
        higher = [s for s in peers if s > score]
        expected_gaps.append(
            (
                agency,
                block,
                None if pd.isna(rank) else int(rank),
                score,
                min(higher) - score if higher and not pd.isna(rank) else None,
                max(peers) - score if peers else None,
            )
        )
    gaps = why.gaps
    assert list(gaps.columns) == ["agency", "block", "rank", "score", "gap_above", "gap_top"]
    got = [tuple(None if pd.isna(v) else v for v in row) for row in gaps.itertuples(index=False)]
    assert got == expected_gaps

    groups = card.groups
    group_gaps = why.group_gaps
    assert group_gaps[["agency", "block", "group", "points"]].equals(groups)
    for row, mean, gap in zip(
        groups.itertuples(index=False),
        group_gaps["block_mean"],
        group_gaps["gap"],
        strict=True,
    ):
        same = groups[(groups["block"] == row.block) & (groups["group"] == row.group)]
        want = Fraction(int(same["points"].sum()), 1000 * len(same))
        assert abs(Fraction(mean) - want) < Fraction(1, 10**40)
        assert abs(Fraction(gap) - (Fraction(int(row.points), 1000) - want)) < Fraction(1, 10**40)

    points = card.points.assign(criterion=card.points["criterion"].astype(str))
    expected = []
    for agency in results["agency"].drop_duplicates().sort_values():
        mine = points[points["agency"] == agency].set_index("criterion")["points"]
        left = [
            (agency, code, int(mine[code]), MAXIMA[code] * 1000, MAXIMA[code] * 1000 - mine[code])
            for code in NATURAL
            if MAXIMA[code] * 1000 > mine[code]
        ]
        left.sort(key=lambda r: -r[4])  # stable: natural order among equal gaps
        expected += left[:top_n]
    attainable = why.attainable
    assert list(attainable.columns) == ["agency", "criterion", "points", "max_points", "attainable"]
    got = sorted(
        (tuple(r) for r in attainable.itertuples(index=False)),
        key=lambda r: r[0],
    )
    assert [tuple(int(v) if i > 1 else v for i, v in enumerate(r)) for r in got] == [
        tuple(int(v) if i > 1 else v for i, v in enumerate(r)) for r in expected
    ]
    assert attainable.index.tolist() == list(range(len(attainable)))


def test_no_ranked_agency_has_no_gaps():
    frame = criteria("2.1")
    rows = [
        {"agency": a, "block": "x", "criterion": "1.1", "value": D(v)}
        for a, v in [("p", 5), ("q", 0)]
    ]
    card = scoring.compute(frame, scoring.inputs_from_records(rows), RankingRules(max_points=D(20)))
    gaps = scoring.explain(card, frame).gaps
    assert gaps["rank"].isna().all()
    assert gaps["gap_above"].isna().all() and gaps["gap_top"].isna().all()
    assert gaps["score"].tolist() == [5000, 0]


def test_a_block_leader_at_zero_points_is_still_the_top():
    frame = criteria(None)
    rows = [
        {"agency": a, "block": b, "criterion": "1.1", "value": D(v)}
        for a, b, v in [("p", "x", 0), ("q", "x", 0), ("r", "y", 3)]
    ]
    card = scoring.compute(frame, scoring.inputs_from_records(rows), RankingRules(max_points=D(20)))
    gaps = scoring.explain(card, frame).gaps.set_index("agency")
    assert gaps["gap_top"].tolist() == [0, 0, 0]
    assert gaps["gap_above"].isna().all()


def test_an_empty_ranking_read_back_from_storage_explains_nothing():
    # rankings/selectors.py builds the frames from lists: empty ones have no int dtype.
    frame = criteria(None)
    empty = pd.DataFrame({"agency": [], "block": [], "rank": [], "score": []})
    card = scoring.Scorecard(
        points=pd.DataFrame(columns=["agency", "block", "criterion", "points"]),
        groups=pd.DataFrame(columns=["agency", "block", "group", "points"]),
        subgroups=pd.DataFrame(),
        results=empty.astype({"rank": "Int64"}),
        blocks=pd.DataFrame(),
        rules=RankingRules(max_points=D(20)),
    )
    why = scoring.explain(card, frame)
    assert why.gaps.empty and list(why.gaps.columns)[-2:] == ["gap_above", "gap_top"]
    assert why.group_gaps.empty and why.attainable.empty


def test_five_criteria_left_to_gain_by_default():
    frame = criteria(None)
    rows = [{"agency": "p", "block": "x", "criterion": code, "value": D(0)} for code in CODES]
    card = scoring.compute(frame, scoring.inputs_from_records(rows), RankingRules(max_points=D(20)))
    left = scoring.explain(card, frame).attainable
    # Six criteria have points left; the five largest are listed (1.1 and 1.2: 5 each).
    assert left["criterion"].tolist() == ["1.1", "1.2", "2.1", "1.10", "2.a"]
