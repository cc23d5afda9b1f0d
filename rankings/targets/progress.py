"""The status of a target against published values: pure, no database.

The rule, as the pages state it in one sentence (`RULE`): a target is met when the latest
published value up to its year reaches it; missed when its year has been published and it
was not reached; on track when the latest value is at or past the straight line from the
baseline (the baseline year's value, by default the first published year) to the target
in the target year; behind otherwise. With no published value up to its year it has no
status yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

MILLI = Decimal("0.001")

RULE = _(
    "Đạt: giá trị công bố mới nhất (đến năm mục tiêu) đã đạt mục tiêu; Không đạt: năm mục "
    "tiêu đã có kết quả công bố mà chưa đạt; Đúng tiến độ: chưa đạt nhưng bằng hoặc vượt "
    "đường thẳng nối giá trị năm gốc (mặc định là năm đầu tiên có số liệu) với mục tiêu ở "
    "năm mục tiêu; Chậm tiến độ: dưới đường thẳng đó."
)


class Status(models.TextChoices):
    MET = "met", _("Đạt")
    ON_TRACK = "on_track", _("Đúng tiến độ")
    BEHIND = "behind", _("Chậm tiến độ")
    MISSED = "missed", _("Không đạt")
    NO_DATA = "no_data", _("Chưa có số liệu")


@dataclass(frozen=True)
class Progress:
    """Where a target stands: its status, the value it was judged on, the expected value."""

    status: str
    latest_year: int | None = None
    latest_value: Decimal | None = None
    expected: Decimal | None = None  # on the straight line in `latest_year`
    baseline_year: int | None = None
    baseline_value: Decimal | None = None


def reaches(value: Decimal, goal: Decimal, *, at_most: bool) -> bool:
    return value <= goal if at_most else value >= goal


def path_value(
    *, baseline_year: int, baseline_value: Decimal, year: int, goal: Decimal, at: int
) -> Decimal:
    """The straight line from (baseline_year, baseline_value) to (year, goal) at year `at`,
    flat before the baseline; to thousandths, half up."""
    if at <= baseline_year:
        return baseline_value
    share = Decimal(at - baseline_year) / Decimal(year - baseline_year)
    return (baseline_value + (goal - baseline_value) * share).quantize(MILLI, ROUND_HALF_UP)


def target_progress(
    *,
    goal: Decimal,
    year: int,
    at_most: bool,
    series: dict[int, Decimal],
    baseline_year: int | None = None,
    baseline_value: Decimal | None = None,
    last_published_year: int | None = None,
) -> Progress:
    """The target's status from `series` (year → published value, years with a value only).

    `last_published_year` is the latest year whose ranking of the agency's block has been
    published: when it is the target year or later, the target year is past.
    """
    considered = {y: v for y, v in series.items() if y <= year}
    if not considered:
        return Progress(Status.NO_DATA)
    latest_year = max(considered)
    latest = considered[latest_year]
    base_year, base_value = _baseline(considered, baseline_year, baseline_value)
    if reaches(latest, goal, at_most=at_most):
        return Progress(Status.MET, latest_year, latest, None, base_year, base_value)
    past = latest_year == year or (last_published_year or 0) >= year
    if past:
        return Progress(Status.MISSED, latest_year, latest, None, base_year, base_value)
    expected = path_value(
        baseline_year=base_year, baseline_value=base_value, year=year, goal=goal, at=latest_year
    )
    status = Status.ON_TRACK if reaches(latest, expected, at_most=at_most) else Status.BEHIND
    return Progress(status, latest_year, latest, expected, base_year, base_value)


def _baseline(
    considered: dict[int, Decimal], year: int | None, value: Decimal | None
) -> tuple[int, Decimal]:
    """The given baseline; its year's published value when no value was given; else the
    first published year's."""
    if year is not None and value is not None:
        return year, value
    if year is not None and year in considered:
        return year, considered[year]
    first = min(considered)
    return first, considered[first]
