"""Recompute at national scale, end to end, against what the database alone needs.

1. The largest commune block of a year (Thanh Hoá 2024: 549 communes × 80 criteria,
   43,920 scores) through `rankings.cycles.services.cycle_recompute` (read the scores, the
   engine, write points and draft results), against one SQL query computing the same totals and
   ranks (SUM + RANK() OVER) from the stored points. Target: ≤ 3×.
2. A whole national year (190 cycles, ~960,000 scores, 12,070 results) through the
   product's bulk path, `rankings.cycles.year_recompute.year_recompute` (COPY out per batch
   of cycles, one engine call per criteria set and batch, DELETE + COPY in of the drafts,
   points written back only when changed), against the I/O floor: `COPY (SELECT … the
   year's scores) TO STDOUT` into a pandas frame, then replacing the year's draft results by `COPY
   rankings_result FROM STDIN` of the same rows. Target: ≤ 1.5×. Floor and bulk runs
   alternate (BENCH_RUNS each) so both see the same load. The drafts must be identical to
   `cycle_recompute`'s: the year is first recomputed cycle by cycle (timed, as context)
   and an md5 over every field of the drafts is compared after the bulk runs.
3. Peak memory: tracemalloc's peak over one block recompute and over one bulk year, and
   the process's peak RSS during the bulk year (VmHWM, reset just before; getrusage's max
   RSS where /proc is missing). BENCH_TRACE_YEAR=1 also traces the per-cycle year (about
   twice as slow). Target: ≤ 1 GB.

Writes rewrite the draft results (same values, new ids): run it on a copy
(`createdb -T egov_helper_b egov_bench`); a database whose name lacks "bench" is refused
unless BENCH_ALLOW_WRITES=1. `make bench-national` or
`DATABASE_URL=postgres://…/egov_bench .venv/bin/python bench/national_recompute.py`.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
import tracemalloc
from collections import defaultdict
from contextlib import ExitStack, contextmanager
from pathlib import Path
from unittest import mock

from common import Report, django_setup, largest_cycle, load, max_rss_mb, timed, writes_allowed

YEAR = int(os.environ.get("BENCH_YEAR", "2024"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
MEMORY_TARGET_MB = 1024

# The engine's published rule, in SQL: totals rounded half-up to the criteria set's
# precision, competition ranks, no rank below the "not ranked" threshold.
SQL_RANKS = """
    SELECT agency_id, score,
           CASE WHEN ranked THEN RANK() OVER (PARTITION BY ranked ORDER BY score DESC) END
    FROM (SELECT agency_id, ROUND(SUM(points), %(precision)s) AS score,
                 %(threshold)s::numeric IS NULL OR SUM(points) >= %(threshold)s AS ranked
          FROM rankings_score WHERE cycle_id = %(cycle)s AND stage = 'final'
          GROUP BY agency_id) AS totals
"""
YEAR_SCORES = """
    COPY (SELECT s.id, s.cycle_id, s.agency_id, c.code, s.value, s.denominator, s.choice,
                 s.points
          FROM rankings_score s
          JOIN rankings_criterion c ON c.id = s.criterion_id
          JOIN rankings_assessmentcycle y ON y.id = s.cycle_id
          WHERE y.year = {year} AND s.stage = 'final') TO STDOUT WITH (FORMAT csv)
