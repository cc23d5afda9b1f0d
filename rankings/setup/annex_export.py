"""A criteria set written back as its annex (.xlsx), in the columns `annex` reads.

Editing a set is then: download its annex, change it in a spreadsheet, import it over the
set (allowed until a publication uses the set).

Headings, the sheet's name and yes/no are in the language of whoever downloads it (the
import accepts the headings in every language); the rule column keeps the annex's own
Vietnamese notation, which `rule_text.parse_rule` reads back.
"""

import io
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook

from rankings.models import CriteriaSet
from rankings.setup.rule_text import rule_text

HEADER = [  # msgids: written in the reader's language
    gettext_noop("STT"),
    gettext_noop("Chỉ số / tiêu chí"),
    gettext_noop("Điểm tối đa"),
    gettext_noop("Cách xác định và chấm điểm"),
    gettext_noop("Tài liệu kiểm chứng"),
    gettext_noop("Nguồn số liệu"),
]


def annex_rows(criteria_set: CriteriaSet) -> list[list]:
    """Groups and criteria in annex order; a group's maximum is its criteria's sum."""
    groups = list(criteria_set.groups.order_by("order", "code"))
    criteria = list(criteria_set.criteria.order_by("order", "code"))
    children: dict = {}
    for group in groups:
        children.setdefault(group.parent_id, []).append(group)
    under: dict = {}
    for criterion in criteria:
        under.setdefault(criterion.group_id, []).append(criterion)

    def maximum(group) -> Decimal | int:  # 0 for a group with nothing under it
        own = sum(c.max_points for c in under.get(group.pk, []))
        return own + sum(maximum(child) for child in children.get(group.pk, []))

    rows: list[list] = []

    def walk(group) -> None:
        rows.append([group.code, group.name, _number(maximum(group)), "", "", ""])
        # Sub-groups and criteria interleaved as the annex listed them (`order`).
        items = children.get(group.pk, []) + under.get(group.pk, [])
        for item in sorted(items, key=lambda item: (item.order, item.code)):
            if hasattr(item, "rule"):
                evidence = _("Có") if item.evidence_required else _("Không")
                rule = rule_text(item.rule, item.params)
                rows.append(
                    [
                        item.code,
                        item.name,
                        _number(item.max_points),
                        rule,
                        evidence,
                        item.data_source,
                    ]
                )
            else:
                walk(item)

    for group in children.get(None, []):
        walk(group)
    return rows


def _number(value) -> object:
    return int(value) if value == value.to_integral_value() else float(value)


def annex_xlsx(criteria_set: CriteriaSet) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Phu luc")
    sheet.append([criteria_set.name])
    sheet.append([_(heading) for heading in HEADER])
    for row in annex_rows(criteria_set):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
