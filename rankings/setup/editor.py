"""The criteria-set editor of the set-up pages: a set's tree as rows to edit in the page.

Each row is what an annex row holds (code, name, maximum, rule in readable form,
evidence, data source); a save checks every row with the annex's own checker
(`annex.sheet_plan`: codes, maxima adding up, rules, the engine) and writes all or
nothing. Criteria keep their identity by code, so a draft cycle's scores stay attached;
a criterion that already has scores cannot be removed. A set a publication uses is
read-only (`read_only_reason`).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from agencies.models import Province
from rankings import wording
from rankings.models import (
    CriteriaSet,
    CriteriaSetKind,
    Criterion,
    CriterionGroup,
    Publication,
    Score,
)
from rankings.setup import tables
from rankings.setup.annex import AnnexPlan, SetHeader, annex_apply, sheet_plan
from rankings.setup.rule_text import rule_text

FIELDS = ("code", "name", "name_en", "max", "rule", "evidence", "source")
MAX_ROWS = 400
BLANK_ROWS = 5


def headers() -> dict[str, str]:
    """The editor's column names, as errors name them ("dòng 3, cột “Điểm tối đa”")."""
    return {
        "code": _("Mã"),
        "name": _("Chỉ số / tiêu chí"),
        "name_en": _("Tên tiếng Anh"),
        "max": _("Điểm tối đa"),
        "rule": _("Cách chấm"),
        "evidence": _("Minh chứng"),
        "source": _("Nguồn số liệu"),
    }


class EditRefused(ValueError):
    """A save the set's state forbids, with the Vietnamese reason."""


@dataclass
class Row:
    code: str = ""
    name: str = ""
    max: str = ""
    rule: str = ""
    evidence: bool = False
    source: str = ""
    is_group: bool = False
    name_en: str = ""

    @property
    def blank(self) -> bool:
        return not any((self.code, self.name, self.name_en, self.max, self.rule, self.source))


def read_only_reason(criteria_set: CriteriaSet) -> str:
    """Why the set cannot be edited any more, or "" while it can."""
    if criteria_set.kind == CriteriaSetKind.TOTALS:
        return _(
            "Bộ chỉ có tổng điểm, tạo khi nhập lại bảng đã công bố; không có nhóm, tiêu chí để sửa."
        )
    used = (
        Publication.objects.filter(cycle__criteria_set=criteria_set)
        .select_related("cycle__province", "cycle__block")
        .order_by("published_at")
        .first()
    )
    if used is None:
        return ""
    sentence = _(
        "Bộ tiêu chí đã dùng để công bố kết quả %(c)s (%(s)s), nên không sửa được nữa. "
        "Hãy sao chép để soạn bộ tiêu chí cho kỳ sau."
    )
    # Names stay marked as Vietnamese inside the English sentence.
    return mark_safe(  # every part is escaped
        conditional_escape(sentence)
        % {"c": wording.cycle_marked(used.cycle), "s": wording.vi_marked(used.source_label)}
    )


def _natural(code: str) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in code.split("."))


def set_rows(criteria_set: CriteriaSet | None) -> list[Row]:
    """The set's groups and criteria in code order (groups with their children's sum)."""
    if criteria_set is None:
        return []
    criteria = list(criteria_set.criteria.select_related("group__parent"))
    sums: dict[str, Decimal] = {}
    for criterion in criteria:
        group: CriterionGroup | None = criterion.group
        while group is not None:
            sums[group.code] = sums.get(group.code, Decimal(0)) + criterion.max_points
            group = group.parent
    # A backfilled set's group holds one criterion of its own code: shown once, as it.
    codes = {c.code for c in criteria}
    rows = [
        Row(g.code, g.name, _plain(sums.get(g.code, Decimal(0))), is_group=True, name_en=g.name_en)
        for g in criteria_set.groups.all()
        if g.code not in codes
    ]
    rows += [
        Row(
            c.code,
            c.name,
            _plain(c.max_points),
            rule_text(c.rule, c.params),
            c.evidence_required,
            c.data_source,
            name_en=c.name_en,
        )
        for c in criteria
    ]
    return sorted(rows, key=lambda row: _natural(row.code))


