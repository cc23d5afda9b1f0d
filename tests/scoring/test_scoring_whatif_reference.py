"""The planner against brute force: each rule inverted by trying every input, plans redone
by a slow greedy from obviously-correct parts (milli-points throughout).

Inputs are tried one milli apart (or one unit apart when the agency's input is a whole
number: proposals stay whole then), lowest first; the reference keeps the input with the
fewest points that reach the goal (the lowest of equal points), else the one worth most.
"""

from decimal import Decimal
from fractions import Fraction
from math import ceil, floor

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import Band, BandBasis, RankingRules, Rounding, RuleKind
from scoring.criteria import parse_criteria
from scoring.numbers import quantize
from scoring.whatif import RawInput, scorecard, simulate, standing
from scoring.whatif_plan import Plan, Step, _Context, cheapest_plans, invert

D = Decimal
FRACTIONS = ["0", "0.25", "0.333", "0.5", "0.75", "1"]
PER_UNIT = ["0.5", "1", "2", "0.333", "1.5"]


def milli(units: Decimal | None) -> int | None:
    return None if units is None else int(units * 1000)


def rounded(x: Fraction, rounding: Rounding) -> int:
    return floor(x + Fraction(1, 2)) if rounding == Rounding.HALF_UP else floor(x)


def ref_points(spec: dict, raw: RawInput, best_peer: int, rounding: Rounding) -> int:
    """What the rule gives `raw` (a peer's best value for relative), from its definition."""
    kind, maximum = spec["rule"], spec["max"]
    value = milli(raw.value)
    if kind == "choice":
        fraction = spec["choices"].get(raw.choice)
        return 0 if fraction is None else rounded(Fraction(fraction) * maximum, rounding)
    if value is None:
        return 0
    if kind == "direct":
        return value
    if kind == "ratio":
        b = milli(raw.denominator)
        return rounded(Fraction(min(value, b) * maximum, b), rounding)
    if kind == "steps":
        reached = [(t, p) for t, p in spec["steps"] if t <= value]
        return max(reached)[1] if reached else 0
    if kind == "capped":
        return min(rounded(Fraction(value * spec["per_unit"], 1000), rounding), spec["cap"])
    best = max(best_peer, value)  # relative
    return 0 if best == 0 else rounded(Fraction(value * maximum, best), rounding)


def candidates(spec: dict, now: RawInput, best_peer: int) -> list[RawInput]:
    """Every input the planner may propose, lowest first."""
    kind = spec["rule"]
    if kind == "choice":
        return [RawInput(choice=key) for key in spec["choices"]]
    whole = now.value is None or now.value == int(now.value)
    if kind == "ratio":
        b = milli(now.denominator) or 100_000
        whole = whole and b % 1000 == 0
        tried = [*range(0, b + 1, 1000 if whole else 1), b]
        return [RawInput(D(a) / 1000, D(b) / 1000) for a in tried]
    if kind == "steps":
        top = max(t for t, _ in spec["steps"])
        return [RawInput(D(v) / 1000) for v in range(top + 1)]
    step = 1000 if whole else 1
    if kind == "direct":
        return [RawInput(D(v) / 1000) for v in range(0, spec["max"] + 1)]
    if kind == "capped":
        top = ceil(Fraction(spec["cap"] * 1000, spec["per_unit"]))
        return [RawInput(D(v) / 1000) for v in range(0, top + step, step)]
    # relative: up to the best peer's value (beyond it the peers' points move)
    # (with no peer above 0, the smallest value above 0 leads the block)
    tried = [*range(0, best_peer + 1, step), best_peer] if best_peer else [0, step]
    return [RawInput(D(v) / 1000) for v in tried]


def ref_invert(spec, goal, now, best_peer, rounding) -> tuple[RawInput, int]:
    goal = min(goal, spec["max"])
    tried = [
        (ref_points(spec, raw, best_peer, rounding), i, raw)
        for i, raw in enumerate(candidates(spec, now, best_peer))
    ]
    enough = [t for t in tried if t[0] >= goal]
    points, _, raw = min(enough) if enough else max(tried, key=lambda t: (t[0], -t[1]))
    return raw, points


