"""The checks of a criteria set's RankingRules against its criteria, all reported at once."""

from __future__ import annotations

from scoring.criteria import CriteriaTable, max_total
from scoring.numbers import PLACES, milli_to_decimal, to_milli
from scoring.ranking import HUNDRED_PERCENT_MILLI
from scoring.types import BandBasis, Problem, RankingRules, ScoringInputError

# A billion points: scores × 100 000 (percent bands) then stay inside int64.
MAX_TOTAL_MILLI = 10**12


def check_rules(table: CriteriaTable, rules: RankingRules) -> int:
    """The criteria set's maximum in milli; raise ScoringInputError for any bad rule."""
    problems: list[Problem] = []
    summed = max_total(table)
    declared = _milli(problems, "max_points", rules.max_points)
    if declared is not None and declared != summed:
        problems.append(
            Problem(
                None,
                None,
                "max_points",
                rules.max_points,
                f"maximum {milli_to_decimal(declared)} does not equal the sum of the "
                f"criteria maxima {milli_to_decimal(summed)}",
            )
        )
    if summed <= 0:
        problems.append(Problem(None, None, "max_points", summed, "maximum must be above 0"))
    if summed > MAX_TOTAL_MILLI:
        problems.append(
            Problem(
                None,
                None,
                "max_points",
                summed,
                f"maximum {milli_to_decimal(summed)} is above {milli_to_decimal(MAX_TOTAL_MILLI)}",
            )
        )
    for field in ("precision", "percent_precision"):
        places = getattr(rules, field)
        if not 0 <= places <= PLACES:
            problems.append(Problem(None, None, field, places, f"{field} must be 0 to {PLACES}"))
    if rules.not_ranked_below is not None:
        basis = rules.not_ranked_basis
        _minimum(problems, "not_ranked_below", rules.not_ranked_below, basis, summed)
    for band in rules.bands:
        _minimum(problems, f"band '{band.label}'", band.minimum, band.basis, summed)
    if problems:
        raise ScoringInputError(problems)
    return summed


def _milli(problems: list[Problem], field: str, value: object) -> int | None:
    try:
        milli: int | None = to_milli(value)  # type: ignore[call-overload]  # any value: to_milli refuses a wrong type with TypeError, caught here
        return milli
    except (TypeError, ValueError) as error:
        problems.append(Problem(None, None, field, value, str(error)))
        return None


def _minimum(
    problems: list[Problem], field: str, value: object, basis: BandBasis, max_milli: int
) -> None:
    """A threshold must lie between 0 and the maximum (points) or 100 (percent)."""
    minimum = _milli(problems, field, value)
    top = max_milli if basis == BandBasis.POINTS else HUNDRED_PERCENT_MILLI
    if minimum is not None and not 0 <= minimum <= top:
        unit = "points" if basis == BandBasis.POINTS else "percent"
        problems.append(
            Problem(
                None,
                None,
                field,
                value,
                f"minimum {value} must be between 0 and {milli_to_decimal(top)} {unit}",
            )
        )
