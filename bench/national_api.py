"""The API at national scale: the largest ranking, ~12,000 rows as JSON, deep pages.

1. `/api/v1/rankings/` for the largest block (Thanh Hoá 2024 communes, 549 rows) and the
   national one (63 provinces), through `django.test.Client` (DEBUG off, throttling out of
   the way), against the raw floor for the same rows: one SQL query + `orjson.dumps`.
2. There is no national ranking endpoint (the issue's "national ranking as JSON, ~12,000
   rows"). Three ways to build a year's published rows (every cycle's latest revision):
   - existing selectors: `rankings.selectors.leaderboard` + `api.presenters.ranking` +
     `RankingSerializer` per cycle, rendered by DRF's JSONRenderer (what the API would do
     if it looped over its own ranking view);
   - one-query prototype: one query for the year's rows, the API's row shape
     (`RankingRow`), DRF's JSONRenderer;
   - naive: a `ModelSerializer` of `Result` with a nested agency serializer, without and
     with `select_related`;
   against the floor: one SQL query (numbers and JSON as text) + `orjson.dumps`.
   Targets: ≤ 1.5× the floor, ≥ 3× faster than naive.
3. `/api/v1/agencies/?page=200` against `?page=1` (50 a page: OFFSET 9,950 + COUNT(*)).

`make bench-national`, or `DATABASE_URL=postgres://… .venv/bin/python bench/national_api.py`.
"""

from __future__ import annotations

import json
import os
import sys

import orjson
from common import Report, django_setup, largest_cycle, load, rate, timed

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
    from rankings import selectors

    rows = []
    for cycle in cycles:
        board = selectors.leaderboard(cycle=cycle)
        rows.extend(serializers.RankingSerializer(presenters.ranking(board)).data["rows"])
    return JSONRenderer().render(rows)


def one_query_prototype(cycles, *, drf: bool = True, defer: bool = False) -> bytes:
    """A national endpoint's likely shape: one query, the API's rows and serializer.

    `drf=False` renders the same row dicts with orjson instead of `RankingRow` +
    JSONRenderer (decimals written as their exact text, as the `Figure` field does);
    `defer=True` leaves out `Result.criteria` (80 points a row the ranking never shows).
    """
    from decimal import Decimal

    from django.db.models import F
    from rest_framework.renderers import JSONRenderer

    from api import presenters, serializers
    from rankings import selectors
    from rankings.models import Result

    latest = selectors.latest_publications(cycles)
    by_cycle = {cycle.pk: cycle for cycle in cycles}
    results = (
        Result.objects.filter(publication__in=latest.values())
        .select_related("agency")
        .order_by("cycle_id", F("rank").asc(nulls_last=True), "agency__search_name")
    )
    if defer:
        results = results.defer("criteria")
    counts: dict[tuple[int, int | None], int] = {}
    results = list(results)
    for result in results:
        counts[(result.cycle_id, result.rank)] = counts.get((result.cycle_id, result.rank), 0) + 1
    rows = []
    for r in results:
        rules = by_cycle[r.cycle_id].criteria_set
        agency = r.agency
        rows.append(
            {
                "rank": r.rank,
                "tied": r.rank is not None and counts[(r.cycle_id, r.rank)] > 1,
                "agency": presenters.agency_ref(
                    agency.pk, agency.slug, agency.name, agency.short_name, agency.admin_unit_code
                ),
                "groups": {
                    code: presenters.fixed(Decimal(value), presenters.STORED_PLACES)
                    for code, value in r.groups.items()
                },
                "total": presenters.fixed(r.score, rules.precision),
                "percent": presenters.fixed(r.percent, rules.percent_precision),
                "band": r.band or None,
                "not_ranked_reason": r.not_ranked_reason or None,
                "previous_rank": None,
                "rank_change": None,
                "change": None,
            }
        )
    if not drf:
        return orjson.dumps(rows, default=_decimal_text)
    return JSONRenderer().render(serializers.RankingRow(rows, many=True).data)


def one_query_values(cycles) -> bytes:
    """A national endpoint as I would write it: one `values_list` query (groups as their
    stored JSON text), totals and percents truncated as the API does, orjson."""
    from django.db.models import F, TextField
    from django.db.models.functions import Cast

    from api import presenters
    from rankings import selectors
    from rankings.models import Result

    latest = selectors.latest_publications(cycles)
    rules = {cycle.pk: cycle.criteria_set for cycle in cycles}
    rows = list(
        Result.objects.filter(publication__in=latest.values())
        .annotate(groups_text=Cast("groups", output_field=TextField()))
        .order_by("cycle_id", F("rank").asc(nulls_last=True), "agency__search_name")
        .values_list(
            "cycle_id",
            "rank",
            "agency_id",
            "agency__slug",
            "agency__name",
            "agency__short_name",
            "agency__admin_unit_code",
            "groups_text",
            "score",
            "percent",
            "band",
            "not_ranked_reason",
        )
    )
    counts: dict[tuple[int, int | None], int] = {}
    for row in rows:
        counts[(row[0], row[1])] = counts.get((row[0], row[1]), 0) + 1
    fixed = presenters.fixed
    return orjson.dumps(
        [
            {
                "cycle": cycle,
                "rank": rank,
                "tied": rank is not None and counts[(cycle, rank)] > 1,
                "agency": {
                    "id": pk,
                    "slug": slug,
                    "name": name,
                    "short_name": short,
                    "admin_unit_code": code,
                },
                "groups": orjson.Fragment(groups),
                "total": format(fixed(score, rules[cycle].precision), "f"),
                "percent": format(fixed(percent, rules[cycle].percent_precision), "f"),
                "band": band or None,
                "not_ranked_reason": why or None,
            }
            for cycle, rank, pk, slug, name, short, code, groups, score, percent, band, why in rows
        ]
    )


