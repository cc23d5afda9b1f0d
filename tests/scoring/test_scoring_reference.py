"""The whole engine against a slow, obviously-correct reference written here (hypothesis).

Criteria sets mix every rule kind in any order (so each rule's criteria sit anywhere in
the grid), interleave groups, mark some criteria required, and carry bands on points
and on percent at once. The reference computes each figure the plain way: one agency
and one criterion at a time, with Fractions, brute-force sums and `statistics.median`.
"""

import statistics
from decimal import Decimal
from fractions import Fraction
from math import floor

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scoring
from scoring import Band, BandBasis, RankingRules, Rounding, TieMethod

D = Decimal
SETTINGS = settings(
    max_examples=min(25, settings.default.max_examples),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)
RULE_KINDS = ["direct", "ratio", "steps", "choice", "capped", "relative"]
KEYS = ["a", "b", "c"]


def rounded(x: Fraction, rounding: Rounding) -> int:
    """x >= 0 to an integer: halves up, or toward zero."""
    return floor(x + Fraction(1, 2)) if rounding == Rounding.HALF_UP else floor(x)


def milli(value: int) -> Decimal:
    return D(value).scaleb(-3)


@st.composite
def criteria_sets(draw):
    n = draw(st.integers(1, 7))
    rows = []
    for i in range(n):
        kind = draw(st.sampled_from(RULE_KINDS))
        maximum = draw(st.integers(0, 20_000))
        params: dict = {}
        if kind == "steps":
            thresholds = draw(st.lists(st.integers(0, 10_000), min_size=1, max_size=4, unique=True))
            params = {
                "steps": [
                    [str(milli(t)), str(milli(draw(st.integers(0, maximum))))] for t in thresholds
                ]
            }
        elif kind == "choice":
            keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=3, unique=True))
            params = {"choices": {k: str(D(draw(st.integers(0, 10_000))).scaleb(-4)) for k in keys}}
        elif kind == "capped":
            params = {"per_unit": str(milli(draw(st.integers(0, 3_000))))}
            if draw(st.booleans()):
                params["cap"] = str(milli(draw(st.integers(0, maximum))))
        rows.append(
            {
                "criterion": f"{i + 1}",
                "group": draw(st.sampled_from(["g1", "g2", "g3"])),
                "subgroup": draw(st.sampled_from(["s1", "s2", None])),
                "max_points": milli(maximum),
                "rule": kind,
                "params": params,
                "required": draw(st.sampled_from([False, False, False, True, None])),
            }
        )
    if sum(row["max_points"] for row in rows) == 0:
        rows[0]["max_points"] = D(1)
        if rows[0]["rule"] == "capped" and "cap" in rows[0]["params"]:
            rows[0]["params"]["cap"] = "1"
    return rows


def value_of(draw, row: dict) -> dict:
    """One input row's fields for a criterion; sometimes left empty."""
    kind, params = row["rule"], row["params"]
    if draw(st.integers(0, 5)) == 0:
        return {}  # an empty row: scores 0
    if kind == "direct":
        return {"value": milli(draw(st.integers(0, int(row["max_points"] * 1000))))}
    if kind == "ratio":
        denominator = draw(st.integers(1, 5_000))
        return {
            "value": milli(draw(st.integers(0, denominator))),
            "denominator": milli(denominator),
        }
    if kind == "choice":
        return {"choice": draw(st.sampled_from(sorted(params["choices"])))}
    return {"value": milli(draw(st.integers(0, 12_000)))}


