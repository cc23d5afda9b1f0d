"""A criteria set from the annex of its decision: one row per group or criterion.

Columns as decisions print them: STT (code) | Chỉ số / tiêu chí | Điểm tối đa | Cách xác
định và chấm điểm | Tài liệu kiểm chứng | Nguồn số liệu. A code's parent is the code
without its last part ("1.2" is under "1"); a row with children is a group (or a sub-group
one level down), a row without is a criterion. Checked: codes unique and hierarchical,
at most three levels, every group's maximum equal to its children's sum and the top
groups' sum equal to the set's maximum, every rule readable (`rule_text`), then the whole
tree once more by the engine itself.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
from django.db import transaction
from django.utils.translation import gettext as _

import scoring
from agencies.models import Block, Province
from agencies.names import name_key
from agencies.slugs import slugify, unique_slug
from rankings.formatting import places_of
from rankings.language.every import with_translations
from rankings.models import CriteriaSet, Criterion, CriterionGroup, RuleKind
from rankings.setup import tables
from rankings.setup.rule_text import RuleError, parse_rule, rule_text
from rankings.setup.tables import Problem
from scoring.criteria import parse_criteria

COLUMNS = {
    "code": ("STT", "Mã", "Mã tiêu chí", "TT"),
    "name": ("Chỉ số / tiêu chí", "Chỉ số, tiêu chí", "Tiêu chí", "Nội dung", "Tên"),
    "max": ("Điểm tối đa", "Điểm", "Điểm chuẩn"),
    "rule": ("Cách xác định và chấm điểm", "Cách chấm", "Cách chấm điểm", "Quy tắc chấm"),
    "cap": ("Giới hạn", "Tối đa cộng dồn"),
    "evidence": ("Tài liệu kiểm chứng", "Minh chứng", "Yêu cầu minh chứng"),
    "source": ("Nguồn số liệu", "Nguồn"),
}
REQUIRED = ("code", "name", "max")
NO = {name_key(w) for w in ("", "không", "không yêu cầu", "no", "0", "-")}


@dataclass
class Node:
    row: int
    code: str
    name: str
    maximum: Decimal
    rule: str = "direct"
    params: dict = field(default_factory=dict)
    evidence: bool = False
    source: str = ""
    children: list["Node"] = field(default_factory=list)

    @property
    def is_group(self) -> bool:
        return bool(self.children)

    @property
    def depth(self) -> int:
        return self.code.count(".")

    @property
    def readable(self) -> str:
        """ "Bảng bậc: 4:20; 3:15", as the preview shows the rule that will be stored."""
        label = RuleKind(self.rule).label
        text = rule_text(self.rule, self.params)
        return f"{label}: {text}" if self.params else str(label)


@dataclass
class AnnexPlan:
    """The checked tree (top nodes) and its problems."""

    max_points: Decimal
    roots: list[Node] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.roots)

    def walk(self):
        """(node, depth) in annex order, for the preview tree."""
        stack = [(n, 0) for n in reversed(self.roots)]
        while stack:
            node, depth = stack.pop()
            yield node, depth
            stack += [(c, depth + 1) for c in reversed(node.children)]

    @property
    def criteria_count(self) -> int:
        return sum(1 for node, _ in self.walk() if not node.is_group)


def annex_plan(*, data: bytes, filename: str, max_points: Decimal) -> AnnexPlan:
    """Read and check an annex; nothing is written."""
    try:
        sheet = tables.read_sheet(
            data, filename, columns=with_translations(COLUMNS), required=REQUIRED
        )
    except tables.Refused as refused:
        return AnnexPlan(max_points, problems=[Problem(None, "", str(refused))])
    return sheet_plan(sheet, max_points=max_points)


def sheet_plan(sheet: tables.Sheet, *, max_points: Decimal) -> AnnexPlan:
    """Check rows read from an annex or typed in the editor (`editor`); nothing is written."""
    plan = AnnexPlan(max_points)
    nodes: dict[str, Node] = {}
    for number, record in sheet.rows:
        node = _node(plan, sheet, number, record, nodes)
        if node is None:
            continue
        nodes[node.code] = node
        parent_code = node.code.rpartition(".")[0]
        if not parent_code:
            plan.roots.append(node)
        elif parent_code in nodes:
            nodes[parent_code].children.append(node)
        else:
            plan.problems.append(
                Problem(
                    number,
                    sheet.column("code"),
                    _("mã %(c)s thiếu dòng cha %(p)s (phải đứng trước)")
                    % {"c": node.code, "p": parent_code},
                )
            )
    if not sheet.rows:
        plan.problems.append(Problem(None, "", _("tệp không có dòng dữ liệu nào.")))
    if plan.problems:
        return plan
    _check_tree(plan, sheet)
    if not plan.problems:
        _check_rules(plan, sheet)
    if not plan.problems:
        _engine_check(plan)
    return plan


def _node(plan, sheet, number, record, nodes) -> Node | None:
    before = len(plan.problems)

    def problem(column: str, message: str) -> None:
        plan.problems.append(Problem(number, sheet.column(column), message))

    code = tables.text(record.get("code")).rstrip(".")
    name = tables.text(record.get("name"))
    maximum = tables.decimal(record.get("max"))
    if not code or any(not part.isalnum() for part in code.split(".")):
        problem("code", _("mã “%(c)s” không hợp lệ (dạng 1, 1.1, 1.1.2)") % {"c": code})
    elif code in nodes:
        problem("code", _("mã %(c)s đã có ở dòng %(r)s") % {"c": code, "r": nodes[code].row})
    elif code.count(".") > 2:
        problem("code", _("mã %(c)s sâu quá 3 cấp (nhóm, nhóm con, tiêu chí)") % {"c": code})
    if not name:
        problem("name", _("thiếu tên chỉ số, tiêu chí"))
    if maximum is None or maximum <= 0:
        problem(
            "max", _("“%(v)s” không phải điểm tối đa dương") % {"v": tables.text(record.get("max"))}
        )
    elif places_of(maximum) > 3:
        problem("max", _("%(v)s có hơn 3 chữ số thập phân") % {"v": maximum})
    if len(plan.problems) > before or maximum is None:  # a missing maximum is a problem
        return None
    node = Node(number, code, name[:300], maximum)
    node.evidence = name_key(tables.text(record.get("evidence"))) not in NO
    node.source = tables.text(record.get("source"))[:250]
    node.params = {"text": tables.text(record.get("rule")), "cap": tables.text(record.get("cap"))}
    return node


def _check_tree(plan: AnnexPlan, sheet) -> None:
    total = sum((n.maximum for n in plan.roots), Decimal(0))
    if total != plan.max_points:
        plan.problems.append(
            Problem(
                None,
                sheet.column("max"),
                _("tổng điểm tối đa các nhóm là %(t)s, khác điểm tối đa của bộ tiêu chí %(m)s")
                % {"t": _plain(total), "m": _plain(plan.max_points)},
            )
        )
    for node, _depth in plan.walk():
        if node.is_group:
            children = sum((c.maximum for c in node.children), Decimal(0))
            if children != node.maximum:
                plan.problems.append(
                    Problem(
                        node.row,
                        sheet.column("max"),
                        _("nhóm %(c)s tối đa %(m)s điểm nhưng các mục con cộng lại %(s)s")
                        % {"c": node.code, "m": _plain(node.maximum), "s": _plain(children)},
                    )
                )
        elif node.depth == 0:
            plan.problems.append(
                Problem(
                    node.row,
                    sheet.column("code"),
                    _("mã %(c)s là cấp nhóm nhưng không có tiêu chí con") % {"c": node.code},
                )
            )


def _check_rules(plan: AnnexPlan, sheet) -> None:
    for node, _depth in plan.walk():
        text, cap = node.params["text"], node.params["cap"]
        if node.is_group:
            if text and name_key(text) not in {name_key("nhóm"), name_key("(nhóm)")}:
                plan.problems.append(
                    Problem(
                        node.row,
                        sheet.column("rule"),
                        _("nhóm %(c)s có cách chấm; cách chấm chỉ ghi ở tiêu chí")
                        % {"c": node.code},
                    )
                )
            node.params = {}
            continue
        if cap and "tối đa" not in text:
            text = f"{text}; tối đa {cap}"
        try:
            node.rule, node.params = parse_rule(text, node.maximum)
        except RuleError as error:
            plan.problems.append(Problem(node.row, sheet.column("rule"), str(error)))


def _engine_check(plan: AnnexPlan) -> None:
    """The engine reads the tree as it will when scoring; its objections are kept."""
    try:
        parse_criteria(engine_frame(plan), scoring.Rounding.HALF_UP)
    except scoring.ScoringInputError as error:
        rows = {n.code: n.row for n, _ in plan.walk()}
        for problem in error.problems:
            plan.problems.append(Problem(rows.get(problem.criterion), "", problem.message))


def engine_frame(plan: AnnexPlan) -> pd.DataFrame:
    records = []
    for node, depth in plan.walk():
        if node.is_group:
            continue
        parts = node.code.split(".")
        records.append(
            {
                "criterion": node.code,
                "group": parts[0],
                "subgroup": ".".join(parts[:2]) if depth == 2 else None,
                "max_points": node.maximum,
                "rule": node.rule,
                "params": node.params,
                "required": False,
            }
        )
    return pd.DataFrame.from_records(records)


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


@dataclass(frozen=True)
class SetHeader:
    """What the form says about the set itself: block, name, decision, maximum, rules."""

    block: Block
    name: str
    max_points: Decimal
    name_en: str = ""
    decision_number: str = ""
    decision_date: datetime.date | None = None
    issuer: str = ""
    tie_method: str = "competition"
    # How the block mean and median print; None keeps the set's (the annex import's form
    # does not ask, the editor's does).
    statistics_precision: int | None = None
    statistics_rounding: str | None = None

    @classmethod
    def of(cls, data: dict) -> "SetHeader":
        """The header from a set-up form's cleaned data (the annex import's, the editor's)."""
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})

    def statistics_apply(self, criteria_set: CriteriaSet) -> None:
        """Set the statistics rule on `criteria_set` where the form gave one."""
        if self.statistics_precision is not None:
            criteria_set.statistics_precision = self.statistics_precision
        if self.statistics_rounding:
            criteria_set.statistics_rounding = self.statistics_rounding


