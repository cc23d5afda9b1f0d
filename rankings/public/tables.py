"""The tables behind each page, as frames, for the CSV/XLSX/JSON twins.

The page and its downloads read the same selector output, so their numbers cannot differ.
Column keys are a stable contract; `headers` gives the labels used in XLSX, in the reader's
language (lazy: translated when the file is written).
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rankings.printed import maximum, printed
from rankings.wording import local_name

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Table:
    frame: pd.DataFrame
    filename: str
    title: str
    headers: dict[str, "StrOrPromise"] = field(default_factory=dict)
    note: str = ""


# Why a year's changes are not given (`selectors.Comparability.reason`), in the files.
NOT_COMPARABLE = {
    "structure": gettext_lazy(
        "không so sánh được: khác cơ cấu đơn vị hành chính trước/sau 01/07/2025"
    ),
    "criteria": gettext_lazy("bộ tiêu chí thay đổi: chỉ so sánh tỷ lệ % điểm tối đa và thứ hạng"),
    "gap": gettext_lazy("có năm không công bố ở giữa: chỉ so sánh tỷ lệ % điểm tối đa và thứ hạng"),
}


def not_comparable_text(reason: str) -> str | None:
    text = NOT_COMPARABLE.get(reason) if reason else None
    return None if text is None else str(text)


LEADERBOARD_HEADERS = {
    "rank": gettext_lazy("Thứ hạng"),
    "agency": gettext_lazy("Cơ quan, đơn vị"),
    "agency_slug": gettext_lazy("Mã định danh"),
    "admin_unit_code": gettext_lazy("Mã ĐVHC"),
    "total": gettext_lazy("Tổng điểm"),
    "max_points": gettext_lazy("Điểm tối đa"),
    "percent": gettext_lazy("Tỷ lệ % điểm tối đa"),
    "band": gettext_lazy("Xếp loại"),
    "not_ranked_reason": gettext_lazy("Lý do không xếp hạng"),
    "previous_rank": gettext_lazy("Thứ hạng năm trước"),
    "rank_change": gettext_lazy("Thay đổi thứ hạng"),
    "change": gettext_lazy("Thay đổi điểm"),
    "tied": gettext_lazy("Đồng hạng"),
    "comparison_year": gettext_lazy("Năm so sánh"),
    "percent_change": gettext_lazy("Thay đổi tỷ lệ % (điểm phần trăm)"),
}


def comparison_year(board) -> int | None:
    """The year the board's changes and last year's ranks are measured against, if any."""
    return board.previous.cycle.year if board.previous else None


def leaderboard_table(board) -> Table:
    frame, headers = _leaderboard_frame(board)
    cycle = board.cycle
    return Table(
        frame=frame,
        filename=f"{cycle.province.slug}-{cycle.year}-{cycle.block.slug}",
        title=_leaderboard_title(cycle),
        headers=headers,
        note=_leaderboard_note(board),
    )


def _leaderboard_frame(board) -> tuple[pd.DataFrame, dict[str, "StrOrPromise"]]:
    """The page's columns, each number by its rule (`rankings.printed`), then the added ones.

    New columns go at the end: the CSV's column order is part of its contract.
    """
    rows, rules = board.rows, printed(board.criteria_set)
    frame = pd.DataFrame(
        {
            "rank": rows["rank"],
            "agency": rows["agency_name"],
            "agency_slug": rows["agency_slug"],
            "admin_unit_code": rows["admin_unit_code"],
        }
    )
    headers: dict[str, StrOrPromise] = dict(LEADERBOARD_HEADERS)
    # A totals-only set (a backfilled table) has no group columns to export.
    for group in [] if board.criteria_set.totals_only else board.groups:
        key = f"group_{group.code}"
        frame[key] = _by(rows[key], rules.stored)
        headers[key] = f"{group.code}. {local_name(group)}"
    frame["total"] = _by(rows["total"], rules.total)
    frame["max_points"] = maximum(board.criteria_set.max_points)
    frame["percent"] = _by(rows["percent"], rules.percent)
    frame["band"] = rows["band"]
    frame["not_ranked_reason"] = rows["not_ranked_reason"]
    frame["previous_rank"] = rows["previous_rank"]
    frame["rank_change"] = rows["rank_change"]
    frame["change"] = _by(rows["change"], rules.total)
    frame["tied"] = rows["tied"].astype(bool)
    frame["comparison_year"] = pd.array([comparison_year(board)] * len(rows), dtype="Int64")
    # Given across a gap or a new criteria set too, where the change in points is withheld.
    frame["percent_change"] = _by(rows["percent_change"], rules.percent)
    return frame, headers


def _by(column: pd.Series, rule) -> pd.Series:
    """A column of Decimals by `rule`; missing values stay None."""
    return pd.Series([rule(v) for v in column], index=column.index, dtype=object)


def _leaderboard_note(board) -> str:
    """The publication's decision (or source) and date; why the year before does not compare."""
    publication = board.publication
    note = _("%(s)s (lần công bố %(n)s)") % {
        "s": publication.source_line,
        "n": publication.revision,
    }
    if board.not_comparable_reason:
        reason = not_comparable_text(board.not_comparable_reason)
        note += _(". So với năm %(y)s: %(r)s") % {"y": comparison_year(board), "r": reason}
    if board.missing_years:  # the baseline is years back: say which were not published
        missing = ", ".join(str(year) for year in board.missing_years)
        note += _(". Không có bảng xếp hạng công bố năm %(y)s") % {"y": missing}
    return note