@st.composite
def cases(draw):
    criteria = draw(criteria_sets())
    n_agencies = draw(st.integers(1, 8))
    inputs = []
    for agency in range(n_agencies):
        block = draw(st.sampled_from(["x", "y"]))
        for row in criteria:
            if draw(st.integers(0, 4)) == 0:
                continue  # no row at all for this criterion
            inputs.append(
                {"agency": agency, "block": block, "criterion": row["criterion"]}
                | value_of(draw, row)
            )
    maximum = sum(row["max_points"] for row in criteria)
    minima = st.integers(0, int(maximum * 1000)).map(milli)
    percents = st.integers(0, 100_000).map(milli)
    bands = tuple(
        Band(f"band{i}", minimum, basis)
        for i, basis in enumerate(
            draw(st.lists(st.sampled_from([BandBasis.POINTS, BandBasis.PERCENT]), max_size=4))
        )
        for minimum in [draw(minima if basis == BandBasis.POINTS else percents)]
    )
    basis = draw(st.sampled_from(BandBasis))
    below = draw(st.none() | (minima if basis == BandBasis.POINTS else percents))
    rules = RankingRules(
        max_points=maximum,
        precision=draw(st.integers(0, 3)),
        rounding=draw(st.sampled_from(Rounding)),
        percent_precision=draw(st.integers(0, 3)),
        percent_rounding=draw(st.sampled_from(Rounding)),
        tie_method=draw(st.sampled_from(TieMethod)),
        bands=bands,
        not_ranked_below=below,
        not_ranked_basis=basis,
    )
    return criteria, inputs, rules


def to_m(value) -> int:
    return int(D(value) * 1000)


def reference_points(criteria: list[dict], inputs: list[dict], rounding: Rounding) -> dict:
    """(agency, criterion) -> milli-points, one cell at a time."""
    by_cell = {(row["agency"], row["criterion"]): row for row in inputs}
    agencies = sorted({row["agency"] for row in inputs})
    block_of = {row["agency"]: row["block"] for row in inputs}
    points = {}
    for c in criteria:
        code, kind, params, maximum = c["criterion"], c["rule"], c["params"], to_m(c["max_points"])
        for agency in agencies:
            row = by_cell.get((agency, code), {})
            value = None if row.get("value") is None else to_m(row["value"])
            got = 0
            if kind == "direct" and value is not None:
                got = value
            elif kind == "ratio" and value is not None:
                got = rounded(Fraction(value * maximum, to_m(row["denominator"])), rounding)
            elif kind == "steps" and value is not None:
                reached = [(to_m(t), to_m(p)) for t, p in params["steps"] if to_m(t) <= value]
                got = max(reached)[1] if reached else 0
            elif kind == "choice" and row.get("choice") is not None:
                share = Fraction(D(params["choices"][row["choice"]]))
                got = rounded(share * maximum, rounding)
            elif kind == "capped" and value is not None:
                cap = to_m(params.get("cap", c["max_points"]))
                got = min(rounded(Fraction(value * to_m(params["per_unit"]), 1000), rounding), cap)
            elif kind == "relative" and value is not None:
                best = max(
                    to_m(by_cell.get((other, code), {}).get("value") or 0)
                    for other in agencies
                    if block_of[other] == block_of[agency]
                )
                got = rounded(Fraction(value * maximum, best), rounding) if best else 0
            points[agency, code] = got
    return points


def reference_results(criteria, inputs, rules, points) -> list[dict]:
    maximum = to_m(rules.max_points)
    agencies = sorted({row["agency"] for row in inputs})
    block_of = {row["agency"]: row["block"] for row in inputs}
    step = 10 ** (3 - rules.precision)
    out = {}
    for agency in agencies:
        total = sum(points[agency, c["criterion"]] for c in criteria)
        score = rounded(Fraction(total, step), rules.rounding) * step
        reason = None
        if rules.not_ranked_below is not None and not reaches(
            score, rules.not_ranked_below, rules.not_ranked_basis, maximum
        ):
            unit = " points" if rules.not_ranked_basis == BandBasis.POINTS else "% of the maximum"
            reason = f"score below the minimum of {rules.not_ranked_below}{unit}"
        unmet = [
            c["criterion"] for c in criteria if c["required"] and not points[agency, c["criterion"]]
        ]
        if unmet:
            reason = f"criterion {unmet[0]} not met"
        reached = [
            (to_m(b.minimum) * (maximum if b.basis == BandBasis.PERCENT else 100_000), i, b.label)
            for i, b in enumerate(rules.bands)
            if reaches(score, b.minimum, b.basis, maximum)
        ]
        out[agency] = {
            "agency": agency,
            "block": block_of[agency],
            "total": total,
            "score": score,
            "percent_scaled": rounded(
                Fraction(total * 100 * 10**rules.percent_precision, maximum), rules.percent_rounding
            ),
            "rank": None,
            "band": max(reached)[2] if reached and reason is None else None,
            "not_ranked_reason": reason,
        }
    for row in out.values():
        if row["not_ranked_reason"] is not None:
            continue
        higher = {
            other["score"]
            for other in out.values()
            if other["block"] == row["block"]
            and other["not_ranked_reason"] is None
            and other["score"] > row["score"]
        }
        count = sum(
            1
            for other in out.values()
            if other["block"] == row["block"]
            and other["not_ranked_reason"] is None
            and other["score"] > row["score"]
        )
        row["rank"] = 1 + (len(higher) if rules.tie_method == TieMethod.DENSE else count)
    return sorted(
        out.values(),
        key=lambda r: (r["block"], r["rank"] is None, r["rank"] or 0, r["agency"]),
    )


