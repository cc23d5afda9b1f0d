"""What if an agency's raw inputs were different: its points, total, band and rank then.

Pure, like the rest of the engine: the block's input records (every peer's as published)
go through `compute` again with only this agency's rows replaced, so a criterion scored
against the best peer is re-normalised exactly as a real recompute would.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from scoring.engine import Scorecard, compute
from scoring.inputs import inputs_from_records
from scoring.numbers import PLACES
from scoring.types import BandBasis, RankingRules, Rounding

Record = Mapping[str, object]


@dataclass(frozen=True)
class RawInput:
    """One criterion's raw input: a (or the value), b of a ratio, or a choice."""

    value: Decimal | None = None
    denominator: Decimal | None = None
    choice: str | None = None


@dataclass(frozen=True)
class Standing:
    """An agency's figures in one (real or simulated) scorecard; ints are milli-points."""

    total: int
    score: int
    percent: Decimal
    rank: int | None
    band: str | None
    not_ranked_reason: str | None
    ranked: int  # agencies ranked in the block
    points: Mapping[str, int]  # criterion code -> milli-points


def with_changes(
    records: Iterable[Record], *, agency: object, block: object, changes: Mapping[str, RawInput]
) -> list[dict[str, object]]:
    """`records` with `agency`'s rows of the changed criteria replaced (or added)."""
    kept: list[dict[str, object]] = [
        dict(r) for r in records if not (r["agency"] == agency and r["criterion"] in changes)
    ]
    for code, raw in changes.items():
        kept.append(
            {
                "agency": agency,
                "block": block,
                "criterion": code,
                "value": raw.value,
                "denominator": raw.denominator,
                "choice": raw.choice or None,
            }
        )
    return kept


def scorecard(criteria: pd.DataFrame, records: Iterable[Record], rules: RankingRules) -> Scorecard:
    """The engine's scorecard of input records (ScoringInputError for invalid ones)."""
    return compute(criteria, inputs_from_records(records), rules)


def standing(card: Scorecard, agency: object) -> Standing:
    """`agency`'s figures in `card` (KeyError when it has no inputs there)."""
    results = card.results
    at = results.index[results["agency"] == agency]
    if not len(at):
        raise KeyError(agency)
    row = results.loc[at[0]]
    rank = row["rank"]
    own = card.points[card.points["agency"] == agency]
    block = results["block"] == row["block"]
    return Standing(
        total=int(row["total"]),
        score=int(row["score"]),
        percent=card.percent().loc[at[0]],
        rank=None if pd.isna(rank) else int(rank),
        band=row["band"],
        not_ranked_reason=row["not_ranked_reason"],
        ranked=int(results.loc[block, "rank"].notna().sum()),
        points={str(c): int(p) for c, p in own[["criterion", "points"]].to_numpy().tolist()},
    )


def simulate(
    criteria: pd.DataFrame,
    records: Iterable[Record],
    rules: RankingRules,
    *,
    agency: object,
    block: object,
    changes: Mapping[str, RawInput],
) -> Standing:
    """`agency`'s standing had its inputs been `changes`, every peer's staying as given."""
    changed = with_changes(records, agency=agency, block=block, changes=changes)
    return standing(scorecard(criteria, changed, rules), agency)


def band_thresholds(rules: RankingRules, max_milli: int) -> list[tuple[int, str]]:
    """(the lowest score in milli that reaches it, label) of each band, lowest first."""
    found = []
    for band in rules.bands:
        minimum = int(Decimal(band.minimum).scaleb(PLACES))
        if band.basis == BandBasis.POINTS:
            found.append((minimum, band.label))
        else:  # score × 100 >= minimum% × max, as scoring.ranking.reaches
            found.append((-(-minimum * max_milli // (100 * 1000)), band.label))
    return sorted(found)


def lowest_total_for(score: int, rules: RankingRules) -> int:
    """The lowest total (milli) whose published score (at the set's precision) is >= `score`."""
    step = int(10 ** (PLACES - rules.precision))  # precision <= PLACES: a whole number
    target = -(-score // step) * step  # published scores are multiples of the step
    if rules.rounding == Rounding.HALF_UP:
        return target - step // 2  # rounds half up to `target` (a step of 1: target itself)
    return target
