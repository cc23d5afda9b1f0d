"""Names and dates in the page's language, built into every template (config/settings.py).

`{{ group|local }}`: a block's, band's, group's, criterion's or set's English name in English
mode (rankings.wording.local_name). `{{ agency.name|vi }}`: a proper name or data value kept
in Vietnamese, marked `lang="vi"` inside an English page so a screen reader voices it as
Vietnamese (not for attributes or <title>, where markup cannot go). `{{ cycle|cycle_label }}`:
a cycle's "province · block · year" with the province so marked. `{{ date|day }}` and
`{{ when|moment }}`: 22/11/2021 in Vietnamese, 22 November 2021 in English.
"""

from django import template
from django.utils import translation
from django.utils.html import format_html

from rankings import formatting, wording

register = template.Library()


def _english() -> bool:
    return (translation.get_language() or "").startswith("en")


@register.filter
def local(thing):
    return wording.local_name(thing)


@register.filter
def vi(value):
    """The value, marked as Vietnamese inside an English page."""
    if value is None or value == "":
        return value
    return format_html('<span lang="vi">{}</span>', value) if _english() else value


@register.filter
def cycle_label(cycle):
    if cycle is None:
        return ""
    if not _english():
        return str(cycle)
    return format_html(
        '<span lang="vi">{}</span> · {} · {}',
        cycle.province,
        wording.block_name(cycle.block),
        cycle.year,
    )


@register.filter
def day(value):
    return formatting.day(value)


@register.filter
def moment(value):
    return formatting.moment(value)