def reaches(score: int, minimum, basis: BandBasis, maximum: int) -> bool:
    if basis == BandBasis.POINTS:
        return score >= to_m(minimum)
    return Fraction(score * 100, maximum) >= Fraction(D(minimum))


def run(criteria, inputs, rules) -> scoring.Scorecard:
    return scoring.compute(pd.DataFrame(criteria), scoring.inputs_from_records(inputs), rules)


@SETTINGS
@given(case=cases())
def test_points_results_groups_and_blocks_match_the_reference(case):
    criteria, inputs, rules = case
    card = run(criteria, inputs, rules)
    points = reference_points(criteria, inputs, rules.rounding)
    got = {
        (a, str(c)): int(p)
        for a, c, p in zip(
            card.points["agency"], card.points["criterion"], card.points["points"], strict=True
        )
    }
    assert got == points
    # The points frame lists each agency's criteria in the criteria frame's order.
    agencies = sorted({row["agency"] for row in inputs})
    assert list(zip(card.points["agency"], card.points["criterion"].astype(str), strict=True)) == [
        (a, c["criterion"]) for a in agencies for c in criteria
    ]
    results = card.results.astype({"rank": object}).to_dict("records")
    for row in results:
        row["rank"] = None if pd.isna(row["rank"]) else int(row["rank"])
        for key in ("total", "score", "percent_scaled"):
            row[key] = int(row[key])
    assert results == reference_results(criteria, inputs, rules, points)
    check_groups(card, criteria, inputs, points)
    check_blocks(card, rules)


def check_groups(card, criteria, inputs, points) -> None:
    """Group and subgroup subtotals are brute-force sums, for any criteria order."""
    for level, frame in (("group", card.groups), ("subgroup", card.subgroups)):
        names = list(dict.fromkeys(c[level] for c in criteria if c[level] is not None))
        expected = [
            (
                agency,
                name,
                sum(points[agency, c["criterion"]] for c in criteria if c[level] == name),
            )
            for agency in sorted({row["agency"] for row in inputs})
            for name in names
        ]
        got = list(
            zip(frame["agency"], frame[level].astype(str), frame["points"].tolist(), strict=True)
        )
        assert got == expected


def check_blocks(card, rules) -> None:
    """Block statistics as the statistics module computes them, with Fractions."""
    results = card.results
    maximum = to_m(rules.max_points)
    expected = []
    for block in sorted(set(results["block"])):
        rows = results[results["block"] == block]
        totals = [Fraction(int(t), 1000) for t in rows["total"]]
        expected.append(
            {
                "block": block,
                "count": len(totals),
                "ranked": int(rows["rank"].notna().sum()),
                "mean": statistics.mean(totals),
                "median": statistics.median(totals),
                "highest": max(totals),
                "lowest": min(totals),
                "spread": max(totals) - min(totals),
                "mean_percent": statistics.mean(totals) * 100_000 / maximum,
                "max_points": Fraction(maximum, 1000),
            }
        )
    got = [
        {k: (Fraction(v) if isinstance(v, Decimal) else v) for k, v in row.items()}
        for row in card.blocks.to_dict("records")
    ]
    # Decimals are exact where the figure terminates; means may be cut at 50 digits.
    for row, want in zip(got, expected, strict=True):
        for key in ("mean", "mean_percent"):
            assert abs(row.pop(key) - want.pop(key)) < Fraction(1, 10**40)
        assert row == want