"""
RESULT_COLUMNS = (
    "total, score, percent, rank, band, not_ranked_reason, groups, criteria, agency_id, "
    "cycle_id, publication_id"
)


def unordered_score_records(*, cycle, stage="final") -> list[dict]:
    """PROPOSED, measured here only: `frames.score_records` with `.order_by()`.

    `Score.Meta.ordering` (cycle, agency, criterion, stage) follows each model's own
    ordering, so the selector's query joins ten tables and sorts 44,000 rows by 16 keys
    (on disk at work_mem 4 MB) for a result nobody needs in order.
    """
    from rankings.models import Score

    rows = (
        Score.objects.filter(cycle=cycle, stage=stage)
        .order_by()
        .values_list(
            "id", "agency_id", "criterion__code", "value", "denominator", "choice", "points"
        )
    )
    return [
        {
            "id": score_id,
            "agency": agency_id,
            "block": cycle.block_id,
            "criterion": code,
            "value": value,
            "denominator": denominator,
            "choice": choice or None,
            "points": points,
        }
        for score_id, agency_id, code, value, denominator, choice, points in rows
    ]


def proposed():
    """`cycle_recompute` with the score read unordered (the proposed one-line change)."""
    from rankings.cycles import services

    return mock.patch.object(services, "score_records", unordered_score_records)


@contextmanager
def phases():
    """Time the steps of `cycle_recompute` by wrapping what it calls (no copy of its code)."""
    import scoring
    from rankings.cycles import services
    from rankings.models import Result, Score

    spent: dict[str, float] = defaultdict(float)

    def wrap(owner, name: str, label: str):
        original = getattr(owner, name)

        def timed_call(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - start

        return mock.patch.object(owner, name, timed_call)

    with ExitStack() as stack:
        for owner, name, label in [
            (services, "criteria_frame", "read criteria"),
            (services, "ranking_rules", "read criteria"),
            (services, "score_records", "read scores (ORM values_list → dicts)"),
            (scoring, "inputs_from_records", "dicts → input frame"),
            (scoring, "compute", "engine compute"),
            (services, "_result_rows", "Result objects (Python)"),
            (Score.objects, "bulk_update", "write: Score bulk_update"),
            (Result.objects, "bulk_create", "write: Result bulk_create"),
        ]:
            stack.enter_context(wrap(owner, name, label))
        yield spent


def block_benchmark(report: Report, cycle) -> None:
    from django.db import connection

    from rankings.cycles import services
    from rankings.models import Result

    scores = cycle.scores.count()
    rules = cycle.criteria_set
    report.note(
        f"block: {cycle.province.slug}/{cycle.year}/{cycle.block.slug} (cycle {cycle.pk}), "
        f"{scores:,} scores"
    )
    product = timed(lambda: services.cycle_recompute(cycle=cycle), runs=RUNS, warmup=1)
    summary = product.result

    def sql():
        with connection.cursor() as cursor:
            cursor.execute(
                SQL_RANKS,
                {
                    "cycle": cycle.pk,
                    "precision": rules.precision,
                    "threshold": rules.not_ranked_below,
                },
            )
            return cursor.fetchall()

    baseline = timed(sql, runs=max(RUNS, 5), warmup=1)
    report.figure(
        "block recompute (cycle_recompute, best)",
        product.best * 1000,
        "ms",
        baseline=baseline.best * 1000,
        baseline_name="one SQL: ROUND(SUM) + RANK() OVER",
        at_most=3,
        note=f"median {product.median * 1000:.0f} ms vs {baseline.median * 1000:.0f} ms; "
        f"{summary.agencies} results, {summary.scores_updated} scores changed",
    )
    engine_ranks = dict(
        Result.objects.filter(cycle=cycle, publication__isnull=True).values_list(
            "agency_id", "rank"
        )
    )
    sql_ranks = {agency: rank for agency, _total, rank in baseline.result}
    agree = sum(engine_ranks.get(agency) == rank for agency, rank in sql_ranks.items())
    report.note(f"ranks identical, engine vs SQL: {agree}/{len(sql_ranks)} agencies")

    with phases() as spent:
        start = time.perf_counter()
        services.cycle_recompute(cycle=cycle)
        total = time.perf_counter() - start
    accounted = sum(spent.values())
    report.note(f"where one recompute's {total * 1000:.0f} ms go ({load()}):")
    for label, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        report.note(f"    {label:40s} {seconds * 1000:7.0f} ms  {seconds / total:5.1%}")
    rest = total - accounted
    report.note(
        f"    {'rest: points dict, diff, DELETE drafts':40s} {rest * 1000:7.0f} ms  "
        f"{rest / total:5.1%}"
    )

    with proposed():
        better = timed(lambda: services.cycle_recompute(cycle=cycle), runs=RUNS, warmup=1)
    report.figure(
        "PROPOSED block recompute, score read with .order_by()",
        better.best * 1000,
        "ms",
        baseline=baseline.best * 1000,
        baseline_name="one SQL: ROUND(SUM) + RANK() OVER",
        at_most=3,
        note=f"{product.best / better.best:.1f}× faster than today's "
        f"{product.best * 1000:.0f} ms (bench-only patch of its score_records)",
    )

    tracemalloc.start()
    services.cycle_recompute(cycle=cycle)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    report.figure(
        "peak memory of one block recompute (tracemalloc)",
        peak / 2**20,
        "MB",
        baseline=MEMORY_TARGET_MB,
        baseline_name="target",
        at_most=1,
    )


def year_floor(report: Report, year: int, cycle_ids: list[int]) -> tuple[float, int, int]:
    """COPY the year's scores out into pandas; replace its draft results by COPY in."""
    import pandas as pd
    from django.db import connection, transaction

    # The rows to write back: the year's draft results as they are (read untimed).
    rows = io.StringIO()
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY (SELECT {RESULT_COLUMNS} FROM rankings_result "
            f"WHERE publication_id IS NULL AND cycle_id = ANY(ARRAY{cycle_ids})) TO STDOUT",
            rows,
        )
    text = rows.getvalue()
    n_results = text.count("\n")

    start = time.perf_counter()
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        cursor.copy_expert(YEAR_SCORES.format(year=int(year)), buffer)
    buffer.seek(0)
    frame = pd.read_csv(
        buffer,
        header=None,
        names=["id", "cycle", "agency", "criterion", "value", "denominator", "choice", "points"],
        dtype={"criterion": "category", "choice": "category"},
    )
    read = time.perf_counter() - start
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM rankings_result WHERE publication_id IS NULL AND cycle_id = ANY(%s)",
            [cycle_ids],
        )
        cursor.copy_expert(f"COPY rankings_result ({RESULT_COLUMNS}) FROM STDIN", io.StringIO(text))
    write = time.perf_counter() - start
    report.note(
        f"floor: COPY {len(frame):,} scores out → pandas {read:.2f} s; "
        f"DELETE + COPY {n_results:,} results in {write:.2f} s ({load()})"
    )
    return read + write, len(frame), n_results


