"""The inputs frame: built from records, then laid out as an agency × criterion grid."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.criteria import CriteriaTable
from scoring.numbers import to_milli
from scoring.types import Problem, ScoringInputError

INPUT_COLUMNS = ("agency", "block", "criterion", "value", "denominator", "choice")
# Integer ids spanning at most this many slots per row are coded by direct indexing,
# which is several times faster than hashing.
_DENSE_ID_SPAN = 8


def inputs_from_records(records: Iterable[Mapping[str, object]]) -> pd.DataFrame:
    """The engine's inputs frame from dicts holding Decimal (or int/str) values.

    Keys other than the six input columns (ids, stored points) are ignored. Values with
    more than three decimals are reported together as a ScoringInputError.
    """
    rows = list(records)
    problems: list[Problem] = []

    def milli(row: Mapping[str, object], field: str) -> int | None:
        raw = row.get(field)
        try:
            milli: int | None = to_milli(raw)  # type: ignore[call-overload]  # any value: to_milli refuses a wrong type with TypeError, caught here
            return milli
        except (TypeError, ValueError) as error:
            problems.append(
                Problem(row.get("agency"), _text(row.get("criterion")), field, raw, str(error))
            )
            return None

    values = [milli(row, "value") for row in rows]
    denominators = [milli(row, "denominator") for row in rows]
    if problems:
        raise ScoringInputError(problems)
    agencies = [row.get("agency") for row in rows]
    numeric = all(isinstance(a, int) and not isinstance(a, bool) for a in agencies)
    return pd.DataFrame(
        {
            "agency": pd.Series(agencies, dtype="int64" if numeric and rows else object),
            "block": pd.Series([row.get("block") for row in rows], dtype=object),
            # Codes repeat once per agency: categoricals keep the frame small and let the
            # engine look each distinct code up once.
            "criterion": pd.Categorical([_text(row.get("criterion")) for row in rows]),
            "value": pd.array(values, dtype="Int64"),
            "denominator": pd.array(denominators, dtype="Int64"),
            "choice": pd.Categorical([_text(row.get("choice")) for row in rows]),
        },
        columns=list(INPUT_COLUMNS),
    )


def _text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


@dataclass(frozen=True)
class EncodedInputs:
    """Row arrays of the inputs frame and where each row sits in the agency grid.

    `cell` is the agency × criterion grid of row numbers (-1 where no row was given);
    the other arrays are per row. Row problems found while laying out are kept as row
    numbers for validation to report.
    """

    agency: np.ndarray
    criterion: np.ndarray
    value: np.ndarray
    value_na: np.ndarray
    denominator: np.ndarray
    denominator_na: np.ndarray
    agencies: pd.Index
    blocks: pd.Index
    block_of_agency: np.ndarray
    cell: np.ndarray
    unplaced: np.ndarray
    duplicates: np.ndarray
    block_missing: np.ndarray
    block_conflicts: np.ndarray

    @property
    def size(self) -> int:
        return len(self.agency)


def encode_inputs(inputs: pd.DataFrame, table: CriteriaTable) -> EncodedInputs:
    """Code agencies, criteria and blocks and place every row in the agency grid."""
    missing = [c for c in ("agency", "block", "criterion") if c not in inputs]
    if missing:
        raise ScoringInputError(
            [Problem(None, None, c, None, f"inputs have no '{c}' column") for c in missing]
        )
    n = len(inputs)
    agency, agencies = _agency_codes(inputs["agency"])
    criterion = _criterion_positions(inputs["criterion"], table.codes)
    value, value_na = _milli_column(inputs, "value", n)
    denominator, denominator_na = _milli_column(inputs, "denominator", n)

    n_cells = len(agencies) * table.size
    located = (agency >= 0) & (criterion >= 0)
    key = agency * table.size
    key += criterion
    if not located.all():
        # Unplaceable rows (reported by validation) all land in a spare slot past the grid.
        key[~located] = n_cells
    slots = np.full(n_cells + 1, -1, dtype=np.int64)
    slots[key] = np.arange(n, dtype=np.int64)
    cell = slots[:n_cells].reshape(len(agencies), table.size)
    placeable = np.count_nonzero(located)
    unplaced = np.flatnonzero(~located)
    duplicates = _duplicates(key, located) if np.count_nonzero(cell >= 0) < placeable else _none()

    blocks, block_of_agency, block_missing, block_conflicts = _blocks(inputs["block"], agency, cell)
    return EncodedInputs(
        agency=agency,
        criterion=criterion,
        value=value,
        value_na=value_na,
        denominator=denominator,
        denominator_na=denominator_na,
        agencies=agencies,
        blocks=blocks,
        block_of_agency=block_of_agency,
        cell=cell,
        unplaced=unplaced,
        duplicates=duplicates,
        block_missing=block_missing,
        block_conflicts=block_conflicts,
    )


def _none() -> np.ndarray:
    return np.zeros(0, dtype=np.int64)


def _duplicates(key: np.ndarray, located: np.ndarray) -> np.ndarray:
    """Rows repeating an earlier row's (agency, criterion); only run when some do."""
    positions = np.flatnonzero(located)
    repeated = pd.Series(key[positions]).duplicated().to_numpy()
    return np.asarray(positions[repeated])


