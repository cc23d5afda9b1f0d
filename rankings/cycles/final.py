"""What becomes final, written once: the final preview is exactly what publishing freezes.

THE RULE (shown on the preview page as `RULE_TEXT`): for each agency and criterion the
final value is the council's verified value; where there is none, the value ICT staff
entered as final (the spreadsheet import or the API); an agency's own self-assessment
never counts unless the council accepted it (which makes it a verified value). Once a
cycle is published, corrections are entered as final values by ICT staff, so from the
second revision on the final values are the stored final ones.

Every agency of the block active in the cycle's year is accounted for: ranked, or not
ranked with a reason (excluded by the decision, did not submit, a required criterion
missing, below the criteria set's threshold). An agency that submitted but has no final
value and no reason blocks publication (`unaccounted`).
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import scoring
from agencies.models import Agency
from rankings.cycles.services import result_rows
from rankings.frames import criteria_frame, ranking_rules, score_records
from rankings.imports.template_workbook import cycle_agencies
from rankings.models import (
    AssessmentCycle,
    Result,
    Review,
    Score,
    Stage,
    SubmissionState,
)

RULE_TEXT = gettext_lazy(
    "Giá trị chính thức của mỗi tiêu chí là giá trị Hội đồng thẩm định đã xác nhận; nếu "
    "không có thì là giá trị cán bộ Sở TT&TT nhập làm chính thức. Số liệu tự đánh giá chưa "
    "được Hội đồng chấp nhận không bao giờ được tính. Mọi đơn vị của khối trong năm đều có "
    "mặt: được xếp hạng, hoặc không xếp hạng kèm lý do."
)
# Publishing (page or API) carries the fingerprint of the preview the approver saw; the
# service compares it under the cycle's lock and refuses with this when it has changed.
STALE_PREVIEW = gettext_lazy(
    "Bảng xếp hạng chính thức đã thay đổi kể từ khi bản xem trước được mở; hãy xem lại bản "
    "xem trước rồi công bố."
)


@dataclass(frozen=True)
class Difference:
    """One criterion of one agency whose final points differ from its self-assessed draft."""

    agency_id: int
    agency_name: str
    code: str
    self_points: Decimal | None
    final_points: Decimal | None
    why: str


@dataclass
class Preview:
    """The final leaderboard as publishing will freeze it (unsaved `Result` rows)."""

    cycle: AssessmentCycle
    rows: list[Result]
    differences: list[Difference] = field(default_factory=list)
    unaccounted: list[str] = field(default_factory=list)  # agency names, no value nor reason

    def fingerprint(self) -> str:
        """A digest of the rows: the publish form carries the one the approver saw, and
        publishing refuses when the preview has changed since."""
        text = "\n".join(
            f"{r.agency_id}|{r.total}|{r.score}|{r.percent}|{r.rank}|{r.band}|{r.not_ranked_reason}"
            for r in sorted(self.rows, key=lambda r: r.agency_id)
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def ranked(self) -> list[Result]:
        return [row for row in self.rows if row.rank is not None]

    def not_ranked(self) -> list[Result]:
        return [row for row in self.rows if row.rank is None]


def final_records(*, cycle: AssessmentCycle) -> list[dict]:
    """The engine's records of the final values, by THE RULE (see the module docstring)."""
    final = score_records(cycle=cycle, stage=Stage.FINAL)
    if cycle.publications.exists():
        return final
    chosen = {(r["agency"], r["criterion"]): r for r in final}
    for record in score_records(cycle=cycle, stage=Stage.VERIFIED):
        chosen[(record["agency"], record["criterion"])] = record
    return sorted(chosen.values(), key=lambda r: (r["agency"], r["criterion"]))


def final_preview(*, cycle: AssessmentCycle, with_differences: bool = True) -> Preview:
    """The final leaderboard of `cycle` exactly as `cycle_publish` writes it."""
    agencies = {agency.pk: agency for agency in accountable_agencies(cycle=cycle)}
    submissions = {s.agency_id: s for s in cycle.submissions.all()}
    excluded = {a: s.excluded_reason for a, s in submissions.items() if s.excluded_reason}
    records = [r for r in final_records(cycle=cycle) if r["agency"] not in excluded]
    rows: list[Result] = []
    if records:
        card = scoring.compute(
            criteria_frame(criteria_set=cycle.criteria_set),
            scoring.inputs_from_records(records),
            ranking_rules(criteria_set=cycle.criteria_set),
        )
        rows = result_rows(cycle=cycle, card=card)
        for row in rows:
            row.not_ranked_reason = reason_vi(row.not_ranked_reason)
    valued = {row.agency_id for row in rows}
    unaccounted = []
    for agency_id, agency in agencies.items():
        if agency_id in valued:
            continue
        submission = submissions.get(agency_id)
        if agency_id in excluded:  # the decision's own words, as they are
            reason = excluded[agency_id]
        elif submission is None or submission.state == SubmissionState.DRAFT:
            reason = _("Không nộp bản tự đánh giá")
        else:
            unaccounted.append(agency.name)
            continue
        rows.append(_not_ranked_row(cycle=cycle, agency_id=agency_id, reason=reason[:200]))
    _attach_agencies(rows, agencies)
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.agency.search_name, r.agency_id))
    preview = Preview(cycle=cycle, rows=rows, unaccounted=sorted(unaccounted))
    if with_differences:
        preview.differences = differences(cycle=cycle, agencies=agencies)
    return preview