def _decimal_text(value) -> str:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(type(value))


def naive(cycles, *, related: bool) -> bytes:
    """What a first attempt looks like: ModelSerializer all the way down."""
    from rest_framework import serializers
    from rest_framework.renderers import JSONRenderer

    from agencies.models import Agency
    from rankings import selectors
    from rankings.models import Result

    class AgencySerializer(serializers.ModelSerializer):
        class Meta:
            model = Agency
            fields = ["id", "slug", "name", "short_name", "admin_unit_code"]

    class ResultSerializer(serializers.ModelSerializer):
        agency = AgencySerializer()

        class Meta:
            model = Result
            fields = ["cycle", "rank", "agency", "groups", "score", "percent", "band"]

    latest = selectors.latest_publications(cycles)
    results = Result.objects.filter(publication__in=latest.values()).order_by("cycle_id", "rank")
    if related:
        results = results.select_related("agency")
    return JSONRenderer().render(ResultSerializer(results, many=True).data)


def national_rows(report: Report) -> None:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    cycles = year_cycles(YEAR)
    where = "c.year = %s"
    floor = timed(lambda: floor_json(where, [YEAR]), runs=RUNS, warmup=1)
    rows = len(json.loads(floor.result))
    report.note(f"{YEAR}: {len(cycles)} published cycles, {rows:,} rows ({load()})")
    report.figure(
        "floor: raw cursor + orjson.dumps",
        floor.best * 1000,
        "ms",
        note=f"{len(floor.result) / 2**20:.1f} MB of JSON",
    )
    ways = [
        (
            "existing selectors: leaderboard + presenter + RankingSerializer per cycle",
            lambda: via_selectors(cycles),
            1,
        ),
        (
            "one-query prototype: the API's RankingRow + JSONRenderer",
            lambda: one_query_prototype(cycles),
            RUNS,
        ),
        (
            "one-query prototype, rows → orjson (no DRF serializer)",
            lambda: one_query_prototype(cycles, drf=False),
            RUNS,
        ),
        (
            "one-query prototype, criteria deferred, rows → orjson",
            lambda: one_query_prototype(cycles, drf=False, defer=True),
            RUNS,
        ),
        (
            "one query: values_list + groups as JSON text + orjson",
            lambda: one_query_values(cycles),
            RUNS,
        ),
        ("naive ModelSerializer with select_related", lambda: naive(cycles, related=True), 1),
        ("naive ModelSerializer, no select_related (N+1)", lambda: naive(cycles, related=False), 1),
    ]
    times = {}
    for label, work, runs in ways:
        with CaptureQueriesContext(connection) as captured:
            work()
        count = len(captured)  # read now: each request (and reset_queries) clears the log
        reset_queries()
        took = timed(work, runs=runs)
        times[label] = took
        body = took.result
        report.figure(
            label,
            took.best * 1000,
            "ms",
            baseline=floor.best * 1000,
            baseline_name="raw cursor + orjson",
            at_most=1.5 if not label.startswith("naive") else None,
            note=f"{count if count < 9000 else '≥ 9,000 (the log keeps 9,000)'} queries, "
            f"{len(body) / 2**20:.1f} MB, "
            f"{len(json.loads(body)):,} rows, best of {runs}",
        )
    slowest_naive = times["naive ModelSerializer with select_related"].best
    for label in [way[0] for way in ways if not way[0].startswith("naive")]:
        report.figure(
            f"speed-up over naive (select_related): {label.split(':')[0]}",
            slowest_naive / times[label].best,
            "×",
            ratio=slowest_naive / times[label].best,
            at_least=3,
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


def deep_pages(report: Report) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    figures = {}
    for page in (1, 200):
        url = f"/api/v1/agencies/?page={page}"
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        sql = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
        figures[page] = (timed(lambda u=url: client.get(u), runs=10, warmup=1), sql)
    first, deep = figures[1][0], figures[200][0]
    slowest = figures[200][1][0]
    report.figure(
        "API agencies ?page=200 (OFFSET 9,950)",
        deep.median * 1000,
        "ms",
        baseline=first.median * 1000,
        baseline_name="?page=1",
        note=f"{len(figures[200][1])} queries; slowest {float(slowest['time']) * 1000:.1f} ms: "
        f"{slowest['sql'][:110]}…",
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