@st.composite
def criterion(draw, code: str) -> dict:
    kind = draw(st.sampled_from([str(k) for k in RuleKind]))
    maximum = draw(st.integers(2, 10)) * 500
    spec = {"code": code, "rule": kind, "max": maximum, "params": {}}
    if kind == "steps":
        thresholds = draw(st.lists(st.integers(0, 10), min_size=1, max_size=3, unique=True))
        pairs = [(t * 500, draw(st.integers(0, maximum // 250)) * 250) for t in thresholds]
        spec["steps"] = sorted(pairs)
        spec["params"] = {"steps": [[str(D(t) / 1000), str(D(p) / 1000)] for t, p in pairs]}
    elif kind == "choice":
        keys = draw(st.lists(st.sampled_from("abcd"), min_size=1, max_size=3, unique=True))
        spec["choices"] = {k: draw(st.sampled_from(FRACTIONS)) for k in keys}
        spec["params"] = {"choices": dict(spec["choices"])}
    elif kind == "capped":
        per_unit = draw(st.sampled_from(PER_UNIT))
        cap = draw(st.one_of(st.none(), st.integers(1, maximum // 250).map(lambda c: c * 250)))
        spec["per_unit"], spec["cap"] = milli(D(per_unit)), maximum if cap is None else cap
        spec["params"] = {"per_unit": per_unit} | (
            {} if cap is None else {"cap": str(D(cap) / 1000)}
        )
    return spec


def frame_rows(specs: list[dict]) -> list[tuple]:
    return [(s["code"], str(D(s["max"]) / 1000), s["rule"], s["params"]) for s in specs]


HALVES = st.integers(0, 16).map(lambda h: D(h) / 2)


@st.composite
def raw_input(draw, spec: dict) -> RawInput:
    """A valid input of the criterion: whole, halves, or empty."""
    kind = spec["rule"]
    if kind == "choice":
        return RawInput(choice=draw(st.one_of(st.none(), st.sampled_from(list(spec["choices"])))))
    if kind == "ratio":
        b = draw(st.one_of(st.none(), st.integers(1, 20).map(lambda h: D(h) / 2)))
        if b is None:
            return RawInput()
        return RawInput(draw(st.one_of(st.none(), HALVES.filter(lambda v: v <= b))), b)
    if kind == "direct":
        return RawInput(
            draw(st.one_of(st.none(), HALVES.filter(lambda v: v * 1000 <= spec["max"])))
        )
    return RawInput(draw(st.one_of(st.none(), HALVES)))


def records_of(agency: str, block: str, specs: list[dict], inputs: dict) -> list[dict]:
    return [
        {
            "agency": agency,
            "block": block,
            "criterion": s["code"],
            "value": inputs[s["code"]].value,
            "denominator": inputs[s["code"]].denominator,
            "choice": inputs[s["code"]].choice,
        }
        for s in specs
    ]


@st.composite
def one_criterion(draw):
    spec = draw(criterion("2"))
    now = draw(raw_input(spec))
    peers = draw(st.lists(raw_input(spec), max_size=2))
    far = draw(raw_input(spec))  # a peer of another block: never the best to reach
    rounding = draw(st.sampled_from(list(Rounding)))
    goal = draw(st.integers(1, spec["max"] + 1000))
    return spec, now, peers, far, rounding, goal


@settings(max_examples=min(200, settings.default.max_examples * 2), deadline=None)
@given(case=one_criterion())
def test_invert_is_the_cheapest_input_found_by_trying_them_all(make, case):
    spec, now, peers, far, rounding, goal = case
    first = {"code": "1", "rule": "direct", "max": 1000, "params": {}}  # not column 0
    specs = [first, spec]
    records = (
        [r for i, raw in enumerate(peers) for r in records_of(f"p{i}", "x", [spec], {"2": raw})]
        + records_of("far", "y", [spec], {"2": far})
        + records_of("me", "x", [spec], {"2": now})
    )
    criteria = make.criteria(frame_rows(specs))
    rules = RankingRules(max_points=sum(criteria["max_points"], D(0)), rounding=rounding)
    at = _Context(criteria, records, rules, "me", "x", parse_criteria(criteria, rounding))
    best_peer = max((milli(p.value) or 0 for p in peers), default=0)
    expected = ref_invert(spec, goal, now, best_peer, rounding)
    raw, points = invert(at, "2", goal, now)
    assert points == expected[1]
    if points:  # (an input worth nothing may be any: the planner never proposes one)
        assert raw == expected[0]
    # and the engine agrees, with the peers as they are
    after = simulate(criteria, records, rules, agency="me", block="x", changes={"2": raw})
    assert after.points["2"] == points


# --- whole plans ---------------------------------------------------------------------


def published(total: int, rules: RankingRules) -> int:
    return int(quantize(D(total) / 1000, rules.precision, rules.rounding) * 1000)


def ref_needed(score: int, total: int, rules: RankingRules) -> int:
    """The fewest points from `total` whose published score is at least `score`."""
    lowest = next(t for t in range(score - 1000, score + 1000) if published(t, rules) >= score)
    return lowest - total


def ref_targets(card, agency, rules, max_milli):
    me = standing(card, agency)
    if me.rank is None:
        return None, None
    results = card.results
    block = results.loc[results["agency"] == agency, "block"].iloc[0]
    peers = [
        (int(s), int(r))
        for b, s, r in zip(results["block"], results["score"], results["rank"], strict=True)
        if b == block and not pd.isna(r) and int(s) > me.score
    ]
    rank = min(peers) if peers else None
    thresholds = []
    for band in rules.bands:
        if band.basis == BandBasis.POINTS:
            lowest = int(band.minimum * 1000)
        else:
            lowest = ceil(Fraction(band.minimum) * max_milli / 100)
        if lowest > me.score:
            thresholds.append((lowest, band.label))
    return rank, min(thresholds) if thresholds else None


def ref_plan(specs, criteria, records, rules, card, agency, goal, score, rank=None, band=None):
    me = standing(card, agency)
    by_code = {s["code"]: s for s in specs}
    current = {str(r["criterion"]): r for r in records if r["agency"] == agency}
    now = {
        code: RawInput(r.get("value"), r.get("denominator"), r.get("choice") or None)
        for code, r in current.items()
    }
    left = sorted(
        ((-(s["max"] - me.points.get(s["code"], 0)), int(s["code"])) for s in specs),
    )
    order = [(str(code), -minus) for minus, code in left if minus < 0]
    needed = ref_needed(score, me.total, rules)
    want = needed
    for _ in range(4):
        steps, remaining = [], want
        for code, points_left in order:
            if remaining <= 0:
                break
            before = me.points.get(code, 0)
            best_peer = max(
                (
                    milli(r["value"]) or 0
                    for r in records
                    if r["criterion"] == code and r["agency"] != agency and r["block"] == "x"
                ),
                default=0,
            )
            raw, after = ref_invert(
                by_code[code],
                before + min(points_left, remaining),
                now.get(code, RawInput()),
                best_peer,
                rules.rounding,
            )
            if after > before:
                steps.append(Step(code, RuleKind(by_code[code]["rule"]), before, after, raw))
                remaining -= after - before
        changes = {s.criterion: s.raw for s in steps}
        result = simulate(criteria, records, rules, agency=agency, block="x", changes=changes)
        if goal == "rank":
            reached = result.rank is not None and result.rank <= rank
        else:
            reached = result.rank is not None and result.score >= score
        if reached or result.total >= me.total + sum(p for _, p in order):
            break
        want += max(needed + me.total - result.total, 1)
    return Plan(goal, rank, band, score, needed, tuple(steps), result, reached)


@st.composite
def world(draw):
    specs = [draw(criterion(str(code))) for code in range(1, draw(st.integers(2, 4)) + 1)]
    agencies = ["me", *[f"p{i}" for i in range(draw(st.integers(1, 3)))]]
    inputs = {a: {s["code"]: draw(raw_input(s)) for s in specs} for a in agencies}
    far = {s["code"]: draw(raw_input(s)) for s in specs}
    precision = draw(st.integers(1, 3))
    rounding = draw(st.sampled_from(list(Rounding)))
    bands = draw(
        st.sampled_from(
            [(), (Band("Tốt", D(80)), Band("Khá", D(50))), (Band("Đạt", D("1.5"), "points"),)]
        )
    )
    return specs, inputs, far, precision, rounding, bands


@settings(max_examples=min(60, settings.default.max_examples), deadline=None)
@given(case=world())
def test_plans_equal_a_slow_greedy_from_brute_force_parts(make, case):
    specs, inputs, far, precision, rounding, bands = case
    records = [r for a, own in inputs.items() for r in records_of(a, "x", specs, own)]
    records += records_of("far", "y", specs, far)
    criteria = make.criteria(frame_rows(specs))
    max_milli = sum(s["max"] for s in specs)
    rules = RankingRules(
        max_points=D(max_milli) / 1000, precision=precision, rounding=rounding, bands=bands
    )
    card = scorecard(criteria, records, rules)
    plans = cheapest_plans(criteria, records, rules, card=card, agency="me", block="x")
    rank, band = ref_targets(card, "me", rules, max_milli)
    expected = {
        "rank": rank and ref_plan(specs, criteria, records, rules, card, "me", "rank", *rank),
        "band": band
        and ref_plan(specs, criteria, records, rules, card, "me", "band", band[0], band=band[1]),
    }
    for goal in ("rank", "band"):
        got, want = plans[goal], expected[goal]
        assert (got is None) == (want is None), goal
        if got is not None:
            assert got.steps == want.steps, goal
            assert got == want, goal
    for plan in filter(None, plans.values()):
        # what a plan claims of each criterion is what the engine gives its inputs
        assert {
            s.criterion: s.points_after for s in plan.steps
        }.items() <= plan.result.points.items()
