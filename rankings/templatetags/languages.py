"""Names and dates in the page's language, built into every template (config/settings.py).

`{{ group|local }}`: a block's, band's, group's, criterion's or set's English name in English
mode (rankings.wording.local_name). `{{ agency.name|vi }}`: a proper name or data value kept
in Vietnamese, marked `lang="vi"` inside an English page so a screen reader voices it as
Vietnamese (not for attributes or <title>, where markup cannot go). `{{ cycle|cycle_label }}`:
a cycle's "province · block · year" with the province so marked. `{{ date|day }}` and
`{{ when|moment }}`: 22/11/2021 in Vietnamese, 22 November 2021 in English.
"""

from django import template

from rankings import formatting, wording

register = template.Library()


@register.filter
def local(thing):
    return wording.local_name(thing)


@register.filter
def vi(value):
    """The value, marked as Vietnamese inside an English page."""
    if value is None or value == "":
        return value
    return wording.vi_marked(value)


@register.filter
def cycle_label(cycle):
    return "" if cycle is None else wording.cycle_marked(cycle)


@register.filter
def day(value):
    return formatting.day(value)


@register.filter
def moment(value):
    return formatting.moment(value)
