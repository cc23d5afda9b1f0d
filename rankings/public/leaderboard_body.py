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
    words = _Words()
    if not board.table_rows:
        return mark_safe(f'\n  \n    <tr><td colspan="8">{words.no_match}</td></tr>\n  \n  ')
    writer = _RowWriter(board, band_words or {}, words)
    out = ["\n  "]
    for row, row_groups in board.table_rows:
        writer.write(out, row, row_groups)
    out.append("\n  ")
    return mark_safe("".join(out))


class _Words:
    """The table's fixed words in the active language, split around the values they hold."""

    def __init__(self) -> None:
        rendered = _words().render(Context({"value": VALUE})).split(GAP)
        self.tied, self.not_ranked, self.percent_points, why, last_year, self.no_match = rendered
        self.why = why.split(VALUE)
        self.last_year = last_year.split(VALUE)


def _signed_writer(rule, text):
    """A change as the set prints it: +1,500, −0,250 (a true minus), 0,000; — for none."""

    def write(value) -> str:
        number = rule(value)
        if number is None:
            return formatting.DASH
        return formatting.with_sign(number, text(abs(number)))

    return write


class _RowWriter:
    """Everything that is the same on every row, worked out once; `write` adds one row."""

    def __init__(self, board, band_words: dict, words: _Words) -> None:
        cycle, rules = board.cycle, board.criteria_set
        self.words, self.band_words = words, band_words
        link = reverse("agency", args=[cycle.province.slug, SLUG])
        self.url_before, self.url_after = link.split(SLUG)
        rule = printed(rules)
        self.points3 = formatting.fixed_writer(3)
        self.total = formatting.fixed_writer(rules.precision)
        self.percent_cut = Decimal(1).scaleb(-rules.percent_precision)
        self.percent_text = formatting.fixed_writer(rules.percent_precision)
        self.change = _signed_writer(rule.total, formatting.fixed_writer(rule.total.places))
        self.percent_change = _signed_writer(
            rule.percent, formatting.fixed_writer(rule.percent.places)
        )
        self.bands = board.bands
        self.shows_changes = board.shows_changes
        self.shows_percent_change = board.shows_percent_change
        self.show_groups = not rules.totals_only
        # Agency names and reasons are Vietnamese data: marked lang="vi" inside an English
        # page, as the `vi` filter (wording.vi_marked) marks them elsewhere.
        self.english = (translation.get_language() or "").startswith("en")

    def proper(self, value) -> str:
        text = conditional_escape(value)
        return f'<span lang="vi">{text}</span>' if self.english else text

    def percent(self, value) -> str:
        if value is None:
            return formatting.DASH
        return self.percent_text(value.quantize(self.percent_cut, rounding=ROUND_DOWN)) + "%"

    def band(self, band) -> str:
        return conditional_escape(self.band_words.get(band) or band)

    def write(self, out: list[str], row, row_groups) -> None:
        add, share = out.append, self.percent(row["percent"])
        self._rank_cell(add, row)
        self._name_cell(add, row, share)
        add("\n      ")
        if self.show_groups:
            for value in row_groups:
                add('<td class="num hide-narrow">')
                add(formatting.DASH if value is None else self.points3(value))
                add("</td>")
        add('\n      <td class="num"><strong>')
        add(formatting.DASH if row["total"] is None else self.total(row["total"]))
        add(f'</strong></td>\n      <td class="num hide-narrow">{share}</td>\n      ')
        if self.bands:
            add(f'<td class="hide-narrow">{self.band(row["band"])}</td>')
        add("\n      ")
        if self.shows_changes:
            self._change_cell(add, row)
        add("\n    </tr>\n  ")

    def _rank_cell(self, add, row) -> None:
        if row["rank"] is None:
            add(f'\n    <tr>\n      <td class="num not-ranked">{self.words.not_ranked}')
            return
        add(f'\n    <tr>\n      <td class="num">{row["rank"]}')
        if row["tied"]:
            add(f' <abbr title="{self.words.tied}">=</abbr>')

    def _name_cell(self, add, row, share: str) -> None:
        add('</td>\n      <th scope="row"><a href="')
        add(self.url_before + conditional_escape(row["agency_slug"]) + self.url_after)
        add(f'">{self.proper(row["agency_name"])}</a>')
        if row["rank"] is None and row["not_ranked_reason"]:
            before, after = self.words.why
            reason = self.proper(row["not_ranked_reason"])
            add(f'<small class="not-ranked-reason">{before}{reason}{after}</small>')
        narrow = f"{self.band(row['band'])} · {share}" if self.bands and row["band"] else share
        add(f'<small class="show-narrow" aria-hidden="true">{narrow}</small></th>')

    def _change_cell(self, add, row) -> None:
        add('<td class="num">')
        moved, previous = row["rank_change"], row["previous_rank"]
        if moved is not None:
            add(rank_move(moved, previous))  # the arrow for the eye, words for the ear
        if previous is not None:
            hidden = ' aria-hidden="true"' if moved is not None else ""
            before, after = self.words.last_year
            add(f' <small class="previous-rank"{hidden}>{before}{previous}{after}</small>')
        if row["change"] is not None:
            add(f' <span class="lead hide-narrow">{self.change(row["change"])}</span>')
        elif self.shows_percent_change and row["percent_change"] is not None:
            text = self.percent_change(row["percent_change"])
            add(f'<br><span class="lead percent-change">{text} {self.words.percent_points}</span>')
        add("</td>")
