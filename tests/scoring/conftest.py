"""Builders shared by the scoring tests: plain frames in, a Scorecard out; no Django."""

from collections.abc import Callable
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import Phase, settings

import scoring

# `make mutation` runs with --hypothesis-profile=mutation: a mutant is killed by the first
# failing example, so shrinking it (a minute for some) would only slow the run down, and
# the engine-wide properties (which cap their examples at the profile's) try 12 cases.
# No deadline: mutmut's first pass traces every line, on a shared machine, and a test over
# 200 ms there failed the whole run as "flaky" (a slow mutant is caught by mutmut's timeout).
settings.register_profile(
    "mutation",
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    database=None,
    max_examples=12,
    deadline=None,
)

D = Decimal


def criteria_frame(rows: list[tuple]) -> pd.DataFrame:
    """(code, max, rule, params[, required]) -> the criteria frame; group = first segment."""
    records = []
    for row in rows:
        code, maximum, rule, params = row[:4]
        parts = code.split(".")
        records.append(
            {
                "criterion": code,
                "group": parts[0],
                "subgroup": ".".join(parts[:2]) if len(parts) > 2 else None,
                "max_points": D(maximum),
                "rule": rule,
                "params": params,
                "required": row[4] if len(row) > 4 else False,
            }
        )
    return pd.DataFrame(records)


def inputs_frame(rows: list[dict]) -> pd.DataFrame:
    """Records with Decimal-ish values -> the engine's inputs frame (block defaults to 1)."""
    return scoring.inputs_from_records([{"block": 1, **row} for row in rows])


def direct_totals(totals: dict, maximum: str, block: object = 1) -> pd.DataFrame:
    """One direct criterion '1' per agency holding its whole total."""
    return inputs_frame(
        [{"agency": a, "block": block, "criterion": "1", "value": t} for a, t in totals.items()]
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Hypothesis tests of the engine run after its examples.

    Mutation testing (`make mutation`) stops at the first failing test: a mutant the
    examples catch in milliseconds then never waits for hundreds of generated cases.
    Other tests keep their places.
    """

    def generated(item: pytest.Item) -> bool:
        here = "tests/scoring/" in item.nodeid or item.nodeid.startswith("test_scoring")
        return here and getattr(getattr(item, "obj", None), "is_hypothesis_test", False)

    items.sort(key=generated)


@pytest.fixture(scope="session")
def score() -> Callable[..., scoring.Scorecard]:
    """score(criteria_rows, input_rows, **rules) -> Scorecard; max_points is the sum."""

    def run(criteria_rows: list[tuple], input_rows: list[dict], **rules) -> scoring.Scorecard:
        criteria = criteria_frame(criteria_rows)
        maximum = sum(criteria["max_points"], D(0))
        return scoring.compute(
            criteria, inputs_frame(input_rows), scoring.RankingRules(max_points=maximum, **rules)
        )

    return run


class Builders:
    """The frame builders above, as a fixture (test modules cannot import conftest)."""

    criteria = staticmethod(criteria_frame)
    inputs = staticmethod(inputs_frame)
    direct_totals = staticmethod(direct_totals)


@pytest.fixture(scope="session")
def make() -> Builders:
    return Builders()
