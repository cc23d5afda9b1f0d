"""What the national-scale benchmarks share: the database check, Django set up as in
production (DEBUG off), timing, the machine's load, and one way of printing a figure
beside the baseline measured in the same run.

Every figure is printed as `figure | baseline | ratio | target: met or NOT MET | load`,
and the run's figures are also written to var/bench/<name>.json (the README's source).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
# The project before bench/: `import scoring` must find the engine, not bench/scoring.py.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def machine() -> str:
    """CPU model and count, Python and the numeric libraries' versions."""
    import platform

    import numpy as np
    import pandas as pd

    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {model}; "
        f"Python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}"
    )


def database_url() -> str:
    """DATABASE_URL, which must name a PostgreSQL database; exits 2 with the reason if not."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print(
            "The national benchmarks need PostgreSQL: set DATABASE_URL=postgres://… to a "
            "database holding `manage.py seed_national --seed 42` (best a copy of your own, "
            "e.g. `createdb -T egov_helper_b egov_bench`; the write benchmarks rewrite its "
            f"draft results). DATABASE_URL is {url or 'unset'!r}.",
            file=sys.stderr,
        )
        sys.exit(2)
    return url


def database_name(url: str | None = None) -> str:
    return urlparse(url or database_url()).path.lstrip("/")


def writes_allowed() -> bool:
    """Write benchmarks run only on a scratch copy: a database named *bench*, or when asked."""
    return "bench" in database_name() or os.environ.get("BENCH_ALLOW_WRITES") == "1"


# Production-like settings: DEBUG off (no query log, cached templates, manifest static
# files), no HTTPS redirect for the plain-HTTP test client, throttling out of the way.
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdef",
    "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "API_THROTTLE_ANON": "1000000/minute",
    "API_THROTTLE_USER": "1000000/minute",
    "LOG_LEVEL": "WARNING",
}


def django_setup() -> None:
    """Django with the production-like settings above (the environment may override them)."""
    database_url()
    for name, value in PRODUCTION_ENV.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import gc

    import django

    django.setup()
    gc.freeze()  # as config/wsgi.py does once the application is loaded


def collectstatic() -> None:
    """DEBUG off serves static files from the manifest: build it once (var/staticfiles)."""
    from django.conf import settings
    from django.core.management import call_command

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Timing:
    best: float
    median: float
    runs: int
    result: object = field(repr=False, default=None)


def timed(work: Callable[[], object], *, runs: int = 3, warmup: int = 0) -> Timing:
    """Best and median wall time of `runs` calls (after `warmup` untimed ones)."""
    result = None
    for _ in range(warmup):
        result = work()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return Timing(min(times), statistics.median(times), runs, result)


def rate(work: Callable[[], object], *, seconds: float = 5.0, minimum: int = 5) -> float:
    """Calls per second of `work` over at least `seconds` and `minimum` calls."""
    count, start = 0, time.perf_counter()
    while True:
        work()
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and count >= minimum:
            return count / elapsed


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    load: str = ""
    note: str = ""


class Report:
    """Prints each figure with its baseline, ratio and target; saves them all as JSON."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.figures: list[Figure] = []
        print(f"== {name}: {database_name()} ==")
        print(machine())
        print(f"start: {load()}")

    def figure(
        self,
        name: str,
        value: float,
        unit: str,
        *,
        baseline: float | None = None,
        baseline_name: str = "",
        ratio: float | None = None,
        at_most: float | None = None,
        at_least: float | None = None,
        note: str = "",
    ) -> Figure:
        if ratio is None and baseline:
            ratio = value / baseline
        target, met = "", None
        if at_most is not None:
            target, met = f"<= {at_most:g}", ratio is not None and ratio <= at_most
        elif at_least is not None:
            target, met = f">= {at_least:g}", ratio is not None and ratio >= at_least
        figure = Figure(
            name, value, unit, baseline, baseline_name, ratio, target, met, load(), note
        )
        self.figures.append(figure)
        parts = [f"{name}: {_number(value)} {unit}"]
        if baseline is not None:
            parts.append(f"baseline ({baseline_name}): {_number(baseline)} {unit}")
        if ratio is not None:
            parts.append(f"ratio {ratio:.2f}")
        if target:
            parts.append(f"target {target}: {verdict(met)}")
        parts.append(figure.load)
        print("  " + " | ".join(parts))
        if note:
            print(f"      {note}")
        return figure

    def note(self, text: str) -> None:
        print(f"  {text}")

    def save(self) -> Path:
        out = ROOT / "var" / "bench" / f"{self.name}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "name": self.name,
            "database": database_name(),
            "machine": machine(),
            "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
            "end_load": load(),
            "max_rss_mb": round(max_rss_mb(), 1),
            "figures": [asdict(f) for f in self.figures],
        }
        out.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
        targets = [f for f in self.figures if f.target]
        if targets:
            print(f"targets of {self.name}:")
            for f in targets:
                ratio = "—" if f.ratio is None else f"{f.ratio:.2f}"
                met = verdict(f.met)
                print(f"  {met:7s}  {f.name}: ratio {ratio}, target {f.target} ({f.load})")
        print(f"end: {load()}; process max RSS {max_rss_mb():.0f} MB; figures in {out}")
        return out


def verdict(met: bool | None) -> str:
    """How every benchmark prints a target's outcome."""
    return "MET" if met else "NOT MET"


def _number(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def largest_cycle(year: int):
    """The year's (non-national) cycle with the most published results: Thanh Hoá's
    communes in the seeded data (549). `.n` is its number of published results."""
    from django.db.models import Count, Q

    from rankings.models import AssessmentCycle

    return (
        AssessmentCycle.objects.filter(year=year, province__is_national=False)
        .select_related("province", "block", "criteria_set")
        .annotate(n=Count("results", filter=Q(results__publication__isnull=False)))
        .order_by("-n", "pk")
        .first()
    )
