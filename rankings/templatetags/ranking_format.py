"""Number formatting for published figures: exact decimals, the active locale's separators.

In Vietnamese 106.331 prints as 106,331 and 65.5 % as 65,5%; in English as 106.331 and
65.5%. Values are never turned into floats.
"""

from decimal import ROUND_DOWN, Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()

MINUS = "\u2212"


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except ArithmeticError:
        return None


@register.filter
def points(value, places=3):
    """A score at a fixed number of decimals: 106,331."""
    number = _decimal(value)
    if number is None:
        return "—"
    return number_format(number, decimal_pos=int(places), use_l10n=True)


@register.filter
def exact(value, places=4):
    """An exact figure with up to `places` decimals, trailing zeros dropped (49,8631; 90,479).

    Longer values are truncated, never rounded, so a printed mean is never above the truth.
    """
    number = _decimal(value)
    if number is None:
        return "—"
    shown = number.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_DOWN)
    shown = shown.normalize() if shown != shown.to_integral() else shown.quantize(Decimal(1))
    decimals = max(-shown.as_tuple().exponent, 0)
    return number_format(shown, decimal_pos=decimals, use_l10n=True)


@register.filter
def percent(value, places=1):
    """A percent of maximum: 65,5%."""
    number = _decimal(value)
    if number is None:
        return "—"
    return f"{number_format(number, decimal_pos=int(places), use_l10n=True)}%"


@register.filter
def signed(value, places=3):
    """A change with its sign: +4,650, −1,200, 0,000."""
    number = _decimal(value)
    if number is None:
        return "—"
    text = number_format(abs(number), decimal_pos=int(places), use_l10n=True)
    if number > 0:
        return f"+{text}"
    if number < 0:
        return f"{MINUS}{text}"
    return text


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
def figure(value, places=4):
    """A block figure (mean, median): at least thousandths, up to `places`, truncated."""
    number = _decimal(value)
    if number is None:
        return "—"
    shown = number.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_DOWN).normalize()
    decimals = min(max(-shown.as_tuple().exponent, 3), int(places))
    return number_format(shown, decimal_pos=decimals, use_l10n=True)


@register.filter
def lowerfirst(value: str) -> str:
    """ "Khối UBND huyện" → "khối UBND huyện", keeping acronyms intact."""
    return value[:1].lower() + value[1:] if value else value
