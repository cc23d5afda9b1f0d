"""Recompute at national scale, end to end, against what the database alone needs.

1. The largest commune block of a year (Thanh Hoá 2024: 549 communes × 80 criteria,
   43,920 scores) through `rankings.services.cycle_recompute` (read the scores, the engine,
   write points and draft results), against one SQL query computing the same totals and
   ranks (SUM + RANK() OVER) from the stored points. Target: ≤ 3×.
2. A whole national year (190 cycles, ~960,000 scores, 12,070 results) through
   `cycle_recompute` cycle by cycle, against the I/O floor: `COPY (SELECT … the year's
   scores) TO STDOUT` into a pandas frame, then replacing the year's draft results by
   `COPY rankings_result FROM STDIN` of the same rows. Target: ≤ 1.5×.
3. Peak memory: tracemalloc's peak over one block recompute (the year runs cycle after
   cycle, so its peak is its largest block's; BENCH_TRACE_YEAR=1 traces the whole year
   too, about twice as slow) and the process's max RSS (getrusage). Target: ≤ 1 GB.

Writes rewrite the draft results (same values, new ids): run it on a copy
(`createdb -T egov_helper_b egov_bench`); a database whose name lacks "bench" is refused
unless BENCH_ALLOW_WRITES=1. `make bench-national` or
`DATABASE_URL=postgres://…/egov_bench .venv/bin/python bench/national_recompute.py`.
"""

from __future__ import annotations

import io
import os
import sys
import time
import tracemalloc
from collections import defaultdict
from contextlib import ExitStack, contextmanager
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
    """PROPOSED, measured here only: `selectors.score_records` with `.order_by()`.

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
    from rankings import selectors

    return mock.patch.object(selectors, "score_records", unordered_score_records)


@contextmanager
def phases():
    """Time the steps of `cycle_recompute` by wrapping what it calls (no copy of its code)."""
    import scoring
    from rankings import selectors, services
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
            (selectors, "criteria_frame", "read criteria"),
            (selectors, "ranking_rules", "read criteria"),
            (selectors, "score_records", "read scores (ORM values_list → dicts)"),
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

    from rankings import services
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
        f"{product.best * 1000:.0f} ms (bench-only patch of rankings.selectors.score_records)",
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


BULK_SCORES = """
    COPY (SELECT s.cycle_id, s.agency_id, c.code, (s.value * 1000)::bigint,
                 (s.denominator * 1000)::bigint, NULLIF(s.choice, ''), (s.points * 1000)::bigint
          FROM rankings_score s
          JOIN rankings_criterion c ON c.id = s.criterion_id
          JOIN rankings_assessmentcycle y ON y.id = s.cycle_id
          WHERE y.year = {year} AND s.stage = 'final') TO STDOUT WITH (FORMAT csv)
