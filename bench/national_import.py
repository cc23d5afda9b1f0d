"""Imports at national scale: a province's file, and the baseline for a national CSV.

1. A province's .xlsx (the cycle's own template, ~200 communes × 80 criteria, filled with
   the stored scores) through `rankings.imports.import_parse` and then `import_preview`
   (which writes nothing), against openpyxl's read-only parse of the same file
   (`iter_rows(values_only=True)`). Target: parse ≤ 2×. The same grid saved as CSV through
   `import_parse` too, for comparison.
2. A national CSV of one year (~960,000 values, long format: province, block, year,
   agency, criterion, value, denominator, choice) through the product command
   `manage.py import_scores_csv` (every line checked, changed scores and their audit rows
   written, the touched cycles recomputed in bulk, one transaction), against psql's
   `\\copy` of the same file into a scratch TEMP table, alternated (BENCH_RUNS each).
   Target: throughput ≥ 0.25× psql's, peak memory ≤ 300 MB (tracemalloc, and the peak
   RSS of the command run in a process of its own). The file holds the
   stored values, so the product checks, compares and recomputes but writes no score;
   then, as context, a file changing every value (halved, choices moved) is imported and
   the original imported back, each writing ~960,000 scores and as many audit rows.
   The draft results are VACUUMed before each product run (autovacuum is off on the bench
   cluster; each recompute leaves 12,070 dead rows behind). The import writes: it runs
   only on a database whose name contains "bench" (or with BENCH_ALLOW_WRITES=1).
   BENCH_SKIP_XLSX=1 / BENCH_SKIP_CSV=1 run one part only.

`make bench-national`, or `DATABASE_URL=postgres://… .venv/bin/python bench/national_import.py`.
"""

from __future__ import annotations

import csv
import io
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections import defaultdict

from common import (
    ROOT,
    Report,
    database_url,
    django_setup,
    load,
    timed,
    writes_allowed,
)

YEAR = int(os.environ.get("BENCH_YEAR", "2024"))
AGENCIES = int(os.environ.get("BENCH_IMPORT_AGENCIES", "200"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))


def province_cycle(year: int, agencies: int):
    """The commune cycle of `year` whose published block is nearest `agencies` in size."""
    from django.db.models import Count, Q

    from rankings.models import AssessmentCycle

    cycles = (
        AssessmentCycle.objects.filter(
            year=year, province__is_national=False, block__slug="communes"
        )
        .select_related("province", "block", "criteria_set")
        .annotate(n=Count("results", filter=Q(results__publication__isnull=False)))
    )
    return min(cycles, key=lambda cycle: (abs(cycle.n - agencies), cycle.pk))


def filled_template(cycle) -> tuple[bytes, int, int]:
    """The cycle's template with every stored final score typed in, as a user would."""
    from openpyxl import load_workbook

    from rankings.imports.template_workbook import ENTRY_SHEET, cycle_template_xlsx
    from rankings.models import RuleKind, Score, Stage

    workbook = load_workbook(io.BytesIO(cycle_template_xlsx(cycle=cycle)))
    sheet = workbook[ENTRY_SHEET]
    header = next(row[0].row for row in sheet.iter_rows() if row[0].value == "agency_slug")
    columns = {cell.value: cell.column for cell in sheet[header] if cell.value}
    rows = {sheet.cell(row=r, column=1).value: r for r in range(header + 2, sheet.max_row + 1)}
    scores = (
        Score.objects.filter(cycle=cycle, stage=Stage.FINAL)
        .order_by()
        .values_list(
            "agency__slug", "criterion__code", "criterion__rule", "value", "denominator", "choice"
        )
    )
    cells = 0
    for slug, code, rule, value, denominator, choice in scores:
        if slug not in rows:
            continue
        row = rows[slug]
        if rule == RuleKind.RATIO:
            sheet.cell(row=row, column=columns[f"{code} a"], value=_number(value))
            sheet.cell(row=row, column=columns[f"{code} b"], value=_number(denominator))
            cells += 2
        elif rule == RuleKind.CHOICE:
            sheet.cell(row=row, column=columns[code], value=choice or None)
            cells += 1
        else:
            sheet.cell(row=row, column=columns[code], value=_number(value))
            cells += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), len(rows), cells


def _number(value):
    if value is None:
        return None
    return int(value) if value == value.to_integral() else float(value)


def as_csv(upload: bytes) -> bytes:
    """The entry sheet saved as CSV (UTF-8), as a user's "Save as CSV" would."""
    from openpyxl import load_workbook

    from rankings.imports.template_workbook import ENTRY_SHEET

    sheet = load_workbook(io.BytesIO(upload), read_only=True)[ENTRY_SHEET]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in sheet.iter_rows(values_only=True):
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode("utf-8")


def openpyxl_floor(upload: bytes) -> int:
    from openpyxl import load_workbook

    from rankings.imports.template_workbook import ENTRY_SHEET

    workbook = load_workbook(io.BytesIO(upload), read_only=True, data_only=False)
    try:
        return sum(1 for _ in workbook[ENTRY_SHEET].iter_rows(values_only=True))
    finally:
        workbook.close()


