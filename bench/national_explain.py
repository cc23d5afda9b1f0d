"""EXPLAIN (ANALYZE, BUFFERS) of the hot queries, captured from the real code paths.

The largest leaderboard page, an agency profile in that block, recompute's score read and
the API's deep agency page are run once with their queries captured; the slowest of each
are explained (in a transaction rolled back, so nothing is ever written). Full plans go
to var/bench/explain/; the summary names each plan's costly nodes: sequential scans of
big tables, sorts that spill to disk, and the row estimates that were far off.

`make bench-national`, or `DATABASE_URL=postgres://… .venv/bin/python bench/national_explain.py`.
"""

from __future__ import annotations

import os
import re
import sys

from common import ROOT, Report, django_setup, largest_cycle

YEAR = int(os.environ.get("BENCH_YEAR", "2024"))
TOP = int(os.environ.get("BENCH_EXPLAIN_TOP", "3"))
OUT = ROOT / "var" / "bench" / "explain"
BIG_TABLES = ("rankings_score", "rankings_result", "agencies_agency")


def captured(work) -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        work()
    return list(queries.captured_queries)


def explain(sql: str) -> list[str]:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        plan = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True)
    return plan


def findings(plan: list[str]) -> list[str]:
    found = []
    for line in plan:
        text = line.strip().lstrip("->").strip()
        if text.startswith("Seq Scan") and any(t in text for t in BIG_TABLES):
            rows = re.search(r"actual time=\S+ rows=(\d+)", text)
            found.append(f"{text.split('  ')[0]} ({rows.group(1) if rows else '?'} rows)")
        elif "external merge" in text or "Disk:" in text:
            found.append(text)
        elif text.startswith(("Execution Time", "Sort Key")):
            found.append(text[:160])
        else:
            estimate = re.search(r"rows=(\d+) width.*actual time=\S+ rows=(\d+)", text)
            if estimate:
                planned, actual = int(estimate.group(1)), int(estimate.group(2))
                if actual > 1000 and (actual > 10 * planned or planned > 10 * actual):
                    found.append(
                        f"estimate off: {text.split('  ')[0]} planned {planned}, got {actual}"
                    )
    return found


def main() -> int:
    django_setup()
    from django.test import Client

    from rankings.frames import score_records
    from rankings.models import Result

    report = Report("explain")
    OUT.mkdir(parents=True, exist_ok=True)
    cycle = largest_cycle(YEAR)
    middle = (
        Result.objects.filter(cycle=cycle, publication__isnull=False, rank__isnull=False)
        .select_related("agency")
        .order_by("rank")[cycle.n // 2]
    )
    client = Client()
    where = f"{cycle.province.slug}/{YEAR}/{cycle.block.slug}"
    paths = {
        "leaderboard": lambda: client.get(f"/{where}/"),
        "profile": lambda: client.get(f"/{cycle.province.slug}/don-vi/{middle.agency.slug}/"),
        "score-read": lambda: score_records(cycle=cycle),
        "api-agencies-page-200": lambda: client.get("/api/v1/agencies/?page=200"),
    }
    for name, work in paths.items():
        work()  # warm
        queries = captured(work)
        total = sum(float(q["time"]) for q in queries)
        report.note(f"{name}: {len(queries)} queries, {total * 1000:.1f} ms in SQL")
        slowest = sorted(queries, key=lambda q: -float(q["time"]))[:TOP]
        for index, query in enumerate(slowest, start=1):
            plan = explain(query["sql"])
            path = OUT / f"{name}-{index}.txt"
            path.write_text(query["sql"] + "\n\n" + "\n".join(plan) + "\n")
            report.note(
                f"  #{index} {float(query['time']) * 1000:6.1f} ms  {query['sql'][:90]}…"
                f"  → {path.name}"
            )
            for line in findings(plan):
                report.note(f"        {line}")
    report.save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