def _leaderboard_title(cycle) -> str:
    if cycle.province.is_national:
        return _("Xếp hạng các tỉnh, thành phố toàn quốc năm %(y)s") % {"y": cycle.year}
    block = cycle.block.name
    return _("Xếp hạng %(b)s tỉnh %(p)s năm %(y)s") % {
        "b": f"{block[:1].lower()}{block[1:]}",
        "p": cycle.province.name,
        "y": cycle.year,
    }


def leaderboard_meta(board) -> dict:
    cycle, publication, stats = board.cycle, board.publication, board.stats
    rules = printed(board.criteria_set)
    return {
        "province": cycle.province.slug,
        "year": cycle.year,
        "block": cycle.block.slug,
        "criteria_set": cycle.criteria_set.slug,
        "publication": {
            "decision_number": publication.decision_number,
            "decision_date": publication.decision_date.isoformat(),
            "source_kind": publication.source_kind,
            "source": publication.source_line,
            "source_url": publication.source_url,
            "revision": publication.revision,
            "synthetic": publication.is_synthetic,
        },
        "statistics": {
            "count": stats.count,
            "max_points": str(maximum(stats.max_points)),
            "mean": str(rules.statistic(stats.mean)),
            "median": str(rules.statistic(stats.median)),
            "highest": str(rules.total(stats.highest)),
            "lowest": str(rules.total(stats.lowest)),
            "spread": str(rules.total(stats.spread)),
            "mean_percent": str(board.mean_percent),
            "mean_change": _text_or_none(rules.mean_change(board.mean_change)),
            "previous_year": comparison_year(board),
            "comparable_with_previous": board.comparable if board.previous else None,
            "not_comparable_reason": not_comparable_text(board.not_comparable_reason),
            "missing_years": list(board.missing_years),  # unpublished years since the baseline
            "mean_percent_change": _text_or_none(
                printed(board.criteria_set).percent(board.mean_percent_change)
            ),
        },
    }


