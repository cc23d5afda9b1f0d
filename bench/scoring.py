"""Benchmark of the scoring engine against a plain pandas ranking (and PostgreSQL).

12,000 agencies × 80 criteria (960,000 input rows) in 200 blocks, every rule kind,
generated from numpy's default_rng(42). Prints the engine's best-of-3 time, its peak
memory, and from the same run the ratio to:

  (a) pandas: groupby-sum of the engine's own per-criterion points by block and agency,
      then groupby(block).rank(method="min", ascending=False);
  (b) PostgreSQL, when DATABASE_URL starts with postgres: SUM and
      RANK() OVER (PARTITION BY block ORDER BY total DESC) over a temp table loaded by
      COPY (only the query is timed; the load is printed apart).

Ranks must be identical across all of them; the script exits 1 if they are not.
Run with `make bench` or `.venv/bin/python bench/scoring.py`.
"""

from __future__ import annotations

import io
import os
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import load as load_average
from common import machine, verdict  # bench/common.py, shared with the national ones

import scoring

AGENCIES = 12_000
CRITERIA = 80
BLOCKS = 200
SEED = 42
RUNS = 3
RATIO_TARGET = 2.0
MEMORY_TARGET_MB = 1024
# One rule per criterion, cycling: mostly direct and ratio, as in real criteria sets.
RULE_CYCLE = ["direct", "ratio", "direct", "steps", "ratio", "choice", "capped", "direct"]
RELATIVE_EVERY = 20  # every 20th criterion is normalised against the block's best


