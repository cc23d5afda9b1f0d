"""Ranks within blocks, eligibility and bands, all on integer scores."""

from __future__ import annotations

import numpy as np

from scoring.numbers import to_milli
from scoring.types import Band, BandBasis, TieMethod

HUNDRED_PERCENT_MILLI = 100 * 1000


def block_ranks(
    block: np.ndarray, score: np.ndarray, agency: np.ndarray, ranked: np.ndarray, method: TieMethod
) -> np.ndarray:
    """Rank of each agency in its block by descending score; 0 for agencies not ranked."""
    ranks = np.zeros(len(block), dtype=np.int64)
    order = np.lexsort((agency, -score, block))
    order = order[ranked[order]]
    if order.size == 0:
        return ranks
    b, s = block[order], score[order]
    position = np.arange(order.size)
    new_block = np.ones(order.size, dtype=bool)
    new_block[1:] = b[1:] != b[:-1]
    new_score = new_block.copy()
    new_score[1:] |= s[1:] != s[:-1]
    block_start = np.maximum.accumulate(np.where(new_block, position, 0))
    if method == TieMethod.DENSE:
        distinct = np.cumsum(new_score)
        ranks[order] = distinct - distinct[block_start] + 1
    else:
        tie_start = np.maximum.accumulate(np.where(new_score, position, 0))
        ranks[order] = tie_start - block_start + 1
    return ranks


def reaches(score: np.ndarray, minimum: object, basis: BandBasis, max_milli: int) -> np.ndarray:
    """Whether each score is at least `minimum` points, or percent of the maximum."""
    threshold: int = to_milli(minimum)  # type: ignore[call-overload]  # Decimal, int or str by CriteriaTable
    if basis == BandBasis.POINTS:
        return np.asarray(score >= threshold)
    # score / max × 100 >= minimum, cross-multiplied so no division rounds anything.
    return np.asarray(score * HUNDRED_PERCENT_MILLI >= threshold * max_milli)


def assign_bands(score: np.ndarray, bands: tuple[Band, ...], max_milli: int) -> np.ndarray:
    """The label of the highest band each score reaches, else None (object array)."""
    labels = np.full(len(score), None, dtype=object)
    if not bands:
        return labels
    # Lowest band first, so each higher band reached overwrites it.
    ordered = sorted(
        bands,
        key=lambda band: (
            to_milli(band.minimum)
            * (max_milli if band.basis == BandBasis.PERCENT else HUNDRED_PERCENT_MILLI)
        ),
    )
    for band in ordered:
        labels[reaches(score, band.minimum, band.basis, max_milli)] = band.label
    return labels