"""


def _milli_text(values) -> list[str]:
    """Thousandths as the decimal text `str(Decimal)` gives them: 1250 → "1.250"."""
    return [f"{m // 1000}.{m % 1000:03d}" for m in values.tolist()]


def _copy_text(value) -> str:
    import pandas as pd

    if value is None or pd.isna(value):
        return "\\N"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def bulk_year(year: int, cycles) -> tuple[int, int]:
    """PROTOTYPE of a year's recompute in bulk, measured here only (not product code).

    One COPY out of the year's scores (values in thousandths), one engine call per criteria
    set over all its cycles (the cycle is the engine's block, as seed_national does), the
    draft results replaced by one DELETE and one COPY in. Points that changed would be
    written back by COPY into a temp table + one UPDATE … FROM; none change here, so only
    the comparison is done. Returns (results written, points that changed).
    """
    import pandas as pd
    from django.db import connection, transaction

    import scoring
    from rankings import selectors

    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        cursor.copy_expert(BULK_SCORES.format(year=int(year)), buffer)
    buffer.seek(0)
    frame = pd.read_csv(
        buffer,
        header=None,
        names=["block", "agency", "criterion", "value", "denominator", "choice", "stored"],
        dtype={
            "criterion": "category",
            "choice": "category",
            "value": "Int64",
            "denominator": "Int64",
            "stored": "int64",
        },
    )
    sets: dict[int, list] = defaultdict(list)
    for cycle in cycles:
        sets[cycle.criteria_set_id].append(cycle)
    lines, changed = [], 0
    for members in sets.values():
        criteria_set = members[0].criteria_set
        inputs = frame[frame["block"].isin([cycle.pk for cycle in members])]
        card = scoring.compute(
            selectors.criteria_frame(criteria_set=criteria_set),
            inputs[list(scoring.inputs.INPUT_COLUMNS)],
            selectors.ranking_rules(criteria_set=criteria_set),
        )
        stored = inputs.set_index(["agency", "criterion"])["stored"]
        fresh = card.points.set_index(["agency", "criterion"])["points"]
        changed += int((fresh.reindex(stored.index).to_numpy() != stored.to_numpy()).sum())
        lines.extend(_result_lines(card))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM rankings_result WHERE publication_id IS NULL AND cycle_id = ANY(%s)",
            [[cycle.pk for cycle in cycles]],
        )
        cursor.copy_expert(
            f"COPY rankings_result ({RESULT_COLUMNS}) FROM STDIN", io.StringIO("".join(lines))
        )
    return len(lines), changed


def _result_lines(card) -> list[str]:
    """COPY lines of the draft results, field for field as `_result_rows` builds them."""
    import json

    sums: dict[int, dict] = defaultdict(dict)
    for frame, key in ((card.groups, "group"), (card.subgroups, "subgroup")):
        if frame.empty:
            continue
        for agency, code, text in zip(
            frame["agency"].tolist(),
            frame[key].astype(str).tolist(),
            _milli_text(frame["points"].to_numpy()),
            strict=True,
        ):
            sums[agency][code] = text
    points: dict[int, dict] = defaultdict(dict)
    for agency, code, text in zip(
        card.points["agency"].tolist(),
        card.points["criterion"].astype(str).tolist(),
        _milli_text(card.points["points"].to_numpy()),
        strict=True,
    ):
        points[agency][code] = text
    results = card.results
    percents = [str(p) for p in card.percent().tolist()]
    lines = []
    for agency, block, total, score, percent, rank, band, reason in zip(
        results["agency"].tolist(),
        results["block"].tolist(),
        _milli_text(results["total"].to_numpy()),
        _milli_text(results["score"].to_numpy()),
        percents,
        results["rank"].astype(object).tolist(),
        results["band"].tolist(),
        results["not_ranked_reason"].tolist(),
        strict=True,
    ):
        fields = [
            total,
            score,
            percent,
            _copy_text(rank),
            _copy_text(band or ""),
            _copy_text(reason or ""),
            _copy_text(json.dumps(sums.get(agency, {}))),
            _copy_text(json.dumps(points.get(agency, {}))),
            str(agency),
            str(block),
            "\\N",
        ]
        lines.append("\t".join(fields) + "\n")
    return lines


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


def year_benchmark(report: Report, year: int) -> None:
    from rankings import services
    from rankings.models import AssessmentCycle

    cycles = list(
        AssessmentCycle.objects.filter(year=year)
        .select_related("province", "block", "criteria_set")
        .order_by("pk")
    )
    ids = [cycle.pk for cycle in cycles]
    floor = min(year_floor(report, year, ids)[0] for _ in range(2))

    def whole_year():
        results = 0
        for cycle in cycles:
            results += services.cycle_recompute(cycle=cycle).agencies
        return results

    start = time.perf_counter()
    results = whole_year()
    product = time.perf_counter() - start
    report.figure(
        f"national year {year} recompute ({len(cycles)} cycles, cycle_recompute each)",
        product,
        "s",
        baseline=floor,
        baseline_name="COPY scores out → pandas + DELETE/COPY results in",
        at_most=1.5,
        note=f"{results:,} results written",
    )
    expected = drafts_digest(ids)
    start = time.perf_counter()
    written, changed = bulk_year(year, cycles)
    bulk = time.perf_counter() - start
    same = drafts_digest(ids) == expected
    report.figure(
        f"PROTOTYPE national year {year} in bulk (COPY out, engine per criteria set, COPY in)",
        bulk,
        "s",
        baseline=floor,
        baseline_name="COPY scores out → pandas + DELETE/COPY results in",
        at_most=1.5,
        note=f"{written:,} results, {changed} points changed; draft results identical to "
        f"cycle_recompute's: {same}",
    )
    if not same:
        whole_year()  # put cycle_recompute's own drafts back
    if os.environ.get("BENCH_SKIP_PROPOSED") != "1":
        with proposed():
            start = time.perf_counter()
            whole_year()
            better = time.perf_counter() - start
        report.figure(
            f"PROPOSED national year {year}, score read with .order_by()",
            better,
            "s",
            baseline=floor,
            baseline_name="COPY scores out → pandas + DELETE/COPY results in",
            at_most=1.5,
            note=f"{product / better:.1f}× faster than today's {product:.1f} s",
        )
    report.figure(
        "process max RSS after the year (getrusage)",
        max_rss_mb(),
        "MB",
        baseline=MEMORY_TARGET_MB,
        baseline_name="target",
        at_most=1,
    )
    if os.environ.get("BENCH_TRACE_YEAR") == "1":
        tracemalloc.start()
        whole_year()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        report.figure(
            "peak memory of the whole year (tracemalloc)",
            peak / 2**20,
            "MB",
            baseline=MEMORY_TARGET_MB,
            baseline_name="target",
            at_most=1,
        )


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
    block_benchmark(report, cycle)
    if os.environ.get("BENCH_SKIP_YEAR") != "1":
        year_benchmark(report, YEAR)
    report.save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