def make_criteria(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for i in range(CRITERIA):
        rule = "relative" if i % RELATIVE_EVERY == RELATIVE_EVERY - 1 else RULE_CYCLE[i % 8]
        maximum = Decimal(int(rng.integers(2, 11)))
        params: dict[str, object] = {}
        if rule == "steps":
            params = {"steps": [[str(k), str(maximum * k / 4)] for k in (4, 3, 2, 1)]}
        elif rule == "choice":
            params = {"choices": {"chair": "1", "deputy": "0.5", "none": "0"}}
        elif rule == "capped":
            params = {"per_unit": "1.5", "cap": str(maximum)}
        rows.append(
            {
                "criterion": f"{i // 20 + 1}.{i // 5 % 4 + 1}.{i % 5 + 1}",
                "group": str(i // 20 + 1),
                "subgroup": f"{i // 20 + 1}.{i // 5 % 4 + 1}",
                "max_points": maximum,
                "rule": rule,
                "params": params,
            }
        )
    return pd.DataFrame(rows)


def make_inputs(criteria: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One row per agency × criterion, built with array operations (no per-row Python)."""
    n = AGENCIES * CRITERIA
    position = np.tile(np.arange(CRITERIA), AGENCIES)
    agency = np.repeat(np.arange(AGENCIES, dtype=np.int64) + 100_000, CRITERIA)
    block = (agency - 100_000) * BLOCKS // AGENCIES
    maxima = np.array([scoring.to_milli(m) for m in criteria["max_points"]], dtype=np.int64)
    rule = criteria["rule"].to_numpy()[position]
    quality = rng.uniform(0.2, 1.0, AGENCIES)[(agency - 100_000)]
    level = np.clip(quality + rng.normal(0, 0.1, n), 0, 1)

    value = np.zeros(n, dtype=np.int64)
    denominator = np.zeros(n, dtype=np.int64)
    direct = rule == "direct"
    value[direct] = (level[direct] * maxima[position[direct]]).astype(np.int64)
    ratio = rule == "ratio"
    denominator[ratio] = rng.integers(20, 400, ratio.sum()) * 1000
    value[ratio] = (level[ratio] * denominator[ratio] / 1000).astype(np.int64) * 1000
    steps = rule == "steps"
    value[steps] = (level[steps] * 5).astype(np.int64) * 1000
    capped = rule == "capped"
    value[capped] = (level[capped] * 8).astype(np.int64) * 1000
    relative = rule == "relative"
    value[relative] = (level[relative] * 300).astype(np.int64) * 1000
    choice = np.full(n, None, dtype=object)
    picks = rule == "choice"
    choice[picks] = np.array(["none", "deputy", "chair"], dtype=object)[
        np.minimum((level[picks] * 3).astype(np.int64), 2)
    ]
    has_denominator = ratio
    no_value = picks
    # Stored scores come back from the database in no particular order.
    shuffle = rng.permutation(n)
    frame = pd.DataFrame(
        {
            "agency": agency,
            "block": block,
            # What inputs_from_records produces: one category per criterion code.
            "criterion": pd.Categorical.from_codes(position, categories=criteria["criterion"]),
            "value": pd.arrays.IntegerArray(value, no_value),
            "denominator": pd.arrays.IntegerArray(denominator, ~has_denominator),
            "choice": pd.Categorical(choice),
        }
    )
    return frame.iloc[shuffle].reset_index(drop=True)


def best_of(runs: int, work: Callable[[], object]) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return best, result


def pandas_baseline(points: pd.DataFrame) -> pd.Series:
    totals = points.groupby(["block", "agency"])["points"].sum()
    return totals.groupby(level="block").rank(method="min", ascending=False).astype("int64")


def postgres_ranks(url: str, points: pd.DataFrame) -> tuple[float, float, pd.Series]:
    import psycopg2

    buffer = io.StringIO()
    points[["block", "agency", "points"]].to_csv(buffer, header=False, index=False)
    query = """
        SELECT agency, RANK() OVER (PARTITION BY block ORDER BY total DESC) AS rank
        FROM (SELECT block, agency, SUM(points) AS total FROM bench_points
              GROUP BY block, agency) AS totals
    """
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute(
            "CREATE TEMP TABLE bench_points (block bigint, agency bigint, points bigint)"
        )
        buffer.seek(0)
        cursor.copy_expert("COPY bench_points FROM STDIN WITH (FORMAT csv)", buffer)
        cursor.execute("ANALYZE bench_points")
        load = time.perf_counter() - start
        best, rows = best_of(RUNS, lambda: _fetch(cursor, query))
        cursor.execute("DROP TABLE bench_points")
    ranks = pd.Series(dict(rows), dtype="int64").sort_index()
    return load, best, ranks


def _fetch(cursor: object, query: str) -> list[tuple[int, int]]:
    cursor.execute(query)  # type: ignore[attr-defined]
    return cursor.fetchall()  # type: ignore[attr-defined]


def main() -> int:
    print(machine())
    rng = np.random.default_rng(SEED)
    criteria = make_criteria(rng)
    inputs = make_inputs(criteria, rng)
    rules = scoring.RankingRules(max_points=sum(criteria["max_points"], Decimal(0)))
    kinds = criteria["rule"].value_counts().to_dict()
    print(
        f"data: {AGENCIES:,} agencies × {CRITERIA} criteria = {len(inputs):,} rows, "
        f"{BLOCKS} blocks; rules {kinds}"
    )

    engine, card = best_of(RUNS, lambda: scoring.compute(criteria, inputs, rules))
    assert isinstance(card, scoring.Scorecard)
    baseline, pandas_rank = best_of(RUNS, lambda: pandas_baseline(card.points))
    assert isinstance(pandas_rank, pd.Series)
    # Context: the same baseline over the points in the (shuffled) order of the inputs.
    in_input_order = card.points.sample(frac=1, random_state=SEED).reset_index(drop=True)
    shuffled_baseline, _ = best_of(RUNS, lambda: pandas_baseline(in_input_order))

    tracemalloc.start()
    scoring.compute(criteria, inputs, rules)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # Plain object columns instead of the categoricals inputs_from_records builds.
    text_inputs = inputs.assign(
        criterion=inputs["criterion"].astype(object), choice=inputs["choice"].astype(object)
    )
    text_time, _ = best_of(RUNS, lambda: scoring.compute(criteria, text_inputs, rules))

    engine_rank = card.results.set_index("agency")["rank"].astype("int64").sort_index()
    pandas_rank = pandas_rank.droplevel("block").sort_index()
    ratio = engine / baseline
    print(f"engine compute():   {engine * 1000:8.1f} ms  (best of {RUNS})")
    print(f"  with criterion and choice as object columns: {text_time * 1000:.1f} ms")
    print(
        f"pandas baseline:    {baseline * 1000:8.1f} ms  -> engine / pandas = {ratio:.2f}"
        f"  target <= {RATIO_TARGET}: {verdict(ratio <= RATIO_TARGET)} ({load_average()})"
    )
    print(
        f"  same baseline on the points shuffled like the inputs: {shuffled_baseline * 1000:.1f} ms"
        f" -> engine / that = {engine / shuffled_baseline:.2f}"
    )
    print(
        f"peak memory: tracemalloc peak of one compute() {peak / 2**20:.0f} MB "
        f"target <= {MEMORY_TARGET_MB} MB: {verdict(peak / 2**20 <= MEMORY_TARGET_MB)}; "
        f"process max RSS {max_rss:.0f} MB (getrusage)"
    )
    same = engine_rank.equals(pandas_rank)
    print(f"ranks identical, engine vs pandas: {same}")

    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        load, query, pg_rank = postgres_ranks(url, card.points)
        pg_same = engine_rank.equals(pg_rank)
        same = same and pg_same
        print(f"postgresql load (COPY + ANALYZE): {load * 1000:8.1f} ms")
        print(
            f"postgresql query: {query * 1000:8.1f} ms  -> engine / postgresql = "
            f"{engine / query:.2f}"
        )
        print(f"ranks identical, engine vs postgresql: {pg_same}")
    else:
        print("postgresql: skipped (DATABASE_URL does not start with postgres)")

    if not same:
        print("FAIL: ranks differ", file=sys.stderr)
        return 1
    if ratio > RATIO_TARGET or peak / 2**20 > MEMORY_TARGET_MB:
        print("WARNING: a target is missed (see above)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
