"""The targets' frames as the pages read them: the export's values, labels translated."""

import pandas as pd

from rankings.targets.progress import Status


def page_rows(table, years: list[int] = ()) -> list[dict]:  # type: ignore[assignment]
    """Each row of `table.frame` with missing values as None, its status in the page's
    language, its yearly values in order and, for a province-wide row, its counts."""
    rows = []
    for record in table.frame.to_dict("records"):
        row = {key: (None if _missing(value) else value) for key, value in record.items()}
        row["status_text"] = Status(row["status"]).label if row["status"] else ""
        row["values"] = [row.get(f"value_{year}") for year in years]
        row["counts"] = [
            (status, label, row.get(f"count_{status}")) for status, label in Status.choices
        ]
        rows.append(row)
    return rows


def _missing(value) -> bool:
    return value is not None and not isinstance(value, str) and bool(pd.isna(value))
