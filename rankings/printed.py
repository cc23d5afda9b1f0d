"""At what precision each published figure prints: the one rule for pages, files and the API.

A criteria set holds three rules (places and rounding): totals (`precision`), percents of
maximum (`percent_precision`) and block statistics, the mean and median
(`statistics_precision`). Everything printed derives from them:

- totals, highest, lowest, spread and a total's change: the totals' rule (they are totals,
  or differences of two, exact at that precision: Vĩnh Phúc 2020 prints a spread of 26.577);
- percents, the block mean's percent: the percents' rule;
- mean and median: the statistics' rule (49.8631 for the same block);
- the mean's change: the statistics' rounding at the fewer of the two precisions
  (+4.650 beside a mean of 49.8631 and totals of 59.984);
- group subtotals and criterion points: the stored thousandths.

Values are rounded by the set's own mode (half up or cut), as Decimals, never floats; the
page then writes exactly `places` decimals, and files and the API carry the same Decimal.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import scoring
from rankings import formatting
from rankings.formatting import as_decimal

STORED_PLACES = 3


@dataclass(frozen=True)
class Rule:
    """A precision and a rounding mode: `Rule(2, "half_up")(132.21666…) == Decimal("132.22")`."""

    places: int
    rounding: str = scoring.Rounding.TRUNCATE

    def __call__(self, value) -> Decimal | None:
        number = as_decimal(value)
        if number is None or not number.is_finite():
            return None
        return scoring.quantize(number, self.places, scoring.Rounding(self.rounding))


STORED = Rule(STORED_PLACES)


@dataclass(frozen=True)
class Printed:
    """A criteria set's rules for every figure it publishes."""

    total: Rule
    percent: Rule
    statistic: Rule
    stored: Rule = STORED

    @property
    def mean_change(self) -> Rule:
        places = min(self.statistic.places, self.total.places)
        return Rule(places, self.statistic.rounding)


def printed(criteria_set) -> Printed:
    """The rules of `criteria_set` (a `CriteriaSet`, or anything with its six fields)."""
    return Printed(
        total=Rule(criteria_set.precision, criteria_set.rounding),
        percent=Rule(criteria_set.percent_precision, criteria_set.percent_rounding),
        statistic=Rule(criteria_set.statistics_precision, criteria_set.statistics_rounding),
    )


def maximum(value) -> Decimal | None:
    """A maximum as the pages print it: its thousandths without trailing zeros (138; 62.5)."""
    number = STORED(value)
    if number is None:
        return None
    return number.quantize(Decimal(1)) if number == number.to_integral() else number.normalize()


def written(value, rule: Rule) -> str:
    """`value` by `rule`, written for a page with exactly `rule.places` decimals: 132,22."""
    return formatting.points(rule(value), rule.places)


def written_signed(value, rule: Rule) -> str:
    """A change by `rule`, with its sign: +4,650; −0,3."""
    return formatting.signed(rule(value), rule.places)
