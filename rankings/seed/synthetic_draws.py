"""Drawing the synthetic national data's inputs from a seed."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

import scoring
from rankings.frames import criteria_frame, ranking_rules
from rankings.models import (
    CriteriaSet,
)
from rankings.seed.synthetic_catalogue import BLOCK_MAXIMUM, QUARTER, CriterionSpec, catalogue


@dataclass(frozen=True)
class CriteriaArrays:
    """A criteria set as arrays in criterion order, for drawing inputs and writing scores."""

    criteria_set: CriteriaSet
    frame: pd.DataFrame
    rules: scoring.RankingRules
    specs: list[CriterionSpec]
    ids: np.ndarray
    maxima: np.ndarray
    difficulty: np.ndarray

    @classmethod
    def load(cls, criteria_set: CriteriaSet, block: str, seed: int) -> CriteriaArrays:
        specs = catalogue(block)
        ids = dict(criteria_set.criteria.values_list("code", "id"))
        rng = np.random.default_rng([seed, 7, list(BLOCK_MAXIMUM).index(block)])
        return cls(
            criteria_set=criteria_set,
            frame=criteria_frame(criteria_set=criteria_set),
            rules=ranking_rules(criteria_set=criteria_set),
            specs=specs,
            ids=np.array([ids[s.code] for s in specs], dtype=np.int64),
            maxima=np.array([s.max_milli for s in specs], dtype=np.int64),
            difficulty=rng.normal(0.0, 0.12, len(specs)),
        )


@dataclass
class Drawn:
    """Raw inputs as agencies × criteria arrays: values and denominators in milli."""

    value: np.ndarray
    value_na: np.ndarray
    denominator: np.ndarray
    denominator_na: np.ndarray
    choice: np.ndarray


def draw_inputs(
    table: CriteriaArrays, n: int, *, seed: int, key: int, block: int, year: int
) -> Drawn:
    """Raw inputs of `n` agencies (in a fixed order) for one province, block and year.

    An agency's standing persists from year to year (drawn from the seed, province and
    block only), the whole province improves a little each year, and each year adds noise;
    the same seed, province, block and year always draw the same numbers.
    """
    level, sizes = _levels(table, n, seed=seed, key=key, block=block, year=year)
    shape = level.shape
    drawn = Drawn(
        value=np.zeros(shape, dtype=np.int64),
        value_na=np.zeros(shape, dtype=bool),
        denominator=np.zeros(shape, dtype=np.int64),
        denominator_na=np.ones(shape, dtype=bool),
        choice=np.full(shape, None, dtype=object),
    )
    for j, spec in enumerate(table.specs):
        _draw_criterion(drawn, j, spec, level[:, j], sizes[:, j])
    return drawn


def _levels(
    table: CriteriaArrays, n: int, *, seed: int, key: int, block: int, year: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each agency's level (0 to 1) on each criterion, and how big each unit is."""
    standing_rng = np.random.default_rng([seed, key, block])
    province_effect = standing_rng.normal(0.0, 0.06)
    standing = standing_rng.beta(4.0, 2.6, n) + province_effect
    sizes = standing_rng.uniform(0.0, 1.0, (n, len(table.specs)))  # how big each unit is
    rng = np.random.default_rng([seed, key, block, year])
    trend = 0.035 * (year - 2019) + rng.normal(0.0, 0.02)
    level = standing[:, None] + trend + table.difficulty[None, :]
    level = np.clip(level + rng.normal(0.0, 0.13, (n, len(table.specs))), 0.0, 1.0)
    return level, sizes


def _draw_criterion(drawn: Drawn, j: int, spec, x: np.ndarray, sizes: np.ndarray) -> None:
    """Column `j` of the inputs from the agencies' levels `x`, as its rule takes them."""
    if spec.rule == "direct":
        drawn.value[:, j] = np.round(x * spec.max_milli / QUARTER).astype(np.int64) * QUARTER
    elif spec.rule == "ratio":
        low, high = spec.extra
        units = np.round(low + sizes * (high - low)).astype(np.int64)
        drawn.value[:, j] = np.round(x * units).astype(np.int64) * 1000
        drawn.denominator[:, j] = units * 1000
        drawn.denominator_na[:, j] = False
    elif spec.rule == "steps":
        top = spec.extra[-1]
        units = np.floor(x * top * 1.15).astype(np.int64)
        if top >= 50:  # a percentage (satisfaction): never above 100
            units = np.minimum(units, 100)
        drawn.value[:, j] = units * 1000
    elif spec.rule == "choice":
        keys = [k for k, _ in sorted(spec.extra, key=lambda kv: Decimal(kv[1]))]
        picks = np.digitize(x, [0.3, 0.62])
        drawn.choice[:, j] = np.array(keys, dtype=object)[picks]
        drawn.value_na[:, j] = True
    elif spec.rule == "capped":
        drawn.value[:, j] = np.round(x * spec.extra * 1.2).astype(np.int64) * 1000
    elif spec.rule == "relative":
        scale = spec.extra * (0.3 + sizes)
        drawn.value[:, j] = (np.round(x * scale).astype(np.int64) + 1) * 1000