@transaction.atomic
def annex_apply(
    *, province: Province, header: SetHeader, plan: AnnexPlan, replace: CriteriaSet | None = None
) -> CriteriaSet:
    """Create the set (or replace the tree of an unpublished one) from a checked annex."""
    if not plan.ok:
        raise ValueError("A refused annex cannot be applied.")
    criteria_set = _emptied(replace) if replace is not None else _new_set(province, header)
    criteria_set.province, criteria_set.block, criteria_set.name = (
        province,
        header.block,
        header.name,
    )
    criteria_set.max_points, criteria_set.tie_method = header.max_points, header.tie_method
    criteria_set.decision_number, criteria_set.decision_date = (
        header.decision_number,
        header.decision_date,
    )
    criteria_set.issuer, criteria_set.name_en = header.issuer, header.name_en
    header.statistics_apply(criteria_set)
    criteria_set.save()
    _tree_create(criteria_set, plan)
    return criteria_set


def _emptied(replace: CriteriaSet) -> CriteriaSet:
    """An unpublished set without its tree, to take a new one."""
    if replace.cycles.filter(publications__isnull=False).exists():
        raise ValueError("A published criteria set cannot change.")
    replace.criteria.all().delete()
    replace.groups.all().delete()
    return replace


def _new_set(province: Province, header: SetHeader) -> CriteriaSet:
    taken = set(CriteriaSet.objects.values_list("slug", flat=True))
    return CriteriaSet(
        slug=unique_slug(slugify(f"{province.slug} {header.name}", max_length=90), taken)
    )


def _tree_create(criteria_set: CriteriaSet, plan: AnnexPlan) -> None:
    """The annex's groups (one at a time, for their parents) and criteria (in bulk)."""
    groups: dict[str, CriterionGroup] = {}
    criteria = []
    for order, (node, _depth) in enumerate(plan.walk()):
        parent_code = node.code.rpartition(".")[0]
        if node.is_group:
            groups[node.code] = CriterionGroup.objects.create(
                criteria_set=criteria_set,
                parent=groups.get(parent_code),
                code=node.code,
                name=node.name[:250],
                order=order,
            )
        else:
            criteria.append(
                Criterion(
                    criteria_set=criteria_set,
                    group=groups[parent_code],
                    code=node.code,
                    name=node.name,
                    max_points=node.maximum,
                    rule=node.rule,
                    params=node.params,
                    evidence_required=node.evidence,
                    data_source=node.source,
                    order=order,
                )
            )
    Criterion.objects.bulk_create(criteria)
