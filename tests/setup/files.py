"""Real spreadsheet files for the setup imports, written with openpyxl or as CSV text."""

import csv
import io

from openpyxl import Workbook


def xlsx(rows: list[list], *, title_rows: list[list] | None = None) -> bytes:
    """An .xlsx whose first sheet holds optional title rows (as decisions print), then `rows`."""
    workbook = Workbook()
    sheet = workbook.active
    for row in (title_rows or []) + rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list], *, delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode("utf-8-sig")
