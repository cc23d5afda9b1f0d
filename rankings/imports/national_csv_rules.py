"""The rule checks of national CSV lines: which inputs a criterion's rule takes (a value, a
ratio's a and b, or a choice), and the engine's ranges. Each takes the reader's `refuse`."""

from __future__ import annotations

from django.utils.translation import gettext as _

import scoring
from rankings.imports.national_csv_types import NA_MILLI
from rankings.models import RuleKind

RULE_CODES = {kind: i for i, kind in enumerate(RuleKind.values)}


def _kinds_refused(refuse, code, rule, value, denominator, has_choice) -> None:
    """A value, denominator or choice given to a criterion of a rule that takes none."""
    ratio, choice = rule == RULE_CODES[RuleKind.RATIO], rule == RULE_CODES[RuleKind.CHOICE]
    refuse(
        choice & (value != NA_MILLI),
        "value",
        lambda row: (
            _("cần để trống: tiêu chí %(code)s là lựa chọn, ghi ở cột choice") % {"code": code(row)}
        ),
    )
    refuse(
        ~ratio & (denominator != NA_MILLI),
        "denominator",
        lambda row: _("cần để trống: tiêu chí %(code)s không phải tỉ lệ a/b") % {"code": code(row)},
    )
    refuse(
        ~choice & has_choice,
        "choice",
        lambda row: _("cần để trống: tiêu chí %(code)s không phải lựa chọn") % {"code": code(row)},
    )


def _ratio_halves_refused(refuse, code, rule, value, denominator) -> None:
    """A ratio given only one of its numerator a and denominator b."""
    ratio = rule == RULE_CODES[RuleKind.RATIO]
    has_value, has_denominator = value != NA_MILLI, denominator != NA_MILLI
    refuse(
        ratio & ~has_value & has_denominator,
        "value",
        lambda row: (
            _("cần tử số a của tỉ lệ %(code)s (ghi cả a và b, hoặc để trống cả hai)")
            % {"code": code(row)}
        ),
    )
    refuse(
        ratio & has_value & ~has_denominator,
        "denominator",
        lambda row: (
            _("cần mẫu số b của tỉ lệ %(code)s, lớn hơn 0 (ghi cả a và b, hoặc để trống cả hai)")
            % {"code": code(row)}
        ),
    )


def _ranges_refused(refuse, code, rule, maximum, value, denominator) -> None:
    """The engine's range checks: no negative value, at most the maximum or b, b above 0."""
    ratio = rule == RULE_CODES[RuleKind.RATIO]
    has_value, has_denominator = value != NA_MILLI, denominator != NA_MILLI
    refuse(has_value & (value < 0), "value", _("cần một số không âm"))
    refuse(
        (rule == RULE_CODES[RuleKind.DIRECT]) & has_value & (value > maximum),
        "value",
        lambda row: (
            _("cần tối đa %(maximum)s, điểm tối đa của tiêu chí %(code)s")
            % {"maximum": _plain(maximum[row]), "code": code(row)}
        ),
    )
    refuse(ratio & has_denominator & (denominator <= 0), "denominator", _("cần một số lớn hơn 0"))
    refuse(
        ratio & has_value & has_denominator & (value > denominator),
        "value",
        lambda row: _("cần tối đa bằng mẫu số b (%(b)s)") % {"b": _plain(denominator[row])},
    )


def _plain(milli: int) -> str:
    text = str(scoring.milli_to_decimal(int(milli)))
    return text.rstrip("0").rstrip(".") if "." in text else text
