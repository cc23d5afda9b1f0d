"""Issue #21, items 1 and 3: the rankings API and the uncached leaderboard near their floors.

1. `/api/v1/rankings/` for the largest block (Thanh Hoá 2024 communes, 549 rows) through
   `django.test.Client` (DEBUG off), against the raw floor for the same rows: one SQL
   query + `orjson.dumps` (`national_api.floor_json`). Target ≤ 1.5×.
2. The largest leaderboard page, uncached (`PAGE_CACHE_SECONDS=0`), through the client,
   against a baseline that reads the same rows (this year's with last year's ranks, one
   raw query) and formats them into the same table body with a plain Python loop; the
   baseline's HTML is checked equal to the page's `<tbody>`. Target ≤ 3×.

Each pair is timed in alternation (best of `BENCH_ROUNDS`, default 15, after a warm-up),
so both see the same load; the load average is printed with each figure. Nothing here
changes the product: the same script measures any checkout of it (copy it into that
checkout's bench/ and run it there, as bench/README.md's "Fast pages" section did).

`DATABASE_URL=postgres://… .venv/bin/python bench/national_fast.py` (read only).
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from common import Report, collectstatic, django_setup, largest_cycle, load

YEAR = int(os.environ.get("BENCH_YEAR", "2024"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))


def alternating(works: dict, *, rounds: int) -> dict:
    """Best and median seconds of each work, run in turn `rounds` times after a warm-up."""
    times: dict = {name: [] for name in works}
    for work in works.values():
        work()
    for _ in range(rounds):
        for name, work in works.items():
            start = time.perf_counter()
            work()
            times[name].append(time.perf_counter() - start)
    return {name: (min(t), statistics.median(t)) for name, t in times.items()}


def api_ranking(report: Report) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from national_api import floor_json

    cycle = largest_cycle(YEAR)
    client = Client()
    url = f"/api/v1/rankings/?province={cycle.province.slug}&year={YEAR}&block=communes"

    def endpoint() -> bytes:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response.content

    with CaptureQueriesContext(connection) as captured:
        body = endpoint()
    count = len(captured)
    timing = alternating(
        {"floor": lambda: floor_json("p.cycle_id = %s", [cycle.pk]), "endpoint": endpoint},
        rounds=ROUNDS,
    )
    (floor, floor_median), (best, median) = timing["floor"], timing["endpoint"]
    report.figure(
        f"GET /api/v1/rankings/ largest block ({cycle.province.slug} {YEAR} communes, "
        f"{cycle.n} rows)",
        best * 1000,
        "ms",
        baseline=floor * 1000,
        baseline_name="same rows: raw cursor + orjson",
        at_most=1.5,
        note=f"{count} queries, {len(body) / 1024:.0f} kB; medians {median * 1000:.1f} vs "
        f"{floor_median * 1000:.1f} ms (ratio {median / floor_median:.2f}); best of {ROUNDS} "
        "alternating",
    )


# --- The leaderboard's baseline: the same rows, one query, a plain loop ----------------

BASELINE_SQL = """
    SELECT r.rank, count(*) OVER (PARTITION BY r.rank) > 1 AND r.rank IS NOT NULL,
           a.slug, a.name, r.score, r.percent, r.band, r.not_ranked_reason, r.groups <> '{{}}',
           p.rank, p.score, p.percent{points}
    FROM rankings_result r
    JOIN agencies_agency a ON a.id = r.agency_id
    LEFT JOIN rankings_result p ON p.publication_id = %s AND p.agency_id = r.agency_id
    WHERE r.publication_id = %s
    ORDER BY r.rank NULLS LAST, a.search_name
"""


def writer(places: int, separator: str):
    """A Decimal cut to `places` with the page's decimal separator (no grouping)."""
    cutoff = Decimal("0." + "1".rjust(places, "0"))

    def write(value: Decimal) -> str:
        if abs(value) < cutoff:
            value = Decimal(0)
        sign, text = ("-", format(value, "f")[1:]) if value < 0 else ("", format(value, "f"))
        whole, _, decimals = text.partition(".")
        return sign + whole + (separator + (decimals + "0" * places)[:places] if places else "")

    return write