def _text_or_none(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


HISTORY_HEADERS = {
    "year": gettext_lazy("Năm"),
    "rank": gettext_lazy("Thứ hạng"),
    "count": gettext_lazy("Số đơn vị"),
    "total": gettext_lazy("Tổng điểm"),
    "max_points": gettext_lazy("Điểm tối đa"),
    "percent": gettext_lazy("Tỷ lệ %"),
    "block_mean": gettext_lazy("Trung bình khối"),
    "criteria_set": gettext_lazy("Bộ tiêu chí"),
    "comparable_with_previous": gettext_lazy("So sánh được với năm trước"),
    "not_comparable_reason": gettext_lazy("Lý do không so sánh"),
    "change": gettext_lazy("Thay đổi điểm"),
    "rank_change": gettext_lazy("Thay đổi thứ hạng"),
    "decision_number": gettext_lazy("Số quyết định"),
    "source": gettext_lazy("Nguồn công bố"),
    "not_ranked_reason": gettext_lazy("Lý do không xếp hạng"),
}


def history_table(profile) -> Table:
    """One row a year, each number by its own year's criteria set (`rankings.printed`)."""
    records = [_history_record(point) for point in profile.history]
    frame = pd.DataFrame.from_records(records, columns=list(HISTORY_HEADERS))
    for column in ("rank", "rank_change"):
        frame[column] = frame[column].astype("Int64")
    agency = profile.agency
    return Table(
        frame=frame,
        filename=f"{agency.province.slug}-{agency.slug}",
        title=_("Kết quả xếp hạng qua các năm: %(a)s") % {"a": agency.name},
        headers=dict(HISTORY_HEADERS),
    )


def _history_record(point) -> dict:
    rules = printed(point.cycle.criteria_set)
    return {
        "year": point.cycle.year,
        "rank": point.result.rank,
        "count": point.count,
        "total": rules.total(point.result.score),
        "max_points": maximum(point.cycle.criteria_set.max_points),
        "percent": rules.percent(point.result.percent),
        "block_mean": rules.statistic(point.stats.mean),
        "criteria_set": point.cycle.criteria_set.slug,
        "comparable_with_previous": point.comparable_with_previous,
        "not_comparable_reason": not_comparable_text(point.not_comparable_reason),
        "change": rules.total(point.change),
        "rank_change": point.rank_change,
        "decision_number": point.publication.decision_number,
        "source": point.publication.source_line,
        "not_ranked_reason": point.result.not_ranked_reason or None,
    }


def history_meta(profile) -> dict:
    agency = profile.agency
    return {"province": agency.province.slug, "agency": agency.slug, "name": agency.name}


TREND_HEADERS = {
    "year": gettext_lazy("Năm"),
    "count": gettext_lazy("Số đơn vị"),
    "max_points": gettext_lazy("Điểm tối đa"),
    "mean": gettext_lazy("Trung bình"),
    "median": gettext_lazy("Trung vị"),
    "highest": gettext_lazy("Cao nhất"),
    "lowest": gettext_lazy("Thấp nhất"),
    "spread": gettext_lazy("Chênh lệch"),
    "mean_change": gettext_lazy("Thay đổi trung bình"),
    "comparable_with_previous": gettext_lazy("So sánh được với năm trước"),
    "not_comparable_reason": gettext_lazy("Lý do không so sánh"),
}


def trend_table(trend) -> Table:
    """One row a year, each figure by its own year's criteria set (`rankings.printed`)."""
    frame = pd.DataFrame.from_records([_trend_record(year) for year in trend.years])
    return Table(
        frame=frame,
        filename=f"{trend.province.slug}-{trend.block.slug}-xu-huong",
        title=_("%(b)s %(p)s: thống kê qua các năm")
        % {
            "b": trend.block.name,
            "p": trend.province.name,
        }
        if not trend.province.is_national
        else _("Các tỉnh, thành phố toàn quốc: thống kê qua các năm"),
        headers=dict(TREND_HEADERS),
    )


def _trend_record(year) -> dict:
    rules, stats = printed(year.cycle.criteria_set), year.stats
    return {
        "year": year.cycle.year,
        "count": stats.count,
        "max_points": maximum(stats.max_points),
        "mean": rules.statistic(stats.mean),
        "median": rules.statistic(stats.median),
        "highest": rules.total(stats.highest),
        "lowest": rules.total(stats.lowest),
        "spread": rules.total(stats.spread),
        "mean_change": rules.mean_change(year.mean_change),
        "comparable_with_previous": year.comparable_with_previous,
        "not_comparable_reason": not_comparable_text(year.not_comparable_reason),
    }


def trend_meta(trend) -> dict:
    return {"province": trend.province.slug, "block": trend.block.slug}


def compare_table(comparison) -> Table:
    cycle = comparison.cycle
    rules = printed(cycle.criteria_set)
    records = []
    for result in comparison.results:
        record = {
            "agency": result.agency.name,
            "agency_slug": result.agency.slug,
            "rank": result.rank,
        }
        for group in comparison.groups:
            record[f"group_{group.code}"] = Decimal(result.groups.get(group.code, "0"))
        record.update(total=rules.total(result.score), percent=rules.percent(result.percent))
        records.append(record)
    frame = pd.DataFrame.from_records(records)
    if not frame.empty:
        frame["rank"] = frame["rank"].astype("Int64")
    headers: dict[str, StrOrPromise] = {
        "agency": _("Cơ quan, đơn vị"),
        "agency_slug": _("Mã định danh"),
        "rank": _("Thứ hạng"),
        "total": _("Tổng điểm"),
        "percent": _("Tỷ lệ % điểm tối đa"),
    }
    headers.update({f"group_{g.code}": f"{g.code}. {local_name(g)}" for g in comparison.groups})
    return Table(
        frame=frame,
        filename=f"{cycle.province.slug}-{cycle.year}-{cycle.block.slug}-so-sanh",
        title=_("So sánh đơn vị, %(p)s năm %(y)s") % {"p": cycle.province.name, "y": cycle.year},
        headers=headers,
    )


def compare_meta(comparison) -> dict:
    cycle = comparison.cycle
    return {"province": cycle.province.slug, "year": cycle.year, "block": cycle.block.slug}


CRITERIA_HEADERS = {
    "code": gettext_lazy("Mã"),
    "kind": gettext_lazy("Loại"),
    "name": gettext_lazy("Nội dung"),
    "parent": gettext_lazy("Thuộc nhóm"),
    "max_points": gettext_lazy("Điểm tối đa"),
    "rule": gettext_lazy("Cách chấm"),
    "params": gettext_lazy("Tham số"),
}


def criteria_table(tree) -> Table:
    records: list[dict] = []
    for node in tree.groups:
        _criteria_records(node, "", records)
    criteria_set = tree.criteria_set
    return Table(
        frame=pd.DataFrame.from_records(records, columns=list(CRITERIA_HEADERS)),
        filename=f"bo-tieu-chi-{criteria_set.slug}",
        title=criteria_set.name,
        headers=dict(CRITERIA_HEADERS),
    )


def _criteria_records(node, parent_code: str, records: list[dict]) -> None:
    """A group's record, then its subgroups' (depth first), then its criteria's."""
    group, group_maximum, subgroups, criteria = node
    records.append(
        {
            "code": group.code,
            "kind": "group",
            "name": group.name,
            "parent": parent_code,
            "max_points": maximum(group_maximum),
            "rule": "",
            "params": "",
        }
    )
    for child in subgroups:
        _criteria_records(child, group.code, records)
    for criterion in criteria:
        records.append(
            {
                "code": criterion.code,
                "kind": "criterion",
                "name": criterion.name,
                "parent": group.code,
                "max_points": maximum(criterion.max_points),
                "rule": criterion.rule,
                "params": json.dumps(criterion.params, ensure_ascii=False),
            }
        )


def criteria_meta(tree) -> dict:
    criteria_set = tree.criteria_set
    return {
        "criteria_set": criteria_set.slug,
        "max_points": str(maximum(criteria_set.max_points)),
        "decision_number": criteria_set.decision_number,
    }
