"""PostgreSQL `COPY … FROM STDIN` text format, written once for every bulk writer.

The year recompute, the national CSV import and the synthetic national seed all stream rows
to PostgreSQL as COPY text. A field is tab-separated and a row ends with a newline, so a
backslash, tab, newline or carriage return inside a value must be escaped, and NULL is
`\\N`. Decimal points are written as `str(scoring.milli_to_decimal(m))` would write them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import scoring

NULL = "\\N"


def escape(text: str) -> str:
    """COPY text format: backslash, tab, newline and carriage return are escaped."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def field(value: object) -> str:
    """One field of a COPY row: None is NULL, a bool is t/f, anything else its escaped text."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    return escape(value if isinstance(value, str) else str(value))


def milli_texts(milli: np.ndarray) -> list[str]:
    """`str(milli_to_decimal(m))` of each value, formatting each distinct value once."""
    codes, distinct = pd.factorize(np.asarray(milli, dtype=np.int64).ravel())
    texts = np.array([milli_text(m) for m in distinct.tolist()], dtype=object)
    return texts[codes].tolist()


def milli_text(milli: int) -> str:
    """`str(milli_to_decimal(milli))`, without building a Decimal for the usual case."""
    if milli < 0:
        return str(scoring.milli_to_decimal(milli))
    return f"{milli // 1000}.{milli % 1000:03d}"