def province_file(report: Report) -> None:
    from rankings.imports import services

    cycle = province_cycle(YEAR, AGENCIES)
    upload, agencies, cells = filled_template(cycle)
    report.note(
        f"file: {cycle.province.slug}/{YEAR}/communes template, {agencies} agencies, "
        f"{cells:,} cells, {len(upload) / 1024:.0f} kB ({load()})"
    )
    phases: dict[str, float] = defaultdict(float)
    last = [time.perf_counter(), ""]

    def progress(phase: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if last[1]:
            phases[last[1]] += now - last[0]
        last[:] = [now, phase]

    def parse(data=upload, name="communes.xlsx", tracked=False):
        last[:] = [time.perf_counter(), ""]
        parsed = services.import_parse(
            cycle=cycle, upload=data, filename=name, progress=progress if tracked else None
        )
        if not parsed.ok:
            raise SystemExit(f"the filled template has problems: {parsed.problems[:3]}")
        return parsed

    floor = timed(lambda: openpyxl_floor(upload), runs=RUNS, warmup=1)
    product = timed(parse, runs=RUNS, warmup=1)
    parsed = product.result
    preview = timed(lambda: services.import_preview(cycle=cycle, parsed=parsed), runs=RUNS)
    report.figure(
        "import_parse of the province .xlsx",
        product.best * 1000,
        "ms",
        baseline=floor.best * 1000,
        baseline_name="openpyxl read-only iter_rows(values_only)",
        at_most=2,
        note=f"{len(parsed.rows)} rows parsed; median {product.median * 1000:.0f} ms",
    )
    report.figure(
        "import_parse + import_preview",
        (product.best + preview.best) * 1000,
        "ms",
        baseline=floor.best * 1000,
        baseline_name="openpyxl read-only iter_rows(values_only)",
        note=f"preview alone {preview.best * 1000:.0f} ms ({len(preview.result.rows)} rows)",
    )
    parse(tracked=True)
    progress("end", 0, 0)
    report.note(
        "import_parse by phase (progress callback): "
        + ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in phases.items())
    )
    data = as_csv(upload)
    text = timed(lambda: parse(data, "communes.csv"), runs=RUNS, warmup=1)
    report.figure(
        "import_parse of the same grid as CSV",
        text.best * 1000,
        "ms",
        baseline=floor.best * 1000,
        baseline_name="openpyxl read-only of the .xlsx",
        note=f"{len(data) / 1024:.0f} kB; per value "
        f"{text.best / cells * 1e6:.1f} µs → a national year (~960,000 values) "
        f"≈ {text.best / cells * 960_000:.0f} s through the per-cycle path",
    )


NATIONAL_CSV = """
    COPY (SELECT p.slug AS province, b.slug AS block, y.year, a.slug AS agency,
                 c.code AS criterion, s.value, s.denominator, NULLIF(s.choice, '') AS choice
          FROM rankings_score s
          JOIN rankings_assessmentcycle y ON y.id = s.cycle_id
          JOIN agencies_province p ON p.id = y.province_id
          JOIN agencies_block b ON b.id = y.block_id
          JOIN agencies_agency a ON a.id = s.agency_id
          JOIN rankings_criterion c ON c.id = s.criterion_id
          WHERE y.year = {year} AND s.stage = 'final'
          ORDER BY y.id, a.id, c."order")
    TO STDOUT WITH (FORMAT csv, HEADER true)
"""
SCRATCH = """
CREATE TEMP TABLE national_csv (
    province text, block text, year int, agency text, criterion text,
    value numeric(15,3), denominator numeric(15,3), choice text);
\\copy national_csv FROM '{path}' WITH (FORMAT csv, HEADER true)
SELECT count(*) FROM national_csv;
"""
MEMORY_TARGET_MB = 300
# Runs manage.py (argv[1]) with the rest of argv, then prints its own peak RSS in MB.
OWN_PEAK = """
import runpy, sys
from pathlib import Path
script, sys.argv = sys.argv[1], sys.argv[2:]
try:
    runpy.run_path(script, run_name="__main__")
finally:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            print(int(line.split()[1]) / 1024, file=sys.stderr)
"""


def changed_copy(path, out) -> int:
    """The file with every value changed and still valid: numbers halved (3 decimals,
    rounded down, so a ≤ b and maxima hold), choices moved to the criterion's next key."""
    from decimal import ROUND_DOWN, Decimal

    from rankings.models import AssessmentCycle, Criterion

    keys = {
        (slug, code): list(params.get("choices", {}))
        for code, params, slug in Criterion.objects.filter(rule="choice").values_list(
            "code", "params", "criteria_set__slug"
        )
    }
    sets = {
        (province, block): slug
        for province, block, slug in AssessmentCycle.objects.filter(year=YEAR).values_list(
            "province__slug", "block__slug", "criteria_set__slug"
        )
    }
    changed = 0
    with path.open(newline="") as source, out.open("w", newline="") as target:
        rows = csv.reader(source)
        writer = csv.writer(target, lineterminator="\n")
        writer.writerow(next(rows))
        for province, block, year, agency, code, value, denominator, choice in rows:
            if choice:
                offered = keys.get((sets.get((province, block)), code)) or [choice]
                choice = offered[(offered.index(choice) + 1) % len(offered)]
            elif value:
                half = (Decimal(value) / 2).quantize(Decimal("0.001"), ROUND_DOWN)
                value = f"{half:f}"
            changed += 1
            writer.writerow([province, block, year, agency, code, value, denominator, choice])
    return changed


