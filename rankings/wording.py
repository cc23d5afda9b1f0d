"""Words the pages show for things stored as codes or in one language.

Choice keys of a criterion ("chair", "deputy", "none") are data of the criteria set: a set
may name them in its params (`labels`, `labels_en`); common keys have words of our own.
Blocks and bands carry an English name beside the Vietnamese one (`name_en`, `label_en`),
used in English mode when filled in. Engine problems are said by their code, with their
figures, rather than by matching the engine's English sentence.
"""

from collections.abc import Mapping

from django.utils import translation
from django.utils.functional import lazy
from django.utils.html import conditional_escape, format_html
from django.utils.translation import gettext_lazy as _

from rankings import formatting

COMMON_CHOICES = {
    "chair": _("Bí thư hoặc Chủ tịch"),
    "deputy": _("Phó Chủ tịch"),
    "none": _("Không có"),
    "yes": _("Có"),
    "no": _("Không"),
    "full": _("Đầy đủ"),
    "partial": _("Một phần"),
}


def _english() -> bool:
    return (translation.get_language() or "").startswith("en")


def choice_label(params: Mapping | None, key: str) -> str:
    """What a choice key means, in the page's language: the set's own words first."""
    params = params or {}
    if _english() and key in (params.get("labels_en") or {}):
        return str(params["labels_en"][key])
    own = params.get("labels") or {}
    if key in own and not (_english() and key in COMMON_CHOICES):
        return str(own[key])
    if key in COMMON_CHOICES:
        return str(COMMON_CHOICES[key])
    return key


def choice_list(params: Mapping | None, keys) -> str:
    """ "chair (Bí thư hoặc Chủ tịch), deputy (Phó Chủ tịch)": each key a file may hold,
    with its words when it has any."""
    shown = []
    for key in keys:
        label = choice_label(params, key)
        shown.append(key if label == key else f"{key} ({label})")
    return ", ".join(shown)


def local_name(thing) -> str:
    """A block's, band's, group's, criterion's or criteria set's name in the page's language:
    its English field (`name_en`, `label_en`) in English mode when filled in, else its own."""
    if thing is None:
        return ""
    field = thing.get if isinstance(thing, Mapping) else lambda name: getattr(thing, name, None)
    own = field("name")
    if own is None:
        own = field("label") or ""
    if _english():
        english = field("name_en") or field("label_en")
        if english and english == english:  # a frame's missing value is NaN
            return str(english)
    return str(own)


def vi_marked(value) -> str:
    """A Vietnamese proper name or data value, marked `lang="vi"` inside an English page
    (escaped HTML either way)."""
    if _english() and value not in (None, ""):
        return format_html('<span lang="vi">{}</span>', value)
    return conditional_escape("" if value is None else value)


def cycle_marked(cycle) -> str:
    """ "Vĩnh Phúc · Provincial departments · 2023" with the province marked as Vietnamese."""
    if not _english():
        return conditional_escape(str(cycle))
    return format_html(
        '<span lang="vi">{}</span> · {} · {}', cycle.province, block_name(cycle.block), cycle.year
    )


def block_name(block) -> str:
    """The block's name; its English name in English mode when it has one."""
    return block.name_en if _english() and getattr(block, "name_en", None) else block.name


def criteria_set_name(criteria_set) -> str:
    """The set's name; in English mode the English name the system gave it, if any.

    Names the system generates (a year's copy, published totals, a copy) are stored in
    both languages (`criteria_set_names`); a name someone typed stays as they typed it.
    """
    english = getattr(criteria_set, "name_en", "")
    return english if _english() and english else criteria_set.name


YEAR_SET = _("Bộ tiêu chí %(block)s tỉnh %(province)s năm %(year)s")
TOTALS_SET = _("Bảng tổng điểm đã công bố — %(block)s tỉnh %(province)s (tối đa %(max)s điểm)")
COPIED_SET = _("%(name)s (bản sao)")


def criteria_set_names(template, *, block=None, max_points=None, source=None, **parts) -> dict:
    """`name` (Vietnamese) and `name_en` of a criteria set the system names, from one of the
    templates above: each language with the block's own name and its own number format."""
    names = {}
    for field, language in (("name", "vi"), ("name_en", "en")):
        words = dict(parts)
        if block is not None:
            vietnamese = block.name[:1].lower() + block.name[1:]
            words["block"] = vietnamese if language == "vi" else (block.name_en or block.name)
        if max_points is not None:
            text = f"{max_points.normalize():f}"
            words["max"] = text.replace(".", ",") if language == "vi" else text
        if source is not None:
            words["name"] = source.name if language == "vi" else criteria_set_name_en(source)
        with translation.override(language):
            names[field] = str(template) % words
    return names


def criteria_set_name_en(criteria_set) -> str:
    return getattr(criteria_set, "name_en", "") or criteria_set.name


def band_label(band) -> str:
    return band.label_en if _english() and getattr(band, "label_en", None) else band.label


def band_words(*, criteria_set) -> dict[str, str]:
    """Published band labels (stored in Vietnamese on each result) → the page's words.

    Empty in Vietnamese mode, so the page shows the label itself and runs no query.
    """
    if not _english():
        return {}
    pairs = criteria_set.bands.values_list("label", "label_en")
    return {label: english for label, english in pairs if english}


PROBLEMS = {
    "above_maximum": _("giá trị %(value)s vượt điểm tối đa %(maximum)s"),
    "above_denominator": _("tử số (a) %(value)s lớn hơn mẫu số (b) %(denominator)s"),
    "denominator_not_positive": _("mẫu số (b) phải lớn hơn 0"),
    "unknown_choice": _(
        "lựa chọn “%(choice)s” không có trong bộ tiêu chí; chọn một trong: %(expected)s"
    ),
    "negative": _("giá trị không được âm"),
    "agency_missing": _("thiếu đơn vị"),
    "unknown_criterion": _("tiêu chí “%(criterion)s” không có trong bộ tiêu chí"),
    "block_missing": _("đơn vị chưa thuộc khối nào"),
    "duplicate_row": _("dòng trùng lặp (cùng đơn vị, cùng tiêu chí)"),
    "block_conflict": _("đơn vị thuộc nhiều khối"),
}


def problem_text(problem, *, choices: Mapping | None = None) -> str:
    """An engine problem in the page's language, by its code; its own text if it has none.

    `choices` (a criterion's params) turns the expected choice keys into their words.
    """
    template = PROBLEMS.get(getattr(problem, "code", ""))
    if template is None:
        return problem.message
    detail = dict(problem.detail)
    for name in ("value", "maximum", "denominator"):
        if name in detail:
            detail[name] = formatting.raw_value(detail[name])
    if "expected" in detail:
        detail["expected"] = choice_list(choices, detail["expected"])
    if problem.code == "unknown_criterion" and "criterion" not in detail:
        return str(_("thiếu mã tiêu chí"))
    return str(template) % detail


def _interpolate(message, params) -> str:
    return str(message) % params


# `_("… %(f)s …") % {...}` on a lazy string is worked out at once: in a form field declared
# at import time that fixes the message in the language of whoever imported the module
# first. interpolate_lazy(_("…"), {...}) is worked out when the message is shown.
interpolate_lazy = lazy(_interpolate, str)
