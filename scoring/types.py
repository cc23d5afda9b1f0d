"""The vocabulary of a criteria set's rules, as plain immutable data."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal
from enum import StrEnum


class Rounding(StrEnum):
    """How a number is cut to fewer decimals (a rule of the criteria set)."""

    HALF_UP = "half_up"
    TRUNCATE = "truncate"


class RuleKind(StrEnum):
    """How a criterion's raw input becomes points."""

    DIRECT = "direct"  # points entered directly (value = points)
    RATIO = "ratio"  # value / denominator × max
    STEPS = "steps"  # points of the highest threshold <= value
    CHOICE = "choice"  # fraction of max for the chosen key
    CAPPED = "capped"  # min(value × per_unit, cap, max)
    RELATIVE = "relative"  # value / best value in the block × max


class BandBasis(StrEnum):
    """Whether a minimum is a percent of the maximum or a number of points."""

    PERCENT = "percent"
    POINTS = "points"


class TieMethod(StrEnum):
    """How equal scores share ranks: competition 1,2,2,4 or dense 1,2,2,3."""

    COMPETITION = "competition"
    DENSE = "dense"


@dataclass(frozen=True)
class Band:
    """A named classification (xếp loại) reached at `minimum` (inclusive)."""

    label: str
    minimum: Decimal
    basis: BandBasis = BandBasis.PERCENT


@dataclass(frozen=True)
class RankingRules:
    """The criteria set's rules for published numbers, ranks, bands and eligibility."""

    max_points: Decimal
    precision: int = 3
    rounding: Rounding = Rounding.HALF_UP
    percent_precision: int = 1
    percent_rounding: Rounding = Rounding.TRUNCATE
    tie_method: TieMethod = TieMethod.COMPETITION
    bands: tuple[Band, ...] = ()
    not_ranked_below: Decimal | None = None
    not_ranked_basis: BandBasis = BandBasis.POINTS


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the inputs, located as precisely as possible."""

    agency: Hashable | None
    criterion: str | None
    field: str
    value: object
    message: str
    # A stable word for the kind of problem ("above_maximum", "unknown_choice", …) and its
    # figures, so an application can say it in its own language; "" where none is given.
    code: str = ""
    detail: Mapping[str, object] = dataclass_field(default_factory=dict)

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"agency {self.agency}" if self.agency is not None else "",
                f"criterion {self.criterion}" if self.criterion is not None else "",
                self.field,
            )
            if part
        )
        return f"{where}: {self.message}"


class ScoringInputError(Exception):
    """Every problem found in one pass, so a user can fix them all at once."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(self._summary())

    def _summary(self) -> str:
        shown = "; ".join(str(p) for p in self.problems[:10])
        more = len(self.problems) - 10
        return shown + (f"; and {more} more" if more > 0 else "")
