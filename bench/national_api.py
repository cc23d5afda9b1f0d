"""The API at national scale: the largest ranking, a year's ~12,000 rows as JSON, deep pages.

1. `/api/v1/rankings/` for the largest block (Thanh Hoá 2024 communes, 549 rows) and the
   national one (63 provinces), through `django.test.Client` (DEBUG off, throttling out of
   the way), against the raw floor for the same rows: one SQL query + `orjson.dumps`.
2. The issue's "national ranking as JSON, ~12,000 rows": `/api/v1/results/?year=` (every
   cycle's latest revision) through `django.test.Client`, against
   - the floor: a raw cursor fetch of the same rows + `orjson.dumps`, the least Python can
     do (identical JSON, checked); target ≤ 1.5×;
   - naive: a `ModelSerializer` of `Result` with a nested agency serializer, with and
     without `select_related`; target ≥ 3× faster;
   - existing selectors: `rankings.public.selectors.leaderboard.leaderboard` +
     `api.presenters.ranking` + `RankingSerializer` per cycle (what a client looping over
     `rankings/` costs us).
   The floor and the endpoint are timed in alternation, so both see the same load.
3. `/api/v1/agencies/?page=200` and the last full page against `?page=1` (50 a page), and
   BEFORE: the list's former order and pagination, patched in, at pages 1 and 200.

`make bench-national`, or `DATABASE_URL=postgres://… .venv/bin/python bench/national_api.py`;
`BENCH_SKIP_SLOW=1` leaves out the two ways that take 10 s or more and have no target.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import sys
import time

import orjson
from common import Report, Timing, django_setup, largest_cycle, load, rate, timed

YEAR = int(os.environ.get("BENCH_YEAR", "2024"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))

# The API's ranking row, computed by PostgreSQL: numbers truncated to the published
# precision as text, groups as the stored JSON text. `{where}` picks the publications.
FLOOR_SQL = """
    WITH latest AS (
        SELECT DISTINCT ON (p.cycle_id) p.id, p.cycle_id
        FROM rankings_publication p JOIN rankings_assessmentcycle c ON c.id = p.cycle_id
        WHERE {where}
        ORDER BY p.cycle_id, p.revision DESC
    )
    SELECT r.cycle_id, r.rank,
           count(*) OVER (PARTITION BY r.cycle_id, r.rank) > 1 AND r.rank IS NOT NULL,
           a.id, a.slug, a.name, a.short_name, a.admin_unit_code, r.groups::text,
           trunc(r.score, s.precision)::text, trunc(r.percent, s.percent_precision)::text,
           NULLIF(r.band, ''), NULLIF(r.not_ranked_reason, '')
    FROM latest
    JOIN rankings_result r ON r.publication_id = latest.id
    JOIN agencies_agency a ON a.id = r.agency_id
    JOIN rankings_assessmentcycle c ON c.id = r.cycle_id
    JOIN rankings_criteriaset s ON s.id = c.criteria_set_id
    ORDER BY r.cycle_id, r.rank NULLS LAST, a.search_name
"""


def floor_json(where: str, params: list) -> bytes:
    """Raw cursor fetch + orjson: the least any Python endpoint can do for these rows."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL.format(where=where), params)
        rows = cursor.fetchall()
    return orjson.dumps([_floor_row(*row) for row in rows])


def _floor_row(cycle, rank, tied, pk, slug, name, short, code, groups, total, percent, band, why):
    return {
        "cycle": cycle,
        "rank": rank,
        "tied": tied,
        "agency": {
            "id": pk,
            "slug": slug,
            "name": name,
            "short_name": short,
            "admin_unit_code": code,
        },
        "groups": orjson.Fragment(groups),
        "total": total,
        "percent": percent,
        "band": band,
        "not_ranked_reason": why,
    }


def year_cycles(year: int):
    from rankings.models import AssessmentCycle

    return list(
        AssessmentCycle.objects.filter(year=year)
        .exclude(publications=None)
        .select_related("province", "block", "criteria_set")
        .order_by("pk")
    )


