"""Words for codes and bilingual fields in templates: `{{ key|choice_label:criterion }}`,
`{{ block|block_name }}`, `{{ set|set_name }}`, `{{ band|band_label }}` (see rankings.wording)."""

from django import template

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
    """A criteria set's name in the page's language when the system named it."""
    return wording.criteria_set_name(criteria_set) if criteria_set is not None else ""


@register.filter
def band_label(band):
    return wording.band_label(band) if band is not None else ""
