"""Words for codes and bilingual fields in templates: `{{ key|choice_label:criterion }}`,
`{{ block|block_name }}`, `{{ set|set_name }}`, `{{ band|band_label }}` (see rankings.wording)."""

from django import template
from django.utils.html import format_html

from rankings import wording

register = template.Library()


@register.filter
def choice_label(key, criterion):
    return wording.choice_label(getattr(criterion, "params", None), key)


@register.filter
def block_name(block):
    return wording.block_name(block) if block is not None else ""


@register.filter
def set_name(criteria_set):
    """A criteria set's name in the page's language when the system named it; inside an
    English name, the province's own name is marked `lang="vi"`."""
    if criteria_set is None:
        return ""
    name = wording.criteria_set_name(criteria_set)
    if name == criteria_set.name:  # Vietnamese, or no English name: no query for the province
        return name
    province = getattr(criteria_set, "province", None)
    if province is None or province.name not in name:
        return name
    before, _, after = name.partition(province.name)
    return format_html('{}<span lang="vi">{}</span>{}', before, province.name, after)


@register.filter
def band_label(band):
    return wording.band_label(band) if band is not None else ""


@register.filter
def band_in(label, criteria_set):
    """A published band label ("Khá") in the page's language, by its criteria set's bands."""
    if not label or criteria_set is None:
        return label
    words = getattr(criteria_set, "_band_words", None)
    if words is None:
        words = criteria_set._band_words = wording.band_words(criteria_set=criteria_set)
    return words.get(label, label)
