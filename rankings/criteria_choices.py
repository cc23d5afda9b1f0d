"""The criteria set's vocabularies: how totals round, what bands measure, how ties rank,
which rule scores a criterion, and whether a set has criteria or totals only.

Kept apart from rankings/models.py (which re-exports them) so that file stays one page of
models; the values are what the database stores.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Rounding(models.TextChoices):
    HALF_UP = "half_up", _("Làm tròn (nửa lên)")
    TRUNCATE = "truncate", _("Cắt bớt")


class Basis(models.TextChoices):
    PERCENT = "percent", _("Phần trăm điểm tối đa")
    POINTS = "points", _("Điểm")


class TieMethod(models.TextChoices):
    COMPETITION = "competition", _("Đồng hạng, bỏ qua hạng kế tiếp (1, 2, 2, 4)")
    DENSE = "dense", _("Đồng hạng, không bỏ hạng (1, 2, 2, 3)")


class RuleKind(models.TextChoices):
    DIRECT = "direct", _("Chấm điểm trực tiếp")
    RATIO = "ratio", _("Tỷ lệ a/b × điểm tối đa")
    STEPS = "steps", _("Bảng bậc")
    CHOICE = "choice", _("Lựa chọn")
    CAPPED = "capped", _("Cộng dồn có giới hạn")
    RELATIVE = "relative", _("So với đơn vị cao nhất")


class CriteriaSetKind(models.TextChoices):
    FULL = "full", _("Đầy đủ nhóm và tiêu chí")
    TOTALS = "totals", _("Chỉ tổng điểm (bảng đã công bố)")