def via_selectors(cycles) -> bytes:
    """Every cycle's ranking exactly as /api/v1/rankings/ builds it, rows concatenated."""
    from rest_framework.renderers import JSONRenderer

    from api import presenters, serializers
    from rankings.public.selectors import leaderboard as leaderboard_selectors

    rows = []
    for cycle in cycles:
        board = leaderboard_selectors.leaderboard(cycle=cycle)
        rows.extend(serializers.RankingSerializer(presenters.ranking(board)).data["rows"])
    return JSONRenderer().render(rows)


# `/api/v1/results/` in raw SQL: the latest publication of each cycle of the year, with its
# rules, in the endpoint's block order; then every row, numbers as text and each top-level
# group's points by key (`{points}`).
YEAR_CYCLES_SQL = """
    SELECT latest.* FROM (
        SELECT DISTINCT ON (p.cycle_id) p.id, p.cycle_id, pr.slug, c.year, b.slug, s.id,
               s.slug, s.precision, s.percent_precision, p.decision_number, p.revision,
               pr.name AS province_name, b."order" AS block_order
        FROM rankings_publication p
        JOIN rankings_assessmentcycle c ON c.id = p.cycle_id
        JOIN agencies_province pr ON pr.id = c.province_id
        JOIN agencies_block b ON b.id = c.block_id
        JOIN rankings_criteriaset s ON s.id = c.criteria_set_id
        WHERE c.year = %s
        ORDER BY p.cycle_id, p.revision DESC
    ) latest
    ORDER BY latest.province_name, latest.block_order, 5, 2
"""
YEAR_ROWS_SQL = """
    SELECT r.cycle_id, r.rank, a.id, a.slug, a.name, a.short_name, a.admin_unit_code,
           r.score::text, r.percent::text, NULLIF(r.band, ''),
           NULLIF(r.not_ranked_reason, ''){points}
    FROM rankings_result r JOIN agencies_agency a ON a.id = r.agency_id
    WHERE r.publication_id = ANY(%s)
    ORDER BY r.cycle_id, r.rank NULLS LAST, a.search_name, a.id
"""
CUT = {3: None, 2: -1, 1: -2, 0: -4}  # numeric(_, 3) text → that many decimals


def year_floor_json(year: int) -> bytes:
    """Raw cursor fetch + orjson: `/api/v1/results/?year=`'s JSON, with no check, no ORM."""
    from collections import Counter

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(YEAR_CYCLES_SQL, [year])
        cycles = cursor.fetchall()
        cursor.execute(
            "SELECT criteria_set_id, code FROM rankings_criteriongroup"
            ' WHERE parent_id IS NULL AND criteria_set_id = ANY(%s) ORDER BY 1, "order", code',
            [list({cycle[5] for cycle in cycles})],
        )
        codes: dict[int, list[str]] = {}
        for set_id, code in cursor.fetchall():
            codes.setdefault(set_id, []).append(code)
        keys = sorted({code for group in codes.values() for code in group})
        points = "".join(", r.groups ->> %s" for _ in keys)
        cursor.execute(YEAR_ROWS_SQL.format(points=points), [*keys, [c[0] for c in cycles]])
        by_cycle: dict[int, list[tuple]] = {cycle[1]: [] for cycle in cycles}
        for row in cursor.fetchall():
            by_cycle[row[0]].append(row)
    column = {code: n for n, code in enumerate(keys)}
    body = []
    for latest in cycles:
        _, cycle, province, year_, block, set_id, set_slug, places, percent_places = latest[:9]
        number, revision = latest[9:11]
        rows = by_cycle[cycle]
        shared = Counter(row[1] for row in rows)
        groups = [(code, column[code]) for code in codes.get(set_id, ())]
        body.extend(
            {
                "province": province,
                "year": year_,
                "block": block,
                "criteria_set": set_slug,
                "decision_number": number,
                "revision": revision,
                "rank": rank,
                "tied": rank is not None and shared[rank] > 1,
                "agency": {
                    "id": pk,
                    "slug": slug,
                    "name": name,
                    "short_name": short,
                    "admin_unit_code": code,
                },
                "groups": {g: point[i] or "0.000" for g, i in groups},
                "total": score[: CUT[places]],
                "percent": percent[: CUT[percent_places]],
                "band": band,
                "not_ranked_reason": why,
            }
            for _, rank, pk, slug, name, short, code, score, percent, band, why, *point in rows
        )
    return orjson.dumps({"year": year, "count": len(body), "rows": body})


