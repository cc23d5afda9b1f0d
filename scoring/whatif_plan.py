"""The cheapest way to the next rank or band: the fewest points, from the criteria with most left.

The points needed are exact (the gap to the score above, or to the band's minimum, at the
set's precision and rounding). They are drawn greedily from the criteria with the most
points left to gain (`scoring.explain`'s order); each rule is inverted to the raw input
that gives them, and the proposal is checked by running the engine on it, so what it
claims is what a recompute would publish.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from scoring.criteria import MAX_THRESHOLD, STEP_SHIFT, CriteriaTable, parse_criteria
from scoring.engine import Scorecard
from scoring.explain import explain
from scoring.numbers import MILLI, PLACES, milli_to_decimal, mul_div
from scoring.types import RankingRules, Rounding, RuleKind
from scoring.whatif import (
    RawInput,
    Record,
    Standing,
    band_thresholds,
    lowest_total_for,
    simulate,
    standing,
)

RETRIES = 4  # proposals topped up after a check that fell short (rounding at a boundary)


@dataclass(frozen=True)
class Step:
    """One criterion of a proposal: its points now and then, and the raw input for them."""

    criterion: str
    rule: RuleKind
    points_before: int
    points_after: int
    raw: RawInput


@dataclass(frozen=True)
class Plan:
    """A proposal for one goal ("rank" or "band"), checked by the engine."""

    goal: str
    target_rank: int | None
    target_band: str | None
    target_score: int  # the published score to reach, milli
    needed: int  # the fewest points to add, milli
    steps: tuple[Step, ...]
    result: Standing
    reached: bool


@dataclass(frozen=True)
class _Context:
    criteria: pd.DataFrame
    records: Sequence[Record]
    rules: RankingRules
    agency: object
    block: object
    table: CriteriaTable


def next_rank_target(card: Scorecard, me: Standing, agency: object) -> tuple[int, int] | None:
    """(score, rank) of the nearest better ranked score in the agency's block, if any."""
    if me.rank is None or me.rank == 1:
        return None
    results = card.results
    block = results.loc[results["agency"] == agency, "block"].iloc[0]
    peers = results[(results["block"] == block) & results["rank"].notna()]
    better = peers[peers["score"] > me.score]
    if better.empty:
        return None
    nearest = better[better["score"] == better["score"].min()].iloc[0]
    return int(nearest["score"]), int(nearest["rank"])


def next_band_target(me: Standing, rules: RankingRules, max_milli: int) -> tuple[int, str] | None:
    """(lowest score, label) of the next band above the agency's score, if any."""
    if me.rank is None:
        return None
    above = [(s, label) for s, label in band_thresholds(rules, max_milli) if s > me.score]
    return above[0] if above else None


def cheapest_plans(
    criteria: pd.DataFrame,
    records: Sequence[Record],
    rules: RankingRules,
    *,
    card: Scorecard,
    agency: object,
    block: object,
) -> dict[str, Plan | None]:
    """The proposals for the next rank and the next band (None: already there or unranked)."""
    me = standing(card, agency)
    table = parse_criteria(criteria, rules.rounding)
    context = _Context(criteria, records, rules, agency, block, table)
    max_milli = int(table.maxima.sum())
    plans: dict[str, Plan | None] = {"rank": None, "band": None}
    if rank_target := next_rank_target(card, me, agency):
        score, rank = rank_target
        plans["rank"] = _plan(context, card, me, "rank", score, rank=rank)
    if band_target := next_band_target(me, rules, max_milli):
        score, label = band_target
        plans["band"] = _plan(context, card, me, "band", score, band=label)
    return plans


def _plan(
    context: _Context,
    card: Scorecard,
    me: Standing,
    goal: str,
    score: int,
    *,
    rank: int | None = None,
    band: str | None = None,
) -> Plan:
    """Draw the points to `score`, check them with the engine, top up if short."""
    needed = lowest_total_for(score, context.rules) - me.total
    order = _most_left(card, context.criteria, context.agency)
    want = needed
    for _attempt in range(RETRIES):
        steps = _draw(context, me, order, want)
        changes = {step.criterion: step.raw for step in steps}
        result = simulate(
            context.criteria,
            context.records,
            context.rules,
            agency=context.agency,
            block=context.block,
            changes=changes,
        )
        reached = _reached(result, goal, rank, score)
        if reached or result.total >= me.total + sum(left for _, left in order):
            break
        want += max(lowest_total_for(score, context.rules) - result.total, 1)
    return Plan(goal, rank, band, score, needed, tuple(steps), result, reached)


def _reached(result: Standing, goal: str, rank: int | None, score: int) -> bool:
    if goal == "rank":
        return result.rank is not None and rank is not None and result.rank <= rank
    return result.rank is not None and result.score >= score


def _most_left(card: Scorecard, criteria: pd.DataFrame, agency: object) -> list[tuple[str, int]]:
    """(criterion, points left to gain) of the agency, most first (as the profile lists)."""
    left = explain(card, criteria, top_n=len(criteria)).attainable
    mine = left[left["agency"] == agency]
    return [(str(c), int(a)) for c, a in mine[["criterion", "attainable"]].to_numpy().tolist()]


def _draw(
    context: _Context, me: Standing, order: Iterable[tuple[str, int]], want: int
) -> list[Step]:
    """Criteria raised, most points left first, until `want` milli-points are gained."""
    steps: list[Step] = []
    current = _raw_inputs(context.records, context.agency)
    remaining = want
    for code, left in order:
        if remaining <= 0:
            break
        before = me.points[code]  # the card's points: every criterion of the agency
        goal = before + min(left, remaining)
        raw, after = invert(context, code, goal, current.get(code, RawInput()))
        if after <= before:
            continue
        steps.append(Step(code, _rule(context.table, code), before, after, raw))
        remaining -= after - before
    return steps


