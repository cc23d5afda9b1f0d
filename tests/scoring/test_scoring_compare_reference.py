"""Year over year against a reference: any totals, maxima, ranks and index orders."""

from decimal import Decimal
from fractions import Fraction
from math import floor

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scoring
from scoring import RankingRules

D = Decimal


def toward_zero(x: Fraction) -> int:
    return floor(abs(x)) * (-1 if x < 0 else 1)


def card(totals: dict, maximum: int, **rules) -> scoring.Scorecard:
    criteria = pd.DataFrame(
        [{"criterion": "1", "group": "1", "max_points": D(maximum), "rule": "direct"}]
    )
    inputs = scoring.inputs_from_records(
        [
            {"agency": a, "block": b, "criterion": "1", "value": D(t).scaleb(-3)}
            for a, (b, t) in totals.items()
        ]
    )
    return scoring.compute(criteria, inputs, RankingRules(max_points=D(maximum), **rules))


@st.composite
def years(draw):
    before_max, now_max = draw(st.integers(1, 200)), draw(st.integers(1, 200))
    agencies = draw(st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=8, unique=True))
    now = {a: (draw(st.sampled_from("xy")), draw(st.integers(0, now_max * 1000))) for a in agencies}
    before = {
        a: (draw(st.sampled_from("xy")), draw(st.integers(0, before_max * 1000)))
        for a in draw(st.lists(st.sampled_from("abcdefgh"), max_size=8, unique=True))
    }
    return before, before_max, now, now_max, draw(st.booleans()), draw(st.integers(0, 3))


@settings(max_examples=min(25, settings.default.max_examples), deadline=None, database=None)
@given(case=years(), stored=st.booleans(), shuffle=st.randoms(use_true_random=False))
def test_compare_years_matches_the_reference(case, stored, shuffle):
    before_totals, before_max, now_totals, now_max, comparable, precision = case
    rules = {"precision": precision, "not_ranked_below": D("0.5")}
    previous = card(before_totals, before_max, **rules) if before_totals else None
    previous_frame = None
    if previous is not None:
        previous_frame = previous.results_decimal() if stored else previous.results
    current = card(now_totals, now_max, **rules).results
    # Any index order: rows are matched by agency, never by position.
    order = list(range(len(current)))
    shuffle.shuffle(order)
    current = current.iloc[order]
    current.index = [10 + 3 * i for i in range(len(current))]
    frame = scoring.compare_years(
        current,
        previous_frame,
        current_max=D(now_max),
        previous_max=D(before_max),
        comparable=comparable,
    )
    assert frame.index.tolist() == current.index.tolist()
    for column in ("previous_total", "previous_score", "previous_rank", "change", "rank_change"):
        assert str(frame[column].dtype) == "Int64"
    assert frame["agency"].tolist() == current["agency"].tolist()
    old = {} if previous is None else previous.results.set_index("agency").to_dict("index")
    for row in frame.to_dict("records"):
        was = old.get(row["agency"])
        if was is None:
            assert pd.isna(row["previous_total"]) and pd.isna(row["previous_score"])
            assert pd.isna(row["previous_rank"]) and pd.isna(row["change"])
            assert pd.isna(row["rank_change"])
            assert row["previous_percent"] is None and row["percent_change"] is None
            assert row["comparable"] is False or not row["comparable"]
            continue
        assert (row["previous_total"], row["previous_score"]) == (was["total"], was["score"])
        assert bool(row["comparable"]) is comparable
        if comparable:
            assert row["change"] == row["score"] - was["score"]
        else:
            assert pd.isna(row["change"])
        if pd.isna(was["rank"]) or pd.isna(row["rank"]):
            assert pd.isna(row["rank_change"])
        else:
            assert row["previous_rank"] == was["rank"]
            assert row["rank_change"] == was["rank"] - row["rank"]
        exact_before = Fraction(int(was["total"]) * 100, before_max * 1000)
        if stored:
            assert (
                row["previous_percent"]
                == previous.percent()[previous.results["agency"].tolist().index(row["agency"])]
            )
        else:
            assert row["previous_percent"] == D(toward_zero(exact_before * 1000)).scaleb(-3)
        exact_now = Fraction(int(row["total"]) * 100, now_max * 1000)
        want = D(toward_zero((exact_now - exact_before) * 1000)).scaleb(-3)
        assert row["percent_change"] == want
        assert row["percent_change"].as_tuple().exponent == -3


