"""Chart builders take the table frames as the pages build them, gaps included."""

import pandas as pd

from rankings.public import charts

LABELS = {"percent": "% điểm tối đa", "rank": "Thứ hạng"}


def test_a_year_without_rank_is_a_gap_whatever_pandas_calls_missing():
    """An agency not ranked one year (rank pd.NA in a nullable column) used to crash the
    profile page: `pd.NA != pd.NA` has no truth value."""
    frame = pd.DataFrame(
        {
            "year": [2019, 2020, 2021],
            "percent": [61.5, 58.0, 70.25],
            "rank": pd.array([3, pd.NA, 1], dtype="Int64"),
            "count": [9, 9, 9],
        }
    )
    figure = charts.history_chart(frame, labels=LABELS)
    ranks = [trace.y for trace in figure.data if trace.legendgroup == "Thứ hạng"]
    assert [list(y) for y in ranks] == [[3, None, 1]]
    as_floats = frame.assign(rank=[3.0, float("nan"), None])
    ranks = [t.y for t in charts.history_chart(as_floats, labels=LABELS).data][1]
    assert list(ranks) == [3, None, None]