def _raw_inputs(records: Iterable[Record], agency: object) -> dict[str, RawInput]:
    """The agency's value and denominator per criterion (what the inversions start from;
    a choice is never read: every key is offered whatever was chosen)."""
    found = {}
    for r in records:
        if r["agency"] == agency:
            found[str(r["criterion"])] = RawInput(
                _decimal(r.get("value")), _decimal(r.get("denominator"))
            )
    return found


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _rule(table: CriteriaTable, code: str) -> RuleKind:
    from scoring.criteria import RULES

    return RULES[int(table.rule[table.codes.get_loc(code)])]


def invert(context: _Context, code: str, goal: int, now: RawInput) -> tuple[RawInput, int]:
    """The smallest raw input of `code` worth at least `goal` milli-points (or the most the
    rule gives when none is), and the points it is worth."""
    table = context.table
    column = int(table.codes.get_loc(code))
    maximum = int(table.maxima[column])
    goal = min(goal, maximum)
    rounding = context.rules.rounding
    kind = _rule(table, code)
    if kind == RuleKind.DIRECT:
        return RawInput(value=milli_to_decimal(goal)), goal
    if kind == RuleKind.RATIO:
        return _invert_ratio(now, goal, maximum, rounding)
    if kind == RuleKind.STEPS:
        return _invert_levels(_steps_of(table, column), goal, lambda t: RawInput(value=_dec(t)))
    if kind == RuleKind.CHOICE:
        levels = [(key, points) for key, points in table.choice_points[column].items()]
        return _invert_levels(levels, goal, lambda key: RawInput(choice=key))
    if kind == RuleKind.CAPPED:
        return _invert_capped(table, column, goal, rounding, whole=_whole(now.value))
    best = _best_value(context, code)
    return _invert_relative(best, goal, maximum, rounding, whole=_whole(now.value))


def _dec(milli: int) -> Decimal:
    return milli_to_decimal(milli)


def _whole(value: Decimal | None) -> bool:
    """Whether the input looks like a count (proposals then stay whole numbers)."""
    return value is None or value == value.to_integral_value()


def _up_to(milli: int, whole: bool) -> int:
    return -(-milli // MILLI) * MILLI if whole else milli


def _scaled(a: int, b: int, c: int, rounding: Rounding) -> int:
    return int(mul_div(np.array([a]), np.array([b]), c, rounding)[0])  # c > 0


def _fewest(goal: int, b: int, c: int, rounding: Rounding) -> int:
    """The smallest a >= 0 with `_scaled(a, b, c)` >= goal, for b > 0 (half up: a·b/c >=
    goal − ½)."""
    if goal <= 0:
        return 0
    if rounding == Rounding.HALF_UP:
        return -(-(2 * goal - 1) * c // (2 * b))
    return -(-goal * c // b)


def _invert_ratio(
    now: RawInput, goal: int, maximum: int, rounding: Rounding
) -> tuple[RawInput, int]:
    b = int(now.denominator.scaleb(PLACES)) if now.denominator else 100 * MILLI
    whole = _whole(now.value) and _whole(now.denominator)
    a = min(_up_to(_fewest(goal, maximum, b, rounding), whole), b)
    return RawInput(value=milli_to_decimal(a), denominator=milli_to_decimal(b)), _scaled(
        a, maximum, b, rounding
    )


def _steps_of(table: CriteriaTable, column: int) -> list[tuple[int, int]]:
    keys = table.step_keys
    mine = (keys >> STEP_SHIFT) == column
    pairs = np.stack([keys[mine] & MAX_THRESHOLD, table.step_points[mine]], axis=1)
    return [(threshold, points) for threshold, points in pairs.tolist()]


def _invert_levels[K](
    levels: Sequence[tuple[K, int]], goal: int, make: Callable[[K], RawInput]
) -> tuple[RawInput, int]:
    """The cheapest level (step or choice) worth at least `goal`, else the best one."""
    # Levels come lowest threshold (or first-listed choice) first: ties keep the first.
    enough = [level for level in levels if level[1] >= goal]
    if enough:
        key, points = min(enough, key=lambda level: level[1])
    else:
        key, points = max(levels, key=lambda level: level[1])
    return make(key), int(points)


def _invert_capped(
    table: CriteriaTable, column: int, goal: int, rounding: Rounding, *, whole: bool
) -> tuple[RawInput, int]:
    per_unit, cap = int(table.per_unit[column]), int(table.cap[column])
    goal = min(goal, cap)
    # With no points per unit no input gives any: 0 units (the planner skips it).
    units = _up_to(_fewest(goal, per_unit, MILLI, rounding), whole) if per_unit else 0
    return RawInput(value=milli_to_decimal(units)), min(
        _scaled(units, per_unit, MILLI, rounding), cap
    )


def _best_value(context: _Context, code: str) -> int:
    """The best value of `code` among the agency's peers: the block's, as the engine's."""
    values = [
        int(Decimal(str(r["value"])).scaleb(PLACES))
        for r in context.records
        if r["criterion"] == code
        and r["agency"] != context.agency
        and r["block"] == context.block
        and r.get("value") is not None
    ]
    return max(values, default=0)


def _invert_relative(
    best: int, goal: int, maximum: int, rounding: Rounding, *, whole: bool
) -> tuple[RawInput, int]:
    """Up to the best peer's value: beyond it the others' points would move too."""
    if best == 0:  # any value leads the block: the full maximum
        value = MILLI if whole else 1
        return RawInput(value=milli_to_decimal(value)), maximum
    value = min(_up_to(_fewest(goal, maximum, best, rounding), whole), best)
    return RawInput(value=milli_to_decimal(value)), _scaled(value, maximum, best, rounding)