def accountable_agencies(*, cycle: AssessmentCycle):
    """The block's agencies that must appear: those existing at the end of the assessed
    period (the data window's end, else 31 December). A unit merged away during the year
    appears only if it has values (the 2025 reform year: the new provinces, not the old)."""
    end = cycle.data_to or datetime.date(cycle.year, 12, 31)
    return (
        cycle_agencies(cycle=cycle)
        .filter(valid_from__lte=end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=end))
    )


def _attach_agencies(rows: list[Result], agencies: dict) -> None:
    """Each row's agency without a query per row (the block's, plus any outside its year)."""
    others = {r.agency_id for r in rows} - set(agencies)
    if others:
        agencies = {**agencies, **Agency.objects.in_bulk(list(others))}
    for row in rows:
        row.agency = agencies[row.agency_id]


def _not_ranked_row(*, cycle, agency_id: int, reason: str) -> Result:
    zero = Decimal("0.000")
    return Result(
        cycle=cycle,
        agency_id=agency_id,
        total=zero,
        score=zero,
        percent=zero,
        rank=None,
        band="",
        not_ranked_reason=reason,
        groups={},
        criteria={},
    )


_REQUIRED = re.compile(r"^criterion (?P<code>.+) not met$")
_BELOW = re.compile(
    r"^score below the minimum of (?P<minimum>\S+)(?P<unit> points|% of the maximum)$"
)


def reason_vi(reason: str) -> str:
    """The engine's not-ranked reason (English, technical) in the page's words."""
    if match := _REQUIRED.match(reason or ""):
        return _("Thiếu tiêu chí bắt buộc %(c)s") % {"c": match["code"]}
    if match := _BELOW.match(reason or ""):
        unit = _("điểm") if match["unit"] == " points" else _("% điểm tối đa")
        minimum = match["minimum"].replace(".", ",")
        return _("Dưới ngưỡng xếp hạng của bộ tiêu chí (%(m)s %(u)s)") % {"m": minimum, "u": unit}
    return reason or ""


def differences(*, cycle: AssessmentCycle, agencies: dict) -> list[Difference]:
    """Each criterion whose final points differ from the self-assessed draft, and why."""
    if cycle.publications.exists():
        return []
    scores: dict[tuple[int, str], dict[str, Score]] = {}
    for score in (
        Score.objects.filter(cycle=cycle)
        .select_related("criterion")
        .order_by()
        .only("agency_id", "criterion__code", "stage", "points", "review", "comment")
    ):
        scores.setdefault((score.agency_id, score.criterion.code), {})[score.stage] = score
    # Agencies that never self-assessed (their values were entered by ICT staff) have no
    # draft to differ from: listing each of their criteria would bury the real differences.
    assessed = {agency_id for (agency_id, _code), st in scores.items() if Stage.SELF in st}
    found = []
    for (agency_id, code), stages in sorted(scores.items()):
        if agency_id not in assessed:
            continue
        own = stages.get(Stage.SELF)
        final = stages.get(Stage.VERIFIED) or stages.get(Stage.FINAL)
        own_points = own.points if own else None
        final_points = final.points if final else None
        if own_points == final_points:
            continue
        agency = agencies.get(agency_id)
        found.append(
            Difference(
                agency_id=agency_id,
                agency_name=agency.name if agency else str(agency_id),
                code=code,
                self_points=own_points,
                final_points=final_points,
                why=_why(own=own, verified=stages.get(Stage.VERIFIED), final=final),
            )
        )
    return found


def _why(*, own, verified, final) -> str:
    if verified is not None and verified.review == Review.ADJUSTED:
        return _("Hội đồng điều chỉnh: %(c)s") % {"c": verified.comment}
    if verified is not None:
        return _("Hội đồng xác nhận giá trị khác bản tự đánh giá")
    if final is not None:
        return _("Giá trị do Sở TT&TT nhập làm chính thức")
    if own is not None and own.review == Review.RETURNED:
        return _("Đã trả lại để bổ sung, chưa được Hội đồng chấp nhận: không được tính")
    return _("Chưa được Hội đồng thẩm định: không được tính")
