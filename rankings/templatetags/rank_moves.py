"""A rank change as people see it and as a screen reader says it.

The arrow and count (▲1, ▼2, =) are for the eye and hidden from assistive technology; a
visually hidden sentence says the same in words: "tăng 1 bậc, năm trước hạng 3" ("up 1
place, ranked 3 last year"). An `aria-label` on a plain <span> is prohibited (axe's
aria-prohibited-attr) and was read as the bare glyph, so the words are text.
"""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext

register = template.Library()


def _missing(value) -> bool:
    """None, NaN or pandas NA (whose comparisons are NA, which has no truth value)."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except TypeError:
        return True


def rank_change_words(change, previous_rank=None) -> str:
    """ "tăng 1 bậc, năm trước hạng 3"; "giảm 2 bậc"; "giữ nguyên hạng"; "" without a change."""
    if _missing(change):
        return ""
    change = int(change)
    places = abs(change)
    if change > 0:
        words = ngettext("tăng %(n)s bậc", "tăng %(n)s bậc", places) % {"n": places}
    elif change < 0:
        words = ngettext("giảm %(n)s bậc", "giảm %(n)s bậc", places) % {"n": places}
    else:
        words = gettext("giữ nguyên hạng")
    if previous_rank is not None:
        words += ", " + gettext("năm trước hạng %(r)s") % {"r": previous_rank}
    return words


@register.simple_tag
def rank_move(change, previous_rank=None, rank=None):
    """`{% rank_move row.rank_change row.previous_rank %}`: the coloured arrow and count,
    hidden from screen readers, and the change in words, hidden from the eye. Given this
    year's `rank` instead, last year's is worked out (a change is last year's minus this)."""
    if _missing(previous_rank) and not _missing(rank) and not _missing(change):
        previous_rank = int(rank) + int(change)
    if _missing(previous_rank):
        previous_rank = None
    words = rank_change_words(change, previous_rank)
    if not words:
        return ""
    change = int(change)
    if change > 0:
        css, glyph = "up", f"▲{change}"
    elif change < 0:
        css, glyph = "down", f"▼{-change}"
    else:
        css, glyph = "same", "="
    return format_html(
        '<span class="rank-move {}"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}</span></span>',
        css,
        glyph,
        words,
    )