class Baseline:
    """Everything the loop needs that does not grow with the block, worked out once."""

    def __init__(self, board, band_words, words: dict) -> None:
        from django.urls import reverse
        from django.utils.formats import get_format

        rules = board.criteria_set
        self.cycle, self.board, self.words = board.cycle, board, words
        self.band_words = band_words or {}
        self.previous = board.previous.publication.pk if board.previous else 0
        self.codes = [group.code for group in board.groups]
        self.show_groups = not rules.totals_only
        self.bands = bool(board.bands)
        self.changes, self.percent_change = board.shows_changes, board.shows_percent_change
        self.comparable = board.comparable
        separator = str(get_format("DECIMAL_SEPARATOR"))
        self.points = writer(3, separator)
        self.total = writer(rules.precision, separator)
        self.percent = writer(rules.percent_precision, separator)
        self.change = writer(rules.precision, separator)
        self.percent_places = Decimal(1).scaleb(-rules.percent_precision)
        self.total_places = Decimal(1).scaleb(-rules.precision)
        modes = {"half_up": ROUND_HALF_UP, "truncate": ROUND_DOWN}
        self.total_mode = modes[rules.rounding]
        self.percent_mode = modes[rules.percent_rounding]
        self.url = reverse("agency", args=[board.cycle.province.slug, "--slug--"]).split("--slug--")

    def signed(self, value: Decimal, places: Decimal, mode, text) -> str:
        number = value.quantize(places, rounding=mode)
        written = text(abs(number))
        return "+" + written if number > 0 else "\u2212" + written if number < 0 else written

    def html(self) -> str:
        from django.db import connection
        from django.utils.html import escape

        w, bw = self.words, self.band_words
        points = "".join(f", r.groups ->> '{code}'" for code in self.codes)
        with connection.cursor() as cursor:
            cursor.execute(
                BASELINE_SQL.format(points=points), [self.previous, self.board.publication.pk]
            )
            rows = cursor.fetchall()
        out = ["\n  "]
        add = out.append
        for (
            rank,
            tied,
            slug,
            name,
            score,
            share,
            band,
            why,
            valued,
            p_rank,
            p_score,
            p_share,
            *g,
        ) in rows:
            percent = self.percent(share.quantize(self.percent_places, rounding=ROUND_DOWN)) + "%"
            if rank is not None:
                add(f'\n    <tr>\n      <td class="num">{rank}')
                if tied:
                    add(f' <abbr title="{w["tied"]}">=</abbr>')
            else:
                add(f'\n    <tr>\n      <td class="num not-ranked">{w["not_ranked"]}')
            add(f'</td>\n      <th scope="row"><a href="{self.url[0]}{slug}{self.url[1]}">')
            add(escape(name) + "</a>")
            if rank is None and why:
                reason = f"{w['why'][0]}{escape(why)}{w['why'][1]}"
                add(f'<small class="not-ranked-reason">{reason}</small>')
            if self.bands and band:
                word = escape(bw.get(band) or band)
                add(f'<small class="show-narrow">{word} · {percent}</small></th>')
            else:
                add(f'<small class="show-narrow">{percent}</small></th>')
            add("\n      ")
            if self.show_groups:
                for text in g:
                    add(f'<td class="num hide-narrow">{self.points(Decimal(text or "0"))}</td>')
            add(f'\n      <td class="num"><strong>{self.total(score)}</strong></td>')
            add(f'\n      <td class="num hide-narrow">{percent}</td>\n      ')
            if self.bands:
                add(f'<td class="hide-narrow">{escape(bw.get(band) or band)}</td>')
            add("\n      ")
            if self.changes:
                add('<td class="num">')
                if p_rank is not None and rank is not None:
                    moved = p_rank - rank
                    arrow = f"▲{moved}" if moved > 0 else f"▼{-moved}" if moved < 0 else "="
                    direction = "up" if moved > 0 else "down" if moved < 0 else ""
                    add(f'<span class="{direction}">{arrow}</span>')
                if p_rank is not None:
                    before = f"{w['last'][0]}{p_rank}{w['last'][1]}"
                    add(f' <small class="previous-rank">{before}</small>')
                if valued and p_score is not None and self.comparable:
                    change = self.signed(
                        score - p_score, self.total_places, self.total_mode, self.change
                    )
                    add(f' <span class="lead hide-narrow">{change}</span>')
                elif self.percent_change and valued and p_share is not None:
                    change = self.signed(
                        share - p_share, self.percent_places, self.percent_mode, self.percent
                    )
                    add(f'<br><span class="lead percent-change">{change} {w["points"]}</span>')
                add("</td>")
            add("\n    </tr>\n  ")
        add("\n  ")
        return "".join(out)


def words() -> dict:
    from django.template import Context, Template

    text = Template(
        "{% load i18n %}{% translate 'đồng hạng' as t %}{{ t }}|"
        '{% translate "Không xếp hạng" as n %}{{ n }}|{% translate "điểm %" as p %}{{ p }}|'
        "{% blocktranslate with r=v %}Lý do không xếp hạng: {{ r }}{% endblocktranslate %}|"
        "{% blocktranslate with r=v %}năm trước {{ r }}{% endblocktranslate %}"
    ).render(Context({"v": "\x01"}))
    tied, not_ranked, points, why, last = text.split("|")
    return {
        "tied": tied,
        "not_ranked": not_ranked,
        "points": points,
        "why": why.split("\x01"),
        "last": last.split("\x01"),
    }


def leaderboard_page(report: Report) -> None:
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from rankings import wording
    from rankings.public.selectors.leaderboard import leaderboard

    cycle = largest_cycle(YEAR)
    url = f"/{cycle.province.slug}/{YEAR}/{cycle.block.slug}/"
    board = leaderboard(cycle=cycle)
    baseline = Baseline(board, wording.band_words(criteria_set=cycle.criteria_set), words())
    client = Client()
    with override_settings(PAGE_CACHE_SECONDS=0):
        html = client.get(url).content.decode()
        body = re.search(r'<table id="leaderboard">.*?<tbody>(.*?)</tbody>', html, re.S)
        assert body is not None and body.group(1) == baseline.html(), "not the page's table"
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        count = len(captured)
        timing = alternating(
            {"baseline": baseline.html, "page": lambda: client.get(url)}, rounds=ROUNDS
        )
    (floor, floor_median), (best, median) = timing["baseline"], timing["page"]
    report.figure(
        f"GET {url} uncached ({cycle.n} rows)",
        best * 1000,
        "ms",
        baseline=floor * 1000,
        baseline_name="same rows, one query, plain Python loop → same <tbody>",
        at_most=3,
        note=f"{count} queries, {len(html) / 1024:.0f} kB; medians {median * 1000:.1f} vs "
        f"{floor_median * 1000:.1f} ms (ratio {median / floor_median:.2f}); best of {ROUNDS} "
        "alternating",
    )


def main() -> int:
    django_setup()
    collectstatic()
    report = Report("fast")
    print(f"rounds {ROUNDS}; {load()}")
    api_ranking(report)
    leaderboard_page(report)
    report.save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