def test_compare_years_keeps_the_current_columns_and_dtypes():
    now = card({"a": ("x", 5000), "b": ("x", 1000)}, 10, not_ranked_below=D(2)).results
    frame = scoring.compare_years(now, None, current_max=D(10), previous_max=D(10), comparable=True)
    assert list(frame.columns[: len(now.columns)]) == list(now.columns)
    assert str(frame["previous_total"].dtype) == "Int64"
    assert str(frame["previous_rank"].dtype) == "Int64"
    assert str(frame["change"].dtype) == "Int64"
    assert str(frame["rank_change"].dtype) == "Int64"
    assert frame["comparable"].tolist() == [False, False]
    # The caller's frame is not changed.
    assert "change" not in now.columns


def test_is_comparable_looks_at_codes_maxima_and_rules():
    def frame(*rows):
        return pd.DataFrame(rows, columns=["criterion", "max_points", "rule"])

    base = frame(("1", D(10), "direct"), ("2", D(5), "ratio"))
    assert scoring.is_comparable(base, frame(("2", "5.000", "ratio"), ("1", 10, "direct")))
    # Same maxima and rules, renamed codes: not the same criteria.
    assert not scoring.is_comparable(base, frame(("1", D(10), "direct"), ("3", D(5), "ratio")))
    assert not scoring.is_comparable(base, frame(("1", D(10), "direct"), ("2", D(5), "steps")))
    assert not scoring.is_comparable(base, frame(("1", D(10), "direct"), ("2", D(6), "ratio")))
    # Integer codes compare with their text.
    assert scoring.is_comparable(frame((1, D(10), "direct")), frame(("1", D(10), "direct")))
    # A repeated row does not make two sets of different sizes equal.
    assert not scoring.is_comparable(
        base, frame(*base.itertuples(index=False), ("1", D(10), "direct"))
    )


def blocks(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["block", "count", "mean", "mean_percent"])


def test_compare_blocks_matches_blocks_by_name_in_any_order():
    previous = blocks([("y", 3, D("2.5"), D("25")), ("x", 2, D("4"), D("40"))])
    current = blocks(
        [("x", 4, D("4.75"), D("47.5")), ("z", 1, D("1"), D("10")), ("y", 3, D("2"), D("20"))]
    )
    current.index = [7, 3, 5]
    frame = scoring.compare_blocks(current, previous, comparable=True)
    assert frame.index.tolist() == [7, 3, 5]
    assert frame["previous_count"].tolist() == [2, pd.NA, 3]
    assert str(frame["previous_count"].dtype) == "Int64"
    assert frame["previous_mean"].tolist() == [D("4"), None, D("2.5")]
    assert frame["previous_mean_percent"].tolist() == [D("40"), None, D("25")]
    assert frame["mean_change"].tolist() == [D("0.75"), None, D("-0.5")]
    assert frame["mean_percent_change"].tolist() == [D("7.5"), None, D("-5")]
    assert frame["comparable"].tolist() == [True, False, True]
    apart = scoring.compare_blocks(current, previous, comparable=False)
    assert apart["mean_change"].tolist() == [None, None, None]
    assert apart["mean_percent_change"].tolist() == [D("7.5"), None, D("-5")]
    assert not apart["comparable"].any()


@pytest.mark.parametrize("previous", [None, blocks([])])
def test_compare_blocks_without_a_previous_year(previous):
    current = blocks([("x", 4, D("4.75"), D("47.5"))])
    frame = scoring.compare_blocks(current, previous, comparable=True)
    assert str(frame["previous_count"].dtype) == "Int64"
    assert frame["previous_count"].isna().all()
    assert frame["previous_mean"].tolist() == [None]
    assert frame["mean_change"].tolist() == [None]
    assert frame["mean_percent_change"].tolist() == [None]
    assert frame["comparable"].tolist() == [False]


def test_compare_blocks_subtracts_with_50_digits():
    # 34 digits: the default context (28) would round the difference.
    current = blocks([("x", 3, D(1), D("1000000000000000000000000000000.5"))])
    previous = blocks([("x", 3, D(1), D("0.25"))])
    frame = scoring.compare_blocks(current, previous, comparable=True)
    assert frame.loc[0, "mean_percent_change"] == D("1000000000000000000000000000000.25")


def test_percent_change_is_exact_for_the_largest_figures():
    # Products of 10**12 milli totals and maxima pass 2**63 and float's 53 bits.
    top = 10**12 - 1
    now = pd.DataFrame({"agency": [1, 2], "total": [top, 7], "score": [top, 7], "rank": [1, 2]})
    before = now.assign(total=[top - 10**7, 8], score=[top - 10**7, 8])
    frame = scoring.compare_years(
        now, before, current_max=D(top) / 1000, previous_max=D(top) / 1000, comparable=True
    )
    exact = Fraction(10**7 * 100_000, top)  # 1.0000000000010... milli-percent
    assert frame["percent_change"].tolist() == [D(int(exact)).scaleb(-3), D("0.000")]
    assert frame["previous_percent"].tolist() == [D("99.998"), D("0.000")]
