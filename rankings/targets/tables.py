"""The targets' tables: one frame per page, which the page, its .csv/.xlsx/.json twins
and the API all read, so their values cannot disagree."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rankings import wording
from rankings.public.tables import Table
from rankings.targets.models import Comparison, Measure
from rankings.targets.progress import Status
from rankings.targets.selectors import AgencyTargets, ProvinceTargets, TargetRow

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PROVINCE_WIDE = gettext_lazy("Toàn tỉnh")  # str() where written: the reader's language

TARGET_HEADERS: dict[str, StrOrPromise] = {
    "agency": gettext_lazy("Slug đơn vị"),
    "agency_name": gettext_lazy("Đơn vị"),
    "block": gettext_lazy("Khối (chỉ tiêu chung)"),
    "block_name": gettext_lazy("Tên khối"),
    "indicator": gettext_lazy("Chỉ tiêu"),
    "measure": gettext_lazy("Đo bằng"),
    "criterion_code": gettext_lazy("Mã tiêu chí"),
    "year": gettext_lazy("Năm mục tiêu"),
    "comparison": gettext_lazy("So sánh"),
    "value": gettext_lazy("Mục tiêu"),
    "unit": gettext_lazy("Đơn vị tính"),
    "baseline_year": gettext_lazy("Năm gốc"),
    "baseline_value": gettext_lazy("Giá trị năm gốc"),
    "latest_year": gettext_lazy("Năm số liệu mới nhất"),
    "latest_value": gettext_lazy("Số liệu mới nhất"),
    "expected": gettext_lazy("Giá trị theo tiến độ"),
    "status": gettext_lazy("Mã trạng thái"),
    "status_label": gettext_lazy("Trạng thái"),
    "note": gettext_lazy("Ghi chú, nguồn"),
}
COUNT_HEADERS = {f"count_{status}": label for status, label in Status.choices}


def _count_headers() -> dict[str, StrOrPromise]:
    return {key: _("Số đơn vị: %(s)s") % {"s": label} for key, label in COUNT_HEADERS.items()}


def _record(row: TargetRow) -> dict:
    target, progress = row.target, row.progress
    agency = row.agency
    record = {
        "agency": agency.slug if agency else "",
        "agency_name": agency.name if agency else str(PROVINCE_WIDE),
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
        title=_("Chỉ tiêu của các đơn vị — %(p)s") % {"p": targets.province.name},  # type: ignore[attr-defined]
        headers={**TARGET_HEADERS, **_count_headers()},
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
            record["agency"], record["agency_name"] = "", str(PROVINCE_WIDE)
        for year in targets.years:
            record[f"value_{year}"] = row.series.get(year)
        records.append(record)
    agency = targets.agency
    headers = {
        **TARGET_HEADERS,
        **{f"value_{y}": _("Số liệu %(y)s") % {"y": y} for y in targets.years},
    }
    return Table(
        frame=_frame(records, columns),
        filename=f"chi-tieu-{agency.slug}",
        title=_("Chỉ tiêu và tiến độ — %(a)s") % {"a": agency.name},
        headers=headers,
    )


def agency_meta(targets: AgencyTargets) -> dict:
    agency = targets.agency
    return {"province": agency.province.slug, "agency": agency.slug, "name": agency.name}


MEASURE_LABELS = dict(Measure.choices)
COMPARISON_SIGNS = {Comparison.AT_LEAST: "≥", Comparison.AT_MOST: "≤"}