def posted_rows(data) -> list[Row]:
    """The rows of a POSTed editor: row-<n>-<field>, n from 1 to `rows`."""
    try:
        count = min(int(data.get("rows", 0)), MAX_ROWS)
    except ValueError:
        count = 0

    def text(n: int, name: str) -> str:
        return tables.text(data.get(f"row-{n}-{name}", ""))

    return [
        Row(
            code=text(n, "code"),
            name=text(n, "name"),
            max=text(n, "max"),
            rule=text(n, "rule"),
            evidence=data.get(f"row-{n}-evidence") == "1",
            source=text(n, "source"),
            name_en=text(n, "name_en"),
        )
        for n in range(1, count + 1)
    ]


def editor_plan(rows: list[Row], *, max_points: Decimal) -> AnnexPlan:
    """The typed rows checked as an annex is (row numbers are the editor's); blank rows
    are left out. Nothing is written."""
    records: list[tuple[int, dict[str, object]]] = [
        (
            number,
            {
                "code": row.code,
                "name": row.name,
                "max": row.max,
                "rule": row.rule,
                "cap": "",
                "evidence": "có" if row.evidence else "không",
                "source": row.source,
            },
        )
        for number, row in enumerate(rows, start=1)
        if not row.blank
    ]
    sheet = tables.Sheet(records, headers())
    return sheet_plan(sheet, max_points=max_points)


def criteria_set_save(
    *,
    province: Province,
    criteria_set: CriteriaSet | None,
    header: SetHeader,
    plan: AnnexPlan,
    english: dict[str, str] | None = None,
) -> CriteriaSet:
    """A new set from the rows, or the edited set; all or nothing. `english` gives the
    groups' and criteria's English names by code."""
    if not plan.ok:
        raise ValueError("Refused rows cannot be saved.")
    with transaction.atomic():
        if criteria_set is None:
            saved = annex_apply(province=province, header=header, plan=plan)
        else:
            saved = _edit(criteria_set, header, plan)
        _english_names(saved, english or {})
    return saved


def english_names(rows: list[Row]) -> dict[str, str]:
    """{code: English name} of the typed rows."""
    return {row.code: row.name_en[:250] for row in rows if row.code}


def _english_names(criteria_set: CriteriaSet, english: dict[str, str]) -> None:
    for manager in (criteria_set.groups, criteria_set.criteria):
        for node in manager.all():
            if node.name_en != english.get(node.code, ""):
                node.name_en = english.get(node.code, "")
                node.save(update_fields=["name_en"])


@transaction.atomic
def _edit(criteria_set: CriteriaSet, header: SetHeader, plan: AnnexPlan) -> CriteriaSet:
    locked = CriteriaSet.objects.select_for_update().get(pk=criteria_set.pk)
    if reason := read_only_reason(locked):
        raise EditRefused(reason)
    walk = list(plan.walk())
    keep = {node.code for node, _depth in walk if not node.is_group}
    gone = locked.criteria.exclude(code__in=keep)
    scored = sorted(
        set(Score.objects.filter(criterion__in=gone).values_list("criterion__code", flat=True))
    )
    if scored:
        raise EditRefused(
            _("tiêu chí %(c)s đã có điểm trong kỳ đánh giá đang mở, không xóa được")
            % {"c": ", ".join(scored)}
        )
    gone.delete()
    locked.block, locked.name, locked.max_points = header.block, header.name, header.max_points
    locked.decision_number, locked.decision_date = header.decision_number, header.decision_date
    locked.issuer, locked.tie_method = header.issuer, header.tie_method
    locked.name_en = header.name_en
    header.statistics_apply(locked)
    locked.save()
    groups = {g.code: g for g in locked.groups.all()}
    criteria = {c.code: c for c in locked.criteria.all()}
    kept_groups = set()
    for order, (node, _depth) in enumerate(walk):
        parent = groups.get(node.code.rpartition(".")[0]) if "." in node.code else None
        if node.is_group:
            group = groups.get(node.code) or CriterionGroup(criteria_set=locked, code=node.code)
            group.parent, group.name, group.order = parent, node.name[:250], order
            group.save()
            groups[node.code] = group
            kept_groups.add(node.code)
            continue
        criterion = criteria.get(node.code) or Criterion(criteria_set=locked, code=node.code)
        criterion.group = parent  # type: ignore[assignment]  # a criterion's parent is a group
        criterion.name, criterion.max_points = node.name, node.maximum
        criterion.rule, criterion.params = node.rule, node.params
        criterion.evidence_required, criterion.data_source = node.evidence, node.source
        criterion.order = order
        criterion.save()
    locked.groups.exclude(code__in=kept_groups).delete()
    return locked


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")