DRAFTS_DIGEST = """
    SELECT md5(string_agg(concat_ws('|', cycle_id, agency_id, total, score, percent, rank,
                                    band, not_ranked_reason, groups::text, criteria::text),
                          ',' ORDER BY cycle_id, agency_id))
    FROM rankings_result WHERE publication_id IS NULL AND cycle_id = ANY(%s)
"""


def drafts_digest(cycle_ids: list[int]) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(DRAFTS_DIGEST, [cycle_ids])
        return cursor.fetchone()[0]


def peak_rss_reset() -> bool:
    """Reset the process's peak RSS (Linux: VmHWM), so the next reading is one step's own."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return max_rss_mb()


def year_benchmark(report: Report, year: int) -> None:
    from rankings.cycles import services
    from rankings.cycles.year_recompute import year_recompute
    from rankings.models import AssessmentCycle

    cycles = list(
        AssessmentCycle.objects.filter(year=year)
        .select_related("province", "block", "criteria_set")
        .order_by("pk")
    )
    ids = [cycle.pk for cycle in cycles]

    def whole_year():
        results = 0
        for cycle in cycles:
            results += services.cycle_recompute(cycle=cycle).agencies
        return results

    # Context: today's per-cycle path, once; its drafts are the reference for identity.
    start = time.perf_counter()
    results = whole_year()
    per_cycle = time.perf_counter() - start
    expected = drafts_digest(ids)

    # The product's bulk path and the floor, alternated so both see the same load.
    floors, bulks, summary = [], [], None
    for _ in range(max(RUNS, 2)):
        floors.append(year_floor(report, year, ids)[0])
        start = time.perf_counter()
        summary = year_recompute(year=year)
        bulks.append(time.perf_counter() - start)
    same = drafts_digest(ids) == expected
    floor = min(floors)
    report.figure(
        f"national year {year} recompute, product bulk path "
        "(rankings.cycles.year_recompute.year_recompute)",
        min(bulks),
        "s",
        baseline=floor,
        baseline_name="COPY scores out → pandas + DELETE/COPY results in",
        at_most=1.5,
        note=f"best of {len(bulks)}, alternated with the floor; medians "
        f"{statistics.median(bulks):.2f} vs {statistics.median(floors):.2f} s "
        f"(ratio {statistics.median(bulks) / statistics.median(floors):.2f}); "
        f"{summary.results:,} results, {summary.scores_updated} points changed; "
        f"draft results identical to cycle_recompute's (md5 over every field): {same}",
    )
    report.figure(
        f"national year {year}, cycle_recompute cycle by cycle (context)",
        per_cycle,
        "s",
        baseline=floor,
        baseline_name="COPY scores out → pandas + DELETE/COPY results in",
        note=f"{results:,} results; the bulk path is {per_cycle / min(bulks):.1f}× faster",
    )
    if os.environ.get("BENCH_SKIP_PROPOSED") != "1":
        with proposed():
            start = time.perf_counter()
            whole_year()
            better = time.perf_counter() - start
        report.figure(
            f"PROPOSED national year {year} per cycle, score read with .order_by()",
            better,
            "s",
            baseline=floor,
            baseline_name="COPY scores out → pandas + DELETE/COPY results in",
            note=f"{per_cycle / better:.1f}× faster than today's per-cycle {per_cycle:.1f} s",
        )
        year_recompute(year=year)  # the drafts as the product writes them

    reset = peak_rss_reset()
    tracemalloc.start()
    year_recompute(year=year)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    report.figure(
        "peak memory of the bulk year (tracemalloc)",
        peak / 2**20,
        "MB",
        baseline=MEMORY_TARGET_MB,
        baseline_name="target",
        at_most=1,
    )
    report.figure(
        "peak RSS of the process during the bulk year"
        if reset
        else "process max RSS after the year (getrusage)",
        peak_rss_mb() if reset else max_rss_mb(),
        "MB",
        baseline=MEMORY_TARGET_MB,
        baseline_name="target",
        at_most=1,
        note="VmHWM reset just before the bulk run (Django, pandas and the process's other "
        "memory included)"
        if reset
        else "",
    )
    if os.environ.get("BENCH_TRACE_YEAR") == "1":
        tracemalloc.start()
        whole_year()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        report.figure(
            "peak memory of the whole year cycle by cycle (tracemalloc)",
            peak / 2**20,
            "MB",
            baseline=MEMORY_TARGET_MB,
            baseline_name="target",
            at_most=1,
        )
        year_recompute(year=year)


def main() -> int:
    django_setup()
    report = Report("recompute")
    if not writes_allowed():
        print(
            "skipped: these benchmarks rewrite draft results; point DATABASE_URL at a copy "
            "whose name contains 'bench' (createdb -T egov_helper_b egov_bench) or set "
            "BENCH_ALLOW_WRITES=1.",
            file=sys.stderr,
        )
        return 2
    cycle = largest_cycle(YEAR)
    if cycle is None:
        print(f"no cycle in {YEAR}: run seed_national --seed 42 first", file=sys.stderr)
        return 2
    if os.environ.get("BENCH_SKIP_BLOCK") != "1":
        block_benchmark(report, cycle)
    if os.environ.get("BENCH_SKIP_YEAR") != "1":
        year_benchmark(report, YEAR)
    report.save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
