"""The leaderboard table's body (`<tbody>`) in a plain Python loop: the HTML the Django
template loop wrote, at a fraction of its cost on a 549-row block (issue #21).

Everything that does not change from row to row is worked out once: the words (rendered
by Django's own `translate` tags in the active language, so the translations and their
escaping are the template's), the agency URL (reversed once, the slug put in), one number
writer per figure (`formatting.fixed_writer`). tests/public/test_leaderboard_body.py holds
the template loop this replaces and compares the two on the demo, in both languages.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from functools import cache

from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from rankings import formatting
from rankings.printed import printed
from rankings.templatetags.rank_moves import rank_move

SLUG = "--slug--"
GAP = "\x00"
VALUE = "\x01"

# The words of the table in one render: every one exactly as the template wrote it.
WORDS = "{% load i18n %}" + GAP.join(
    [
        "{% translate 'đồng hạng' as tied_title %}{{ tied_title }}",
        '{% translate "Không xếp hạng" as not_ranked %}{{ not_ranked }}',
        '{% translate "điểm %" as percent_points %}{{ percent_points }}',
        "{% blocktranslate with r=value %}Lý do không xếp hạng: {{ r }}{% endblocktranslate %}",
        "{% blocktranslate with r=value %}năm trước {{ r }}{% endblocktranslate %}",
        '{% translate "Không có đơn vị nào khớp bộ lọc." %}',
    ]
)


@cache
def _words() -> Template:
    """Compiled on first use: the template engine loads this module's tag library."""
    return Template(WORDS)


def leaderboard_body(board, band_words=None) -> SafeString:
    """The inside of `<tbody>` for `board.table_rows`, as templates/rankings/leaderboard.html
    wrote it with its `{% for %}` loop."""
    tied, not_ranked, percent_points, why, last_year, no_match = (
        _words().render(Context({"value": VALUE})).split(GAP)
    )
    why_before, why_after = why.split(VALUE)
    last_before, last_after = last_year.split(VALUE)
    rows = board.table_rows
    if not rows:
        return mark_safe(f'\n  \n    <tr><td colspan="8">{no_match}</td></tr>\n  \n  ')
    cycle, rules = board.cycle, board.criteria_set
    url_before, url_after = reverse("agency", args=[cycle.province.slug, SLUG]).split(SLUG)
    rule = printed(rules)
    points3 = formatting.fixed_writer(3)
    total = formatting.fixed_writer(rules.precision)
    places = rules.percent_precision
    percent_cut = Decimal(1).scaleb(-places)
    percent_text = formatting.fixed_writer(places)
    change_rule, change_text = rule.total, formatting.fixed_writer(rule.total.places)
    percent_rule, percent_change_text = rule.percent, formatting.fixed_writer(rule.percent.places)
    bands = board.bands
    shows_changes, shows_percent_change = board.shows_changes, board.shows_percent_change
    show_groups = not rules.totals_only
    words = band_words or {}
    escape = conditional_escape
    # Agency names and reasons are Vietnamese data: marked lang="vi" inside an English page,
    # as the `vi` filter (wording.vi_marked) marks them elsewhere.
    english = (translation.get_language() or "").startswith("en")

    def proper(value) -> str:
        return f'<span lang="vi">{escape(value)}</span>' if english else escape(value)

    def percent(value) -> str:
        if value is None:
            return formatting.DASH
        return percent_text(value.quantize(percent_cut, rounding=ROUND_DOWN)) + "%"

    def signed(value, rule, text) -> str:
        number = rule(value)
        if number is None:
            return formatting.DASH
        written = text(abs(number))
        if number > 0:
            return "+" + written
        if number < 0:
            return formatting.MINUS + written
        return written

    def band_word(band) -> str:
        return escape(words.get(band) or band)

    out = ["\n  "]
    add = out.append
    for row, row_groups in rows:
        rank = row["rank"]
        share = percent(row["percent"])
        if rank is not None:
            add('\n    <tr>\n      <td class="num">')
            add(str(rank))
            if row["tied"]:
                add(f' <abbr title="{tied}">=</abbr>')
        else:
            add('\n    <tr>\n      <td class="num not-ranked">')
            add(not_ranked)
        add('</td>\n      <th scope="row"><a href="')
        add(url_before + escape(row["agency_slug"]) + url_after)
        add('">')
        add(proper(row["agency_name"]))
        add("</a>")
        if rank is None and row["not_ranked_reason"]:
            reason = proper(row["not_ranked_reason"])
            add(f'<small class="not-ranked-reason">{why_before}{reason}{why_after}</small>')
        if bands and row["band"]:
            add(f'<small class="show-narrow" aria-hidden="true">{band_word(row["band"])} · ')
            add(f"{share}</small></th>")
        else:
            add(f'<small class="show-narrow" aria-hidden="true">{share}</small></th>')
        add("\n      ")
        if show_groups:
            for value in row_groups:
                add('<td class="num hide-narrow">')
                add(formatting.DASH if value is None else points3(value))
                add("</td>")
        add('\n      <td class="num"><strong>')
        add(formatting.DASH if row["total"] is None else total(row["total"]))
        add('</strong></td>\n      <td class="num hide-narrow">')
        add(share)
        add("</td>\n      ")
        if bands:
            add(f'<td class="hide-narrow">{band_word(row["band"])}</td>')
        add("\n      ")
        if shows_changes:
            add('<td class="num">')
            moved, previous = row["rank_change"], row["previous_rank"]
            if moved is not None:
                add(rank_move(moved, previous))  # the arrow for the eye, words for the ear
            if previous is not None:
                hidden = ' aria-hidden="true"' if moved is not None else ""
                add(f' <small class="previous-rank"{hidden}>{last_before}{previous}')
                add(f"{last_after}</small>")
            if row["change"] is not None:
                add(' <span class="lead hide-narrow">')
                add(signed(row["change"], change_rule, change_text))
                add("</span>")
            elif shows_percent_change and row["percent_change"] is not None:
                add('<br><span class="lead percent-change">')
                add(signed(row["percent_change"], percent_rule, percent_change_text))
                add(f" {percent_points}</span>")
            add("</td>")
        add("\n    </tr>\n  ")
    add("\n  ")
    return mark_safe("".join(out))
