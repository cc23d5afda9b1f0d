"""How every published number is written: one place, used by the templates and the documents.

Scores keep the criteria set's decimals (106,331), percentages the set's percent precision
(65,5%), counts have no decimals and group thousands (180; 4.000). Vietnamese writes a
decimal comma and a thousands dot, English the reverse, both from Django's locale formats.
Values are Decimals, never floats, and are cut to their places, never rounded up: each
published figure is already rounded by its criteria set's own rule (the engine's totals and
percents; `rankings.printed` for block statistics and everything files and the API carry).
"""

from collections.abc import Callable
from decimal import ROUND_DOWN, Decimal
from typing import cast

from django.utils import dateformat, numberformat, timezone, translation
from django.utils.formats import get_format, number_format

DASH = "—"
MINUS = "\u2212"


def places_of(number: Decimal) -> int:
    """Digits after the point as written: 2 for 1.50, 0 for 7, -2 for 7E+2.

    Only for a finite number (NaN and infinities have a letter for an exponent).
    """
    return -cast(int, number.as_tuple().exponent)


def as_decimal(value) -> Decimal | None:
    """A Decimal, or None for a blank, NA or unreadable value."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return None if value.is_nan() else value
    if isinstance(value, float) and value != value:  # NaN, pandas NA as float
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return None
    return None if number.is_nan() else number


def _fixed(number: Decimal, places: int, *, grouping: bool = False) -> str:
    if not grouping:
        return number_format(number, decimal_pos=places, use_l10n=True)
    # Counts group thousands whatever the locale's NUMBER_GROUPING (Vietnamese has none).
    return numberformat.format(
        number,
        get_format("DECIMAL_SEPARATOR"),
        decimal_pos=places,
        grouping=3,
        thousand_sep=get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )


def points(value, places: int = 3) -> str:
    """A score at a fixed number of decimals: 106,331."""
    number = as_decimal(value)
    return DASH if number is None else _fixed(number, int(places))


def percent(value, places: int = 1) -> str:
    """A percent of maximum at the criteria set's precision: 65,5%; 77%.

    The engine already rounded it by the set's own rule; extra digits (a block mean's
    percent) are cut, never rounded up, as the published decisions print them.
    """
    number = as_decimal(value)
    if number is None:
        return DASH
    places = int(places)
    shown = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)
    return f"{_fixed(shown, places)}%"


def count(value) -> str:
    """A count of things (dossiers, communes, units): no decimals, thousands grouped: 4.000."""
    number = as_decimal(value)
    if number is None:
        return DASH
    if number != number.to_integral_value():
        return exact(number, 3)  # not a count after all: never hide its decimals
    return _fixed(number.to_integral_value(), 0, grouping=True)


def exact(value, places: int = 4) -> str:
    """Up to `places` decimals, trailing zeros dropped, truncated (49,8631; 90,479; 138)."""
    number = as_decimal(value)
    if number is None:
        return DASH
    shown = number.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_DOWN)
    shown = shown.normalize() if shown != shown.to_integral() else shown.quantize(Decimal(1))
    return _fixed(shown, max(places_of(shown), 0))


def signed(value, places: int = 3) -> str:
    """A change with its sign: +4,650, −1,200, 0,000."""
    number = as_decimal(value)
    if number is None:
        return DASH
    return with_sign(number, _fixed(abs(number), int(places)))


def with_sign(number, text: str) -> str:
    """`text` (the change's size, already written) with the change's sign: + or a true minus."""
    if number > 0:
        return f"+{text}"
    if number < 0:
        return f"{MINUS}{text}"
    return text


def raw_value(value) -> str:
    """An indicator as entered (102 dossiers, 0,8 of a share): its own decimals, no padding."""
    number = as_decimal(value)
    if number is None:
        return DASH
    if number == number.to_integral_value():
        return count(number)
    return exact(number, 6)


def fixed_writer(places: int) -> Callable[[Decimal], str]:
    """`points(value, places)` for a Decimal, made once for a whole table (issue #21).

    The same text as Django's `number_format` in the active language: the digits of
    `format(value, "f")` cut (never rounded) to `places`, the language's decimal separator,
    a value too small to show written as 0. Grouping is never on for these figures
    (`USE_THOUSAND_SEPARATOR` is off), so it is not written here.
    """
    separator = str(get_format("DECIMAL_SEPARATOR"))
    cutoff = Decimal("0." + "1".rjust(places, "0"))  # numberformat's: 0.1 for no places
    zero = "0" + (separator + "0" * places if places else "")

    def write(value: Decimal) -> str:
        if abs(value) < cutoff:
            return zero
        text = format(value, "f")
        sign = ""
        if text[0] == "-":
            sign, text = "-", text[1:]
        whole, _, decimals = text.partition(".")
        if not places:
            return sign + whole
        return sign + whole + separator + (decimals[:places] + "0" * places)[:places]

    return write


def _english() -> bool:
    return (translation.get_language() or "").startswith("en")


def day(value) -> str:
    """A date as the page's language writes it: 22/11/2021, or 22 November 2021 in English."""
    if not value:
        return DASH
    return dateformat.format(value, "j F Y" if _english() else "d/m/Y")


def moment(value) -> str:
    """A date and time in local time: 14:05 22/11/2021, or 22 November 2021, 14:05."""
    if not value:
        return DASH
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, "j F Y, H:i" if _english() else "H:i d/m/Y")
