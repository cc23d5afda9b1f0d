"""Number formatting for published figures: filters over `rankings.formatting`.

In Vietnamese 106.331 prints as 106,331, 65.5 % as 65,5% and 4000 dossiers as 4.000; in
English as 106.331, 65.5% and 4,000. Values are never turned into floats.
"""

from django import template

from rankings import formatting
from rankings.printed import printed, written, written_signed

register = template.Library()

MINUS = formatting.MINUS


@register.filter
def points(value, places=3):
    """A score at a fixed number of decimals: 106,331."""
    return formatting.points(value, places)


@register.filter
def exact(value, places=4):
    """An exact figure with up to `places` decimals, trailing zeros dropped (49,8631; 90,479).

    Longer values are truncated, never rounded, so a printed mean is never above the truth.
    """
    return formatting.exact(value, places)


@register.filter
def percent(value, places=1):
    """A percent of maximum at the criteria set's precision: 65,5%."""
    return formatting.percent(value, places)


@register.filter
def count(value):
    """A count (dossiers, units, communes): no decimals, thousands grouped: 4.000."""
    return formatting.count(value)


@register.filter
def raw_value(value):
    """An indicator as entered: 102 (a count), 0,8 (a share), never padded with zeros."""
    return formatting.raw_value(value)


@register.filter
def signed(value, places=3):
    """A change with its sign: +4,650, −1,200, 0,000."""
    return formatting.signed(value, places)


@register.filter
def rank_change(value):
    """Places moved since last year as an arrow and a count: ▲2, ▼1, ＝."""
    if value is None or value != value:  # pandas NA compares unequal to itself
        return ""
    value = int(value)
    if value > 0:
        return f"▲{value}"
    if value < 0:
        return f"▼{-value}"
    return "="


@register.filter
def item(mapping, key):
    """`row|item:"group_1"`: a dict value whose key is built in the template."""
    return mapping.get(key) if mapping else None


@register.filter
def lowerfirst(value: str) -> str:
    """ "Khối UBND huyện" → "khối UBND huyện", keeping acronyms intact."""
    return value[:1].lower() + value[1:] if value else value


# Figures printed by their criteria set's rule (`rankings.printed`): rounded by the set's
# own mode to exactly its places, the same Decimal the files and the API carry.


@register.filter
def total(value, criteria_set):
    """A total, highest, lowest or spread by the set's totals rule: 141,6."""
    return written(value, printed(criteria_set).total)


@register.filter
def statistic(value, criteria_set):
    """A block mean or median by the set's statistics rule: 132,22; 49,8631."""
    return written(value, printed(criteria_set).statistic)


@register.filter
def signed_statistic(value, criteria_set):
    """The block mean's change by its rule (`Printed.mean_change`): +4,650."""
    return written_signed(value, printed(criteria_set).mean_change)


@register.filter
def signed_total(value, criteria_set):
    """A total's change by the set's totals rule: +2,2; −0,350."""
    return written_signed(value, printed(criteria_set).total)


@register.filter
def signed_percent(value, criteria_set):
    """A change in percent of maximum (percentage points) by the set's percents rule: +4,4."""
    return written_signed(value, printed(criteria_set).percent)


@register.filter
def percent_rule(value, criteria_set):
    """A percent of maximum not yet rounded (a block mean's) by the set's percents rule:
    77,61% for 77,6077…% under half up, as the leaderboard and the API give it."""
    rule = printed(criteria_set).percent
    return formatting.percent(rule(value), rule.places)
