"""Public pages at national scale: requests per second against a trivial view.

Each page is requested through `django.test.Client` (the whole middleware stack, the URL
resolver, templates, the database; only the HTTP server is missing) with DEBUG off and no
page cache, and set against `/bench/trivial/`, a view that does nothing, behind the same
middleware (bench/bench_urls.py adds it; the product's URLs are untouched). The trivial
view is measured just before and just after each page, so both see the same load.

- the largest leaderboard (Thanh Hoá 2024 communes, 549 rows), a typical commune block
  (~160 rows) and a department block (20): target ≥ 0.35× the trivial view;
- an agency profile in each of those blocks;
- what a page cache would give: the largest leaderboard's body served from Django's cache
  (local memory, and Redis when REDIS_URL or 127.0.0.1:6379 answers): target ≥ 0.8×;
- the number of queries of each page at each size (does it grow with the block?).

`make bench-national`, or `DATABASE_URL=postgres://… .venv/bin/python bench/national_pages.py`.
BENCH_SECONDS sets how long each rate is measured (default 5).
"""

from __future__ import annotations

import cProfile
import functools
import io
import os
import pstats
import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock

from common import ROOT, Report, collectstatic, django_setup, load, rate

YEAR = int(os.environ.get("BENCH_YEAR", "2024"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")


@dataclass(frozen=True)
class Page:
    label: str
    url: str
    rows: int


def pages(year: int) -> list[Page]:
    """The largest and a typical commune block, a department block; a profile in each."""
    from django.db.models import Count, Q

    from rankings.models import AssessmentCycle, Result

    published = (
        AssessmentCycle.objects.filter(year=year, province__is_national=False)
        .exclude(publications=None)
        .select_related("province", "block")
        .annotate(n=Count("results", filter=Q(results__publication__isnull=False)))
    )
    communes = sorted(
        (c for c in published if c.block.slug == "communes"), key=lambda c: c.n, reverse=True
    )
    largest = communes[0]
    typical = min(communes, key=lambda c: abs(c.n - 160))
    departments = next(
        c for c in published if c.block.slug == "departments" and c.province == largest.province
    )
    chosen = []
    for kind, cycle in (("largest", largest), ("typical", typical), ("departments", departments)):
        rows = cycle.n
        where = f"{cycle.province.slug}/{cycle.year}/{cycle.block.slug}"
        chosen.append(Page(f"leaderboard {kind} ({where}, {rows} rows)", f"/{where}/", rows))
        middle = (
            Result.objects.filter(cycle=cycle, publication__isnull=False, rank__isnull=False)
            .select_related("agency")
            .order_by("rank")[rows // 2]
        )
        chosen.append(
            Page(
                f"agency profile {kind} ({middle.agency.slug}, block of {rows})",
                f"/{cycle.province.slug}/don-vi/{middle.agency.slug}/",
                rows,
            )
        )
    return chosen


def queries(client, url: str) -> tuple[int, float]:
    """Queries of one request and the time the database spent on them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured), sum(float(q["time"]) for q in captured.captured_queries)


def profile(client, url: str, name: str) -> list[str]:
    """cProfile of one request: the whole listing to var/bench/, the top lines returned."""
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(40)
    path = ROOT / "var" / "bench" / f"profile-{name}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out.getvalue())
    return [str(path)]


def measured(client, url: str) -> tuple[float, float]:
    """Requests/s of `url`, and of the trivial view around it (the mean of before and after)."""

    def get(target: str):
        def call():
            response = client.get(target)
            if response.status_code != 200:
                raise AssertionError(f"{target}: {response.status_code}")

        return call

    before = rate(get("/bench/trivial/"), seconds=SECONDS / 2)
    page = rate(get(url), seconds=SECONDS, minimum=3)
    after = rate(get("/bench/trivial/"), seconds=SECONDS / 2)
    return page, (before + after) / 2


def redis_answers(url: str) -> bool:
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        return True
    except Exception:
        return False


def cached_pages(report: Report, client, page: Page) -> None:
    """What serving the page's stored body would cost, per cache backend."""
    from django.core.cache import caches
    from django.test import override_settings

    backends = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if redis_answers(REDIS):
        backends["redis"] = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS}
    body = client.get(page.url).content
    for alias in backends:
        with override_settings(CACHES={"default": backends[alias]}):
            caches["default"].set("bench-page:largest", body, 600)
            served, trivial = measured(client, "/bench/cached/largest/")
            caches["default"].delete("bench-page:largest")
        report.figure(
            f"largest leaderboard from a page cache ({alias}: {backends[alias]['BACKEND']})",
            served,
            "req/s",
            baseline=trivial,
            baseline_name="trivial view, same middleware",
            at_least=0.8,
            note=f"body {len(body) / 1024:.0f} kB; a prototype view reading the cached body",
        )


def published_card_hoisted(results, criteria, cycle):
    """PROPOSED, measured here only: `selectors._published_card` with its loop invariants
    hoisted. Today it iterates the pandas column `criteria["criterion"]` once per agency
    (80 × 549 Series element reads) and builds `set(criteria["group"])` once per group
    value; the frames are the same.
    """
    from decimal import Decimal

    import pandas as pd

    import scoring
    from rankings import selectors

    block = cycle.pk
    ranked = sorted(results, key=lambda r: (r.rank is None, r.rank or 0, r.agency_id))
    codes = [str(code) for code in criteria["criterion"]]
    group_codes = set(criteria["group"])
    to_milli = scoring.to_milli
    frame = pd.DataFrame(
        {
            "agency": [r.agency_id for r in ranked],
            "block": block,
            "rank": pd.array([r.rank for r in ranked], dtype="Int64"),
            "score": [to_milli(r.score) for r in ranked],
        }
    )
    groups = pd.DataFrame(
        [
            (r.agency_id, block, code, to_milli(Decimal(value)))
            for r in ranked
            for code, value in r.groups.items()
            if code in group_codes
        ],
        columns=["agency", "block", "group", "points"],
    )
    points = pd.DataFrame(
        [
            (r.agency_id, block, code, to_milli(Decimal(r.criteria.get(code, "0"))))
            for r in ranked
            for code in codes
        ],
        columns=["agency", "block", "criterion", "points"],
    )
    empty = pd.DataFrame()
    return scoring.Scorecard(
        points=points,
        groups=groups,
        subgroups=empty,
        results=frame,
        blocks=empty,
        rules=selectors.ranking_rules(criteria_set=cycle.criteria_set),
    )


@contextmanager
def proposed():
    """The pages with two proposed Python fixes, patched in for the measurement only:
    `Leaderboard.records` computed once per board (a cached_property; templates read it
    twice today) and `_published_card` with its loop invariants hoisted."""
    from rankings import selectors

    records = functools.cached_property(selectors.Leaderboard.records.fget)
    records.__set_name__(selectors.Leaderboard, "records")
    with (
        mock.patch.object(selectors.Leaderboard, "records", records),
        mock.patch.object(selectors, "_published_card", published_card_hoisted),
    ):
        yield


CSRF_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def proposed_figure(report: Report, client, page: Page) -> None:
    """Today against the proposed fixes, alternated three times (the load moves)."""

    def body() -> bytes:
        return CSRF_TOKEN.sub(b"", client.get(page.url).content)

    def get():
        client.get(page.url)

    today, better = [], []
    before = body()
    with proposed():
        same = body() == before
    for _ in range(3):
        today.append(rate(get, seconds=SECONDS / 2, minimum=2))
        with proposed():
            better.append(rate(get, seconds=SECONDS / 2, minimum=2))
    report.figure(
        f"PROPOSED {page.label}",
        max(better),
        "req/s",
        baseline=max(today),
        baseline_name="today, alternated",
        note=f"{1000 / max(better):.0f} ms vs {1000 / max(today):.0f} ms per request "
        f"(records once, hoisted loops); same page as today: {same}",
    )


def main() -> int:
    django_setup()
    from django.test import Client, override_settings

    collectstatic()
    report = Report("pages")
    with override_settings(ROOT_URLCONF="bench_urls"):
        client = Client()
        chosen = pages(YEAR)
        for page in chosen:
            client.get(page.url)  # warm: templates, the database's buffers
        report.note("queries per request (and the database's share of one request's time):")
        for page in chosen:
            count, spent = queries(client, page.url)
            report.note(f"    {page.label:62s} {count:3d} queries, {spent * 1000:6.1f} ms in SQL")
        for page in chosen:
            served, trivial = measured(client, page.url)
            report.figure(
                page.label,
                served,
                "req/s",
                baseline=trivial,
                baseline_name="trivial view, same middleware",
                at_least=0.35,
                note=f"{1000 / served:.0f} ms per request vs {1000 / trivial:.1f} ms",
            )
        for page in chosen[:2]:
            proposed_figure(report, client, page)
        largest = chosen[0]
        for page in (chosen[0], chosen[1]):
            name = "leaderboard" if page is largest else "profile"
            report.note(f"cProfile of one request: {profile(client, page.url, name)[0]}")
        cached_pages(report, client, largest)
    report.note(f"done ({load()})")
    report.save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
