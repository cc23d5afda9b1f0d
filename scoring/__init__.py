"""The pure scoring engine: criteria and inputs in, points, totals, ranks and stats out.

No Django, no database, no settings: frames and plain values only, exact to the
milli-point (a thousandth of a point) with no floats anywhere.
"""

from scoring.compare import compare_blocks, compare_years, is_comparable
from scoring.engine import Scorecard, compute
from scoring.explain import Explanation, explain
from scoring.inputs import inputs_from_records
from scoring.numbers import (
    decimals_to_milli,
    milli_to_decimal,
    percent_of,
    quantize,
    round_scaled,
    to_milli,
)
from scoring.stats import describe
from scoring.types import (
    Band,
    BandBasis,
    Problem,
    RankingRules,
    Rounding,
    RuleKind,
    ScoringInputError,
    TieMethod,
)

__all__ = [
    "Band",
    "BandBasis",
    "Explanation",
    "Problem",
    "RankingRules",
    "Rounding",
    "RuleKind",
    "Scorecard",
    "ScoringInputError",
    "TieMethod",
    "compare_blocks",
    "compare_years",
    "compute",
    "decimals_to_milli",
    "describe",
    "explain",
    "inputs_from_records",
    "is_comparable",
    "milli_to_decimal",
    "percent_of",
    "quantize",
    "round_scaled",
    "to_milli",
]