def alternating(works: dict, *, rounds: int) -> dict[object, Timing]:
    """Best and median of each work, run in turn `rounds` times (after one warm-up each),
    so that every work sees the same load on a shared machine."""
    times: dict = {name: [] for name in works}
    results = {name: work() for name, work in works.items()}
    for _ in range(rounds):
        for name, work in works.items():
            start = time.perf_counter()
            results[name] = work()
            times[name].append(time.perf_counter() - start)
    return {
        name: Timing(min(t), statistics.median(t), rounds, results[name])
        for name, t in times.items()
    }


def naive(cycles, *, related: bool) -> bytes:
    """What a first attempt looks like: ModelSerializer all the way down."""
    from rest_framework import serializers
    from rest_framework.renderers import JSONRenderer

    from agencies.models import Agency
    from rankings.models import Result
    from rankings.public.selectors.leaderboard import latest_publications

    class AgencySerializer(serializers.ModelSerializer):
        class Meta:
            model = Agency
            fields = ["id", "slug", "name", "short_name", "admin_unit_code"]

    class ResultSerializer(serializers.ModelSerializer):
        agency = AgencySerializer()

        class Meta:
            model = Result
            fields = ["cycle", "rank", "agency", "groups", "score", "percent", "band"]

    latest = latest_publications(cycles)
    results = Result.objects.filter(publication__in=latest.values()).order_by("cycle_id", "rank")
    if related:
        results = results.select_related("agency")
    return JSONRenderer().render(ResultSerializer(results, many=True).data)


def national_rows(report: Report) -> None:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    cycles = year_cycles(YEAR)
    client = Client()
    url = f"/api/v1/results/?year={YEAR}"

    def endpoint() -> bytes:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response.content

    with CaptureQueriesContext(connection) as captured:
        served = endpoint()
    count = len(captured)
    floor_body = year_floor_json(YEAR)
    assert json.loads(served) == json.loads(floor_body), "the floor is not the endpoint's JSON"
    rows = json.loads(served)["count"]
    report.note(f"{YEAR}: {len(cycles)} published cycles, {rows:,} rows ({load()})")
    timing = alternating(
        {"floor": lambda: year_floor_json(YEAR), "endpoint": endpoint}, rounds=max(RUNS, 7)
    )
    floor, product = timing["floor"], timing["endpoint"]
    report.figure(
        "floor: raw cursor fetch of the same rows + orjson.dumps",
        floor.best * 1000,
        "ms",
        note=f"{len(floor_body) / 2**20:.1f} MB of JSON, identical to the endpoint's; "
        f"median {floor.median * 1000:.1f} ms",
    )
    report.figure(
        f"GET {url} (django.test.Client)",
        product.best * 1000,
        "ms",
        baseline=floor.best * 1000,
        baseline_name="raw cursor + orjson",
        at_most=1.5,
        note=f"{count} queries, {len(served) / 2**20:.1f} MB, {rows:,} rows; medians "
        f"{product.median * 1000:.1f} vs {floor.median * 1000:.1f} ms "
        f"(ratio {product.median / floor.median:.2f}), best of {product.runs} alternating",
    )
    ways = [
        (
            "existing selectors: leaderboard + presenter + RankingSerializer per cycle",
            lambda: via_selectors(cycles),
        ),
        ("naive ModelSerializer with select_related", lambda: naive(cycles, related=True)),
        ("naive ModelSerializer, no select_related (N+1)", lambda: naive(cycles, related=False)),
    ]
    if os.environ.get("BENCH_SKIP_SLOW") == "1":
        ways = ways[1:2]  # the selectors (12 s) and N+1 (10 s) ways are not targets
    times = {}
    for label, work in ways:
        with CaptureQueriesContext(connection) as captured:
            work()
        count = len(captured)  # read now: each request (and reset_queries) clears the log
        reset_queries()
        took = timed(work, runs=1)
        times[label] = took
        body = took.result
        report.figure(
            label,
            took.best * 1000,
            "ms",
            baseline=floor.best * 1000,
            baseline_name="raw cursor + orjson",
            note=f"{count if count < 9000 else '≥ 9,000 (the log keeps 9,000)'} queries, "
            f"{len(body) / 2**20:.1f} MB, {len(json.loads(body)):,} rows",
        )
    naive_time = times["naive ModelSerializer with select_related"].best
    report.figure(
        "speed-up of /api/v1/results/ over naive (select_related)",
        naive_time / product.best,
        "×",
        ratio=naive_time / product.best,
        at_least=3,
        note=f"naive {naive_time * 1000:.0f} ms vs {product.best * 1000:.0f} ms",
    )


