"""A criterion's scoring rule written as a decision's annex writes it, to the engine's params.

    ""  or "trực tiếp"                   direct: the council gives the points
    "a/b" or "tỷ lệ"                     ratio: a/b × maximum
    "4:20; 3:15; 2:10; 1:5"              steps: at least 4 → 20 points, 3 → 15 …
    "Chủ tịch:1; Phó Chủ tịch:0,5; Không:0"   choice: fractions of the maximum (or points,
                                         when any value is above 1)
    "1/ứng dụng; tối đa 5"               capped: 1 point a unit, at most 5
    "so với đơn vị cao nhất"             relative: value / best value among peers × maximum

`=` may replace `:`, and a decimal comma is read as a point. `rule_text` writes the rule
back in the same form, so an annex can be exported and imported again unchanged.
"""

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from agencies.names import name_key

EXAMPLES = "4:20; 3:15 · Chủ tịch:1; Phó:0,5; Không:0 · a/b · 1/ứng dụng; tối đa 5 · trực tiếp"
_DIRECT = {"", name_key("trực tiếp"), name_key("chấm trực tiếp"), name_key("hội đồng chấm")}
_RATIO = {name_key("a/b"), name_key("tỷ lệ"), name_key("tỉ lệ"), name_key("a/b × điểm tối đa")}
_RELATIVE = {name_key("so với đơn vị cao nhất"), name_key("tương đối")}
_CAPPED = re.compile(r"^\s*([\d.,]+)\s*(?:điểm)?\s*/\s*[^;]+?(?:;\s*tối đa\s*([\d.,]+))?\s*$", re.I)


class RuleError(ValueError):
    """A rule text that cannot be read, with the Vietnamese reason."""


def _number(text: str) -> Decimal:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise RuleError(_("“%(t)s” không phải số") % {"t": text.strip()}) from None
    if not value.is_finite() or value < 0:
        raise RuleError(_("“%(t)s” không phải số không âm") % {"t": text.strip()})
    return value


def _plain(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text


def parse_rule(text: str, maximum: Decimal) -> tuple[str, dict]:
    """(rule kind, params) for the engine, or RuleError saying what is wrong."""
    text = " ".join(str(text or "").split())
    key = name_key(text)
    if key in _DIRECT:
        return "direct", {}
    if key in _RATIO:
        return "ratio", {}
    if key in _RELATIVE:
        return "relative", {}
    if capped := _CAPPED.match(text):
        per_unit = _number(capped.group(1))
        cap = _number(capped.group(2)) if capped.group(2) else maximum
        if cap > maximum:
            raise RuleError(
                _("mức tối đa %(c)s lớn hơn điểm tối đa %(m)s")
                % {"c": _plain(cap), "m": _plain(maximum)}
            )
        return "capped", {"per_unit": _plain(per_unit), "cap": _plain(cap)}
    parts = [p.strip() for p in re.split(r"[;\n]", text) if p.strip()]
    pairs = []
    for part in parts:
        found = re.match(r"^(.+?)\s*[:=]\s*([^:=]+)$", part)
        if not found:
            raise RuleError(
                _("không hiểu cách chấm “%(t)s”; viết theo mẫu: %(e)s") % {"t": text, "e": EXAMPLES}
            )
        pairs.append((found.group(1).strip(), _number(found.group(2))))
    if all(_is_number(k) for k, _v in pairs):
        return "steps", _steps(pairs, maximum)
    if any(_is_number(k) for k, _v in pairs):
        raise RuleError(_("bảng bậc và lựa chọn lẫn nhau trong “%(t)s”") % {"t": text})
    return "choice", _choices(pairs, maximum)


def _is_number(text: str) -> bool:
    return re.fullmatch(r"\d+(?:[.,]\d+)?", text.strip()) is not None


def _steps(pairs, maximum) -> dict:
    thresholds = [_number(k) for k, _v in pairs]
    if len(set(thresholds)) != len(thresholds):
        raise RuleError(_("bảng bậc có mức trùng nhau"))
    for _k, points in pairs:
        if points > maximum:
            raise RuleError(
                _("bậc %(p)s điểm lớn hơn điểm tối đa %(m)s")
                % {"p": _plain(points), "m": _plain(maximum)}
            )
    return {"steps": [[_plain(t), _plain(p)] for t, (_k, p) in zip(thresholds, pairs, strict=True)]}


def _choices(pairs, maximum) -> dict:
    keys = [name_key(k) for k, _v in pairs]
    if len(set(keys)) != len(keys):
        raise RuleError(_("lựa chọn trùng tên"))
    as_points = any(v > 1 for _k, v in pairs)
    choices = {}
    for label, value in pairs:
        if as_points and value > maximum:
            raise RuleError(
                _("lựa chọn “%(k)s” %(p)s điểm lớn hơn điểm tối đa %(m)s")
                % {"k": label, "p": _plain(value), "m": _plain(maximum)}
            )
        fraction = value / maximum if as_points else value
        choices[label] = _plain(fraction)
    return {"choices": choices}


def rule_text(rule: str, params: dict) -> str:
    """The readable form of a stored rule (the inverse of `parse_rule`)."""
    if rule == "steps":
        return "; ".join(f"{t}:{p}".replace(".", ",") for t, p in params.get("steps", []))
    if rule == "choice":
        return "; ".join(f"{k}:{v}".replace(".", ",") for k, v in params.get("choices", {}).items())
    if rule == "capped":
        return f"{params.get('per_unit')}/đơn vị; tối đa {params.get('cap')}".replace(".", ",")
    return {"ratio": "a/b", "relative": "so với đơn vị cao nhất"}.get(rule, "trực tiếp")
