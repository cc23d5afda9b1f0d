"""The targets' tables: one frame per page, which the page, its .csv/.xlsx/.json twins
and the API all read, so their values cannot disagree."""

from __future__ import annotations

import pandas as pd

from rankings import wording
from rankings.public.tables import Table
from rankings.targets.models import Comparison, Measure
from rankings.targets.progress import Status
from rankings.targets.selectors import AgencyTargets, ProvinceTargets, TargetRow

PROVINCE_WIDE = "Toàn tỉnh"

TARGET_HEADERS = {
    "agency": "Slug đơn vị",
    "agency_name": "Đơn vị",
    "block": "Khối (chỉ tiêu chung)",
    "block_name": "Tên khối",
    "indicator": "Chỉ tiêu",
    "measure": "Đo bằng",
    "criterion_code": "Mã tiêu chí",
    "year": "Năm mục tiêu",
    "comparison": "So sánh",
    "value": "Mục tiêu",
    "unit": "Đơn vị tính",
    "baseline_year": "Năm gốc",
    "baseline_value": "Giá trị năm gốc",
    "latest_year": "Năm số liệu mới nhất",
    "latest_value": "Số liệu mới nhất",
    "expected": "Giá trị theo tiến độ",
    "status": "Mã trạng thái",
    "status_label": "Trạng thái",
    "note": "Ghi chú, nguồn",
}
COUNT_HEADERS = {f"count_{status}": f"Số đơn vị: {label}" for status, label in Status.choices}


def _record(row: TargetRow) -> dict:
    target, progress = row.target, row.progress
    agency = row.agency
    record = {
        "agency": agency.slug if agency else "",
        "agency_name": agency.name if agency else PROVINCE_WIDE,
        "block": target.block.slug if target.block else "",
        "block_name": wording.block_name(target.block) if target.block else "",
        "indicator": target.indicator,
        "measure": target.measure,
        "criterion_code": target.criterion_code,
        "year": target.year,
        "comparison": target.comparison,
        "value": target.value,
        "unit": target.unit,
        "baseline_year": progress.baseline_year if progress else None,
        "baseline_value": progress.baseline_value if progress else None,
        "latest_year": progress.latest_year if progress else None,
        "latest_value": progress.latest_value if progress else None,
        "expected": progress.expected if progress else None,
        "status": progress.status if progress else "",
        "status_label": str(Status(progress.status).label) if progress else "",
        "note": target.note,
    }
    if progress is None or progress.baseline_year is None:
        record["baseline_year"] = target.baseline_year
        record["baseline_value"] = target.baseline_value
    return record


def _frame(records: list[dict], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=columns)
    for column in columns:
        if column.endswith("year") or column.startswith("count_"):
            frame[column] = frame[column].astype("Int64")
    return frame


def province_table(targets: ProvinceTargets) -> Table:
    columns = [*TARGET_HEADERS, *COUNT_HEADERS]
    records = []
    for row in targets.rows:
        record = _record(row)
        for status in Status.values:
            record[f"count_{status}"] = row.counts.get(status) if row.agency is None else None
        records.append(record)
    slug = targets.province.slug  # type: ignore[attr-defined]
    suffix = f"-{targets.year}" if targets.year else ""
    return Table(
        frame=_frame(records, columns),
        filename=f"chi-tieu-{slug}{suffix}",
        title=f"Chỉ tiêu của các đơn vị — {targets.province.name}",  # type: ignore[attr-defined]
        headers={**TARGET_HEADERS, **COUNT_HEADERS},
    )


def province_meta(targets: ProvinceTargets) -> dict:
    return {"province": targets.province.slug, "year": targets.year}  # type: ignore[attr-defined]


def agency_table(targets: AgencyTargets) -> Table:
    years = [f"value_{year}" for year in targets.years]
    columns = [*TARGET_HEADERS, *years]
    records = []
    for row in targets.rows:
        record = _record(row)
        if row.target.agency_id is None:
            record["agency"], record["agency_name"] = "", PROVINCE_WIDE
        for year in targets.years:
            record[f"value_{year}"] = row.series.get(year)
        records.append(record)
    agency = targets.agency
    headers = {**TARGET_HEADERS, **{f"value_{y}": f"Số liệu {y}" for y in targets.years}}
    return Table(
        frame=_frame(records, columns),
        filename=f"chi-tieu-{agency.slug}",
        title=f"Chỉ tiêu và tiến độ — {agency.name}",
        headers=headers,
    )


def agency_meta(targets: AgencyTargets) -> dict:
    agency = targets.agency
    return {"province": agency.province.slug, "agency": agency.slug, "name": agency.name}


MEASURE_LABELS = dict(Measure.choices)
COMPARISON_SIGNS = {Comparison.AT_LEAST: "≥", Comparison.AT_MOST: "≤"}