def largest_ranking(report: Report) -> None:
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    cycle = largest_cycle(YEAR)
    client = Client()
    for label, query, where, params in [
        (
            f"API ranking, largest block ({cycle.province.slug} {YEAR} communes)",
            f"province={cycle.province.slug}&year={YEAR}&block=communes",
            "p.cycle_id = %s",
            [cycle.pk],
        ),
        (
            f"API ranking, national (toan-quoc {YEAR} provinces)",
            f"province=toan-quoc&year={YEAR}&block=provinces",
            "c.year = %s AND c.province_id = (SELECT id FROM agencies_province WHERE is_national)",
            [YEAR],
        ),
    ]:
        url = f"/api/v1/rankings/?{query}"
        with override_settings(ROOT_URLCONF="bench_urls"):
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            count = len(captured)  # read now: the next request clears the log
            served = rate(lambda u=url: client.get(u), seconds=SECONDS, minimum=3)
            trivial = rate(lambda: client.get("/bench/trivial/"), seconds=SECONDS / 2)
        floor = timed(lambda w=where, p=params: floor_json(w, p), runs=5, warmup=1)
        rows = len(json.loads(response.content)["rows"])
        report.figure(
            label,
            1000 / served,
            "ms/request",
            baseline=floor.best * 1000,
            baseline_name="same rows: raw cursor + orjson",
            at_most=1.5,
            note=f"{rows} rows, {len(response.content) / 1024:.0f} kB, {count} queries; "
            f"{served:.1f} req/s vs trivial view {trivial:.0f} req/s "
            f"({served / trivial:.3f}×)",
        )


@contextlib.contextmanager
def agencies_before():
    """BEFORE: the agency list as it was (ordered by province name, block order and name,
    every page sorting all agencies, `OFFSET` over whole rows), patched in for a moment."""
    from api.pagination import Pagination
    from api.views import AgencyList

    now = AgencyList.ordering, AgencyList.pagination_class
    AgencyList.ordering = ["province__name", "block__order", "name"]
    AgencyList.pagination_class = Pagination
    try:
        yield
    finally:
        AgencyList.ordering, AgencyList.pagination_class = now


def deep_pages(report: Report) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    count = json.loads(client.get("/api/v1/agencies/").content)["count"]
    last = count // 50  # the last full page

    def get(url: str, *, before: bool = False):
        with agencies_before() if before else contextlib.nullcontext():
            return client.get(url)

    pages = {}
    for before, page in ((False, 1), (False, 200), (False, last), (True, 1), (True, 200)):
        url = f"/api/v1/agencies/?page={page}"
        assert get(url, before=before).status_code == 200, url
        with CaptureQueriesContext(connection) as captured:
            get(url, before=before)
        pages[(before, page)] = (
            url,
            sorted(captured.captured_queries, key=lambda q: -float(q["time"])),
        )
    timing = alternating(
        {key: (lambda u=url, b=key[0]: get(u, before=b)) for key, (url, _) in pages.items()},
        rounds=15,
    )
    for before, page in ((False, 200), (False, last), (True, 1), (True, 200)):
        first, deep = timing[(False, 1)], timing[(before, page)]
        sql = pages[(before, page)][1]
        report.figure(
            f"{'BEFORE: ' if before else ''}API agencies ?page={page} "
            f"(OFFSET {(page - 1) * 50:,} of {count:,})",
            deep.median * 1000,
            "ms",
            baseline=first.median * 1000,
            baseline_name="?page=1 now",
            at_most=None if before else 1.2,
            note=f"{len(sql)} queries; slowest {float(sql[0]['time']) * 1000:.1f} ms: "
            f"{sql[0]['sql'][:110]}…; best {deep.best * 1000:.1f} vs {first.best * 1000:.1f} ms",
        )


def main() -> int:
    django_setup()
    report = Report("api")
    largest_ranking(report)
    national_rows(report)
    deep_pages(report)
    report.save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
