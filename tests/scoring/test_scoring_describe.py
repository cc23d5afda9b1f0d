"""`describe`: a published block's figures from its totals, exactly as `compute` gives them."""

from decimal import Decimal as D

import scoring


def test_describe_reproduces_the_2020_department_average_exactly():
    # Twenty totals summing to 997.262 → mean 49.8631 (QĐ 3192/QĐ-UBND).
    totals = [59984, 33407] + [50215] * 17 + [50216]
    assert sum(totals) == 997262
    figures = scoring.describe(totals, 63000)
    assert figures["mean"] == D("49.8631")
    assert (figures["highest"], figures["lowest"], figures["spread"]) == (
        D("59.984"),
        D("33.407"),
        D("26.577"),
    )
    assert figures["count"] == 20 and figures["max_points"] == D("63.000")


def test_describe_median_of_an_even_block_is_the_mean_of_the_middle_pair():
    assert scoring.describe([1000, 2000, 4000, 9000], 10000)["median"] == D("3")


def test_describe_an_empty_block_is_all_zero():
    figures = scoring.describe([], 10000)
    assert figures["count"] == 0 and figures["mean"] == 0


def test_describe_an_empty_block_lists_every_figure():
    assert scoring.describe([], 10000) == {
        "count": 0,
        "ranked": 0,
        "mean": 0,
        "median": 0,
        "highest": 0,
        "lowest": 0,
        "spread": 0,
        "mean_percent": 0,
        "max_points": D("10.000"),
    }


def test_describe_counts_ranked_totals_and_gives_plain_ints():
    figures = scoring.describe([3000, 1000, 2000], 4000, ranked=[1, 0, 1])
    assert figures == {
        "count": 3,
        "ranked": 2,
        "mean": D(2),
        "median": D(2),  # odd size: the middle total
        "highest": D("3.000"),
        "lowest": D("1.000"),
        "spread": D("2.000"),
        "mean_percent": D(50),
        "max_points": D("4.000"),
    }
    assert type(figures["count"]) is int and type(figures["ranked"]) is int
    every = scoring.describe([3000, 1000], 4000)
    assert (every["count"], every["ranked"]) == (2, 2)


def test_describe_takes_a_maximum_of_one_milli_point():
    assert scoring.describe([1], 1)["mean_percent"] == D(100)