def _agency_codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes in sorted-id order, so "by agency" later is a plain integer order."""
    values = column.to_numpy()
    if values.dtype.kind in "iu" and values.size:
        low, high = int(values.min()), int(values.max())
        # Only picks the faster of two exact ways (the other is _factorize below).
        if high - low < _DENSE_ID_SPAN * values.size + 1024:  # pragma: no mutate
            offset = values - low
            seen = np.zeros(high - low + 1, dtype=bool)
            seen[offset] = True
            code_of = np.cumsum(seen) - 1
            ids = np.flatnonzero(seen) + low
            return code_of[offset], pd.Index(ids.astype(values.dtype))
    return _factorize(column)


def _factorize(column: pd.Series | np.ndarray) -> tuple[np.ndarray, pd.Index]:
    try:
        codes, uniques = pd.factorize(column, sort=True)
    except TypeError:  # mixed, unorderable ids: keep first-seen order
        codes, uniques = pd.factorize(column)  # pandas' default: first-seen order
    return codes.astype(np.int64), pd.Index(uniques)


def _blocks(
    column: pd.Series, agency: np.ndarray, cell: np.ndarray
) -> tuple[pd.Index, np.ndarray, np.ndarray, np.ndarray]:
    """Each agency's block (from any one of its rows) and the rows that disagree."""
    raw = column.to_numpy()
    # Any placed row of an agency stands for it; disagreeing rows are reported.
    representative = cell.max(axis=1) if cell.size else np.zeros(0, dtype=np.int64)
    unplaced = representative < 0
    if unplaced.any():  # an agency whose only rows are unplaceable (unknown criteria)
        first_rows = pd.Series(np.arange(len(agency))).groupby(agency).first()
        representative[unplaced] = first_rows.reindex(np.flatnonzero(unplaced)).to_numpy()
    per_agency = raw[representative]
    codes, blocks = _factorize(per_agency)
    missing = np.flatnonzero(pd.isna(raw))
    differs = raw != per_agency[np.maximum(agency, 0)]
    conflicts = _none()
    if differs.any():
        suspects = np.flatnonzero(differs & (agency >= 0))
        conflicts = _first_block_conflicts(raw, agency, suspects, missing)
    return blocks, codes, missing, conflicts


def _first_block_conflicts(
    raw: np.ndarray, agency: np.ndarray, suspects: np.ndarray, missing: np.ndarray
) -> np.ndarray:
    """Rows whose block differs from their agency's first row (rare, so pandas)."""
    # Suspects have an agency, so rows without one (code -1) are never involved.
    involved = np.flatnonzero(np.isin(agency, agency[suspects]))
    involved = np.setdiff1d(involved, missing)
    frame = pd.DataFrame({"agency": agency[involved], "block": raw[involved]})
    first = frame.groupby("agency")["block"].transform("first").to_numpy()
    return np.asarray(involved[first != frame["block"].to_numpy()])


def _criterion_positions(column: pd.Series, codes: pd.Index) -> np.ndarray:
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = column.cat.categories.astype(str)
        # The appended -1 is what category code -1 (a missing value) picks.
        lookup = np.append(codes.get_indexer(categories), -1)
        # Small-int codes as indices are several times slower than intp ones.
        return np.asarray(lookup[column.cat.codes.to_numpy().astype(np.intp)])
    text = column.astype(object).where(column.notna(), None)
    return np.asarray(codes.get_indexer(text.to_numpy()))  # already object


def _milli_column(inputs: pd.DataFrame, name: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    if name not in inputs:
        return np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool)
    column = inputs[name]
    na = column.isna().to_numpy()
    if not pd.api.types.is_integer_dtype(column.dtype) and not na.all():
        # A float column would be truncated silently: milli-points are integers only.
        raise ScoringInputError(
            [Problem(None, None, name, str(column.dtype), f"{name} must be int64 milli-points")]
        )
    return column.to_numpy(dtype=np.int64, na_value=0), na
