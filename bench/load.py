"""Load test: gunicorn (gthread) with DEBUG off against the benchmark database, driven by
locust in headless mode (bench/locustfile.py: 80 % pages, 15 % charts and exports, 5 % API).

For each worker count: start gunicorn, one visitor for BENCH_SINGLE_SECONDS (the
single-user percentiles), then BENCH_USERS visitors for BENCH_DURATION seconds; errors,
p50/p95 per kind and overall, requests/s, the CPU that locust itself took (it shares the
2 cores). Target: p95 under load ≤ 5× the single-user p95.

`make load` (DATABASE_URL=postgres://…/egov_bench), or
`.venv/bin/python bench/load.py --workers 2,3,4 --users 50 --duration 60`.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from common import PRODUCTION_ENV, ROOT, Report, collectstatic, django_setup, load

OUT = ROOT / "var" / "bench"
YEARS = range(2019, 2025)


def urls(seed: int = 42) -> dict[str, list[list]]:
    """Real, published URLs of every kind, with weights giving each kind its share."""
    from agencies.models import Agency
    from rankings.models import AssessmentCycle

    rng = random.Random(seed)
    cycles = list(
        AssessmentCycle.objects.exclude(publications=None)
        .filter(province__is_national=False)
        .select_related("province", "block")
        .order_by("pk")
    )
    sample = rng.sample(cycles, min(300, len(cycles)))
    boards = [f"/{c.province.slug}/{c.year}/{c.block.slug}/" for c in sample]
    agencies = list(
        Agency.objects.filter(results__publication__isnull=False, province__is_national=False)
        .select_related("province")
        .distinct()
        .order_by("pk")
        .values_list("province__slug", "slug", "pk")
    )
    profiles = rng.sample(agencies, min(300, len(agencies)))
    provinces = sorted({c.province.slug for c in cycles})
    blocks = sorted({(c.province.slug, c.block.slug) for c in cycles})

    def kind(name: str, share: float, items: list[str]) -> list[list]:
        return [[name, url, share / len(items)] for url in items]

    return {
        "pages": [
            *kind("page: leaderboard", 40, boards),
            *kind("page: agency", 40, [f"/{p}/don-vi/{s}/" for p, s, _ in profiles]),
            *kind("page: home", 10, ["/"]),
            *kind("page: province", 5, [f"/{p}/" for p in provinces]),
            *kind("page: national", 5, ["/toan-quoc/"]),
        ],
        "charts_exports": [
            *kind("chart: trends", 50, [f"/{p}/xu-huong/{b}/" for p, b in blocks]),
            *kind("export: leaderboard.csv", 25, [b.rstrip("/") + ".csv" for b in boards]),
            *kind("export: leaderboard.xlsx", 25, [b.rstrip("/") + ".xlsx" for b in boards]),
        ],
        "api": [
            *kind(
                "api: rankings",
                60,
                [
                    f"/api/v1/rankings/?province={c.province.slug}&year={c.year}"
                    f"&block={c.block.slug}"
                    for c in sample
                ],
            ),
            *kind("api: agencies", 20, [f"/api/v1/agencies/?page={n}" for n in range(1, 300)]),
            *kind("api: history", 20, [f"/api/v1/agencies/{pk}/history/" for _, _, pk in profiles]),
        ],
    }


def server_env() -> dict[str, str]:
    env = dict(os.environ)
    for name, value in PRODUCTION_ENV.items():
        env.setdefault(name, value)
    return env


def start_gunicorn(workers: int, threads: int, port: int) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "config.wsgi",
        "-w",
        str(workers),
        "-k",
        "gthread",
        "--threads",
        str(threads),
        "-b",
        f"127.0.0.1:{port}",
        "--timeout",
        "120",
        "--log-level",
        "warning",
    ]
    log = (OUT / f"gunicorn-w{workers}.log").open("w")
    server = subprocess.Popen(command, cwd=ROOT, env=server_env(), stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn exited: see {log.name}") from None
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def run_locust(
    port: int, users: int, seconds: int, prefix: Path, think: str = "1-3"
) -> dict[str, dict]:
    """One headless locust run; its stats per request name, "Aggregated" included.

    `think` is each visitor's wait between requests, in seconds ("min-max").
    """
    command = [
        str(ROOT / ".venv" / "bin" / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--host",
        f"http://127.0.0.1:{port}",
        "-u",
        str(users),
        "-r",
        str(max(1, users // 5)),
        "-t",
        f"{seconds}s",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = dict(os.environ, BENCH_URLS=str(OUT / "load-urls.json"), BENCH_THINK=think)
    subprocess.run(command, cwd=ROOT, env=env, check=False, capture_output=True)
    stats = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats_file:
        for row in csv.DictReader(stats_file):
            stats[row["Name"]] = row
    return stats


def warm(port: int, groups: dict[str, list[list]]) -> tuple[int, float, int]:
    """Request every URL once, four at a time, as the pages' first readers after a
    publication do: (URLs, seconds, non-200 answers). With REDIS_URL set the pages land in
    the cache every worker shares; in local memory only the worker that rendered one has it.
    """
    from concurrent.futures import ThreadPoolExecutor

    every = sorted({url for entries in groups.values() for _kind, url, _weight in entries})

    def get(url: str) -> int:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{url}", headers={"Accept-Encoding": "gzip"}
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(get, every))
    return len(every), time.monotonic() - started, sum(1 for s in statuses if s != 200)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default=os.environ.get("BENCH_WORKERS", "2,3,4"))
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--users", type=int, default=int(os.environ.get("BENCH_USERS", "50")))
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", "60")))
    parser.add_argument(
        "--single", type=int, default=int(os.environ.get("BENCH_SINGLE_SECONDS", "30"))
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--no-warm",
        dest="warm",
        action="store_false",
        help="measure with a cold page cache (by default every URL is requested once first)",
    )
    parser.add_argument(
        "--think",
        default=os.environ.get("BENCH_THINK", "1-3"),
        help="each visitor's wait between requests under load, seconds (min-max)",
    )
    args = parser.parse_args()

    django_setup()
    collectstatic()
    report = Report("load")
    OUT.mkdir(parents=True, exist_ok=True)
    groups = urls()
    (OUT / "load-urls.json").write_text(json.dumps(groups, ensure_ascii=False))
    cache = "Redis" if os.environ.get("REDIS_URL") else "local memory (per worker)"
    report.note(f"page cache: {cache}; warmed first: {'yes' if args.warm else 'no'}")
    summary = {}
    for workers in [int(w) for w in args.workers.split(",")]:
        server = start_gunicorn(workers, args.threads, args.port)
        try:
            if args.warm:
                count, seconds, bad = warm(args.port, groups)
                report.note(f"warmed {count} URLs in {seconds:.1f} s ({bad} not 200)")
            # One visitor, back to back: the server's latency with nothing else running.
            single = run_locust(args.port, 1, args.single, OUT / f"load-w{workers}-u1", "0-0")
            cpu = children_cpu()
            start = time.monotonic()
            loaded = run_locust(
                args.port,
                args.users,
                args.duration,
                OUT / f"load-w{workers}-u{args.users}",
                args.think,
            )
            locust_share = (children_cpu() - cpu) / (time.monotonic() - start)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        one, many = single["Aggregated"], loaded["Aggregated"]
        p95_one, p95_many = float(one["95%"]), float(many["95%"])
        failures = int(many["Failure Count"])
        report.figure(
            f"{workers} workers × {args.threads} threads, {args.users} users: p95",
            p95_many,
            "ms",
            baseline=p95_one,
            baseline_name="single user p95, same server",
            at_most=5,
            note=f"p50 {many['50%']} ms (single {one['50%']} ms); "
            f"{float(many['Requests/s']):.1f} req/s; {failures} errors of "
            f"{many['Request Count']} requests; locust used {locust_share:.2f} CPU",
        )
        for name, row in sorted(loaded.items()):
            if name == "Aggregated":
                continue
            alone = single.get(name, {})
            report.note(
                f"    {name:26s} n={row['Request Count']:>5s} err={row['Failure Count']:>3s} "
                f"p50 {row['50%']:>6s} ms p95 {row['95%']:>6s} ms "
                f"(single user p50 {alone.get('50%', '-'):>5s} p95 {alone.get('95%', '-'):>5s})"
            )
        summary[workers] = (p95_many, float(many["Requests/s"]), failures)
    best = min(summary, key=lambda w: (summary[w][0], -summary[w][1]))
    report.note(
        f"lowest p95: {best} workers; errors per run: "
        + ", ".join(f"{w} workers {summary[w][2]}" for w in summary)
        + f" (5xx bodies and tracebacks in {OUT}/gunicorn-w*.log; {load()})"
    )
    report.save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
