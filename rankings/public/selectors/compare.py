"""Agencies of a province compared side by side for one year."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F

from agencies.units import REFORM_DATE
from rankings.models import (
    AssessmentCycle,
    CriterionGroup,
    Result,
)
from rankings.public.selectors.leaderboard import published_cycle


@dataclass(frozen=True)
class Comparison:
    agencies: list
    cycle: AssessmentCycle | None
    groups: list[CriterionGroup]
    results: list[Result]
    error: str


def comparison(*, province: str, year: int, slugs: list[str]) -> Comparison:
    """Two or more agencies of one block side by side; other requests say why they fail."""
    from django.utils.translation import gettext as _

    from agencies.models import Agency

    agencies = list(
        Agency.objects.filter(province__slug=province, slug__in=slugs).select_related("block")
    )
    error = _not_comparable(agencies, slugs)
    if error:
        return Comparison(agencies, None, [], [], error)
    blocks = {agency.block for agency in agencies}
    cycle = published_cycle(province=province, year=year, block=blocks.pop().slug)
    if cycle is None:
        error = _("Năm %(year)s chưa có kết quả xếp hạng được công bố cho khối này.") % {
            "year": year
        }
        return Comparison(agencies, None, [], [], error)
    publication = cycle.publications.order_by("-revision").first()
    results = list(
        Result.objects.filter(publication=publication, agency__in=agencies)
        .select_related("agency")
        .order_by(F("rank").asc(nulls_last=True))
    )
    groups = list(cycle.criteria_set.groups.filter(parent__isnull=True).order_by("order", "code"))
    return Comparison(agencies, cycle, groups, results, "")


def _not_comparable(agencies: list, slugs: list[str]) -> str:
    """Why the agencies asked for cannot stand side by side ("" when they can): fewer than
    two, one not found, of different blocks, or of both sides of the 2025 reform."""
    from django.utils.translation import gettext as _

    found = {agency.slug for agency in agencies}
    missing = [slug for slug in slugs if slug not in found]
    if len(slugs) < 2:
        return _("Chọn ít nhất hai đơn vị để so sánh.")
    if missing:
        return _("Không tìm thấy đơn vị: %(slugs)s.") % {"slugs": ", ".join(missing)}
    blocks = {agency.block for agency in agencies}
    if len(blocks) > 1:
        return _(
            "Không thể so sánh các đơn vị thuộc các khối khác nhau (%(blocks)s): mỗi khối có "
            "bộ tiêu chí và điểm tối đa riêng, nên điểm số không cùng thang đo."
        ) % {"blocks": ", ".join(sorted(b.name for b in blocks))}
    eras = {_agency_era(agency) for agency in agencies} - {None}
    if len(eras) > 1:
        return _(
            "Không so sánh được: khác cơ cấu đơn vị hành chính trước/sau ngày 01/07/2025. "
            "Đơn vị đã kết thúc trước sắp xếp và đơn vị hình thành sau sắp xếp không được "
            "xếp hạng cùng nhau."
        )
    return ""


def _agency_era(agency) -> str | None:
    """ "legacy" for a unit that ended before the 2025 reform, "current" for one formed by
    it, None for one that lives on both sides."""
    if agency.valid_to is not None and agency.valid_to < REFORM_DATE:
        return "legacy"
    if agency.valid_from >= REFORM_DATE:
        return "current"
    return None