def vacuum_results() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE rankings_result")


def national_csv(report: Report) -> None:
    from django.core.management import call_command
    from django.db import connection

    path = ROOT / "var" / "bench" / f"national-{YEAR}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out, connection.cursor() as cursor:
        cursor.copy_expert(NATIONAL_CSV.format(year=int(YEAR)), out)
    size = path.stat().st_size
    script = path.with_suffix(".sql")
    script.write_text(SCRATCH.format(path=path))
    command = ["psql", database_url(), "-X", "-q", "-t", "-v", "ON_ERROR_STOP=1", "-f", script]

    def psql():
        return subprocess.run(command, check=True, capture_output=True, text=True)

    def product(source=path):
        vacuum_results()  # untimed: production runs autovacuum
        out = io.StringIO()
        start = time.perf_counter()
        call_command(
            "import_scores_csv", source, "--year", str(YEAR), "--reason", "bench", stdout=out
        )
        return time.perf_counter() - start, out.getvalue().strip()

    if not writes_allowed():
        took = timed(psql, runs=RUNS)
        report.figure(
            f"psql \\copy of the national {YEAR} CSV into a TEMP table",
            took.best,
            "s",
            note=f"{int(took.result.stdout.strip()):,} values, {size / 2**20:.0f} MB; the "
            "product import writes, so it runs only on a *bench* database",
        )
        return
    floors, products, said = [], [], ""
    for _ in range(max(RUNS, 2)):
        start = time.perf_counter()
        rows = int(psql().stdout.strip())
        floors.append(time.perf_counter() - start)
        took, said = product()
        products.append(took)
    floor, best = min(floors), min(products)
    report.figure(
        f"national {YEAR} CSV through import_scores_csv, throughput vs psql \\copy",
        floor / best,
        "×",
        baseline=1.0,
        baseline_name=f"psql \\copy {floor:.2f} s (best of {len(floors)}); import {best:.2f} s",
        ratio=floor / best,
        at_least=0.25,
        note=f"{rows:,} values, {size / 2**20:.0f} MB; medians "
        f"{statistics.median(products):.2f} vs {statistics.median(floors):.2f} s (ratio "
        f"{statistics.median(floors) / statistics.median(products):.2f}); {said}",
    )
    # The command's own peak RSS, in a process of its own, read by the process itself
    # (VmHWM of its own memory at exit). getrusage(RUSAGE_CHILDREN) would not do: Linux
    # carries the parent's high-water mark into a child across fork/vfork + exec, so every
    # child of this process (psql too) "peaked" at this process's own RSS, ~300 MB here.
    vacuum_results()
    argv = ["manage.py", "import_scores_csv", str(path), "--year", str(YEAR), "--reason", "bench"]
    done = subprocess.run(
        [sys.executable, "-c", OWN_PEAK, str(ROOT / "manage.py"), *argv],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    rss = float(done.stderr.strip().splitlines()[-1])
    tracemalloc.start()
    product()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    report.figure(
        "peak memory of the national import (tracemalloc)",
        peak / 2**20,
        "MB",
        baseline=MEMORY_TARGET_MB,
        baseline_name="target",
        at_most=1,
    )
    report.figure(
        "peak RSS of `manage.py import_scores_csv` (its own process)",
        rss,
        "MB",
        baseline=MEMORY_TARGET_MB,
        baseline_name="target",
        at_most=1,
        note="VmHWM of the command's own process, as `manage.py` runs it: Django, pandas "
        "and numpy (~100 MB) included",
    )
    if os.environ.get("BENCH_SKIP_CHANGED") == "1":
        return
    changed = path.with_name(f"national-{YEAR}-changed.csv")
    n = changed_copy(path, changed)
    start = time.perf_counter()
    rows = int(psql().stdout.strip())
    floor = time.perf_counter() - start
    took, said = product(changed)
    report.figure(
        f"CONTEXT: a {YEAR} CSV changing every value, through import_scores_csv",
        floor / took,
        "×",
        baseline=1.0,
        baseline_name=f"psql \\copy {floor:.2f} s; import {took:.2f} s",
        ratio=floor / took,
        note=f"{n:,} values rewritten (halved, choices moved); {said}",
    )
    took, said = product(path)
    report.figure(
        f"CONTEXT: the original {YEAR} CSV imported back",
        floor / took,
        "×",
        baseline=1.0,
        baseline_name=f"psql \\copy {floor:.2f} s; import {took:.2f} s",
        ratio=floor / took,
        note=said,
    )


def main() -> int:
    django_setup()
    report = Report("import")
    if os.environ.get("BENCH_SKIP_XLSX") != "1":
        province_file(report)
    if os.environ.get("BENCH_SKIP_CSV") != "1":
        national_csv(report)
    report.save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
