"""A text as each language of the site writes it: for what an import reads back.

A file the site writes in English (a template, an annex) and a person fills in comes back
in English; the labels the import looks for are therefore accepted in every language.
"""

import functools

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext


@functools.cache
def in_every_language(text: str) -> tuple[str, ...]:
    """`text` (a msgid) as each language of the site writes it, Vietnamese first."""
    written: list[str] = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            shown = gettext(text)
        if shown not in written:
            written.append(shown)
    return tuple(written)


def with_translations(columns: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Each column's accepted headings, and their translations after them."""
    return {
        key: tuple(dict.fromkeys(t for name in names for t in in_every_language(name)))
        for key, names in columns.items()
    }
