"""A target (chỉ tiêu) from an agency's or a province's plan, e.g. its 2021–2025 plan.

Imported from rankings/models.py so the app label stays `rankings`.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Block, Province

RAW: dict[str, Any] = {"max_digits": 15, "decimal_places": 3}
YEAR_MIN, YEAR_MAX = 2000, 2100


class Measure(models.TextChoices):
    """What a target measures: a criterion's raw input or points, the result, or free text."""

    RATIO = "ratio", _("Tỷ lệ a/b của tiêu chí (%)")
    VALUE = "value", _("Giá trị a của tiêu chí")
    DENOMINATOR = "denominator", _("Giá trị b của tiêu chí")
    POINTS = "points", _("Điểm của tiêu chí")
    TOTAL = "total", _("Tổng điểm")
    PERCENT = "percent", _("Tỷ lệ % điểm tối đa")
    RANK = "rank", _("Thứ hạng trong khối")
    TEXT = "text", _("Chỉ tiêu khác (không có số liệu trong hệ thống)")


CRITERION_MEASURES = {Measure.RATIO, Measure.VALUE, Measure.DENOMINATOR, Measure.POINTS}
PERCENT_MEASURES = {Measure.RATIO, Measure.PERCENT}
DEFAULT_UNITS: dict[str, str] = {
    Measure.RATIO.value: "%",
    Measure.PERCENT.value: "%",
    Measure.POINTS.value: "điểm",
    Measure.TOTAL.value: "điểm",
    Measure.RANK.value: "hạng",
}


class Comparison(models.TextChoices):
    AT_LEAST = "at_least", _("Tối thiểu (≥)")
    AT_MOST = "at_most", _("Tối đa (≤)")


# What a person writes of a target, in the order of the form and of the import's columns
# (the import names `agency` by its slug column).
ENTERED_FIELDS = (
    "agency",
    "block",
    "indicator",
    "measure",
    "criterion_code",
    "year",
    "comparison",
    "value",
    "unit",
    "baseline_year",
    "baseline_value",
    "note",
)


class Target(models.Model):
    """A target (chỉ tiêu) for one year: an indicator, a value and unit, at least or at most.

    An agency's own target has `agency`; a province-wide one (for all its agencies, or all
    of one block) has none. The indicator is linked to a criterion's raw input by its code
    (codes, not rows: each year's criteria set is a new copy), or is free text that the
    system has no published value for. Progress is measured from `baseline_year`, whose
    value is the published one unless `baseline_value` is given.
    """

    province = models.ForeignKey(
        Province, on_delete=models.CASCADE, related_name="targets", verbose_name=_("tỉnh")
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("cơ quan"),
        help_text=_("Để trống: chỉ tiêu chung cho mọi đơn vị của tỉnh."),
    )
    block = models.ForeignKey(
        Block,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("khối"),
        help_text=_("Chỉ với chỉ tiêu chung: chỉ áp dụng cho các đơn vị của khối này."),
    )
    indicator = models.CharField(_("chỉ tiêu"), max_length=300)
    measure = models.CharField(_("đo bằng"), max_length=12, choices=Measure.choices)
    criterion_code = models.CharField(_("mã tiêu chí"), max_length=20, blank=True)
    year = models.PositiveSmallIntegerField(_("năm mục tiêu"))
    value = models.DecimalField(_("giá trị mục tiêu"), **RAW)
    unit = models.CharField(_("đơn vị tính"), max_length=20, blank=True)
    comparison = models.CharField(
        _("so sánh"), max_length=8, choices=Comparison.choices, default=Comparison.AT_LEAST
    )
    baseline_year = models.PositiveSmallIntegerField(_("năm gốc"), null=True, blank=True)
    baseline_value = models.DecimalField(_("giá trị năm gốc"), null=True, blank=True, **RAW)
    note = models.CharField(_("ghi chú, nguồn"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người cập nhật"),
    )

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["province", "agency", "year", "criterion_code", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "agency", "block", "indicator", "year"],
                name="target_unique_per_year",
                nulls_distinct=False,
                violation_error_message=_(
                    "Chỉ tiêu: đã có chỉ tiêu cùng tên cho đơn vị (hoặc toàn tỉnh) và năm này."
                ),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=YEAR_MIN) & Q(year__lte=YEAR_MAX), name="target_year_range"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="target_value_nonnegative"),
            models.CheckConstraint(
                condition=Q(baseline_year__isnull=True) | Q(baseline_year__lt=models.F("year")),
                name="target_baseline_before_year",
            ),
            models.CheckConstraint(
                condition=Q(agency__isnull=True) | Q(block__isnull=True),
                name="target_block_only_province_wide",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.year}"

    @property
    def is_province_wide(self) -> bool:
        return self.agency_id is None

    @property
    def links_criterion(self) -> bool:
        return self.measure in CRITERION_MEASURES

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        self._clean_scope(errors)
        self._clean_value(errors)
        self._clean_baseline(errors)
        if errors:
            raise ValidationError(errors)
        if not self.unit:
            self.unit = DEFAULT_UNITS.get(self.measure, "")

    def _clean_scope(self, errors: dict) -> None:
        agency = self.agency if self.agency_id else None
        if agency is not None and self.province_id and agency.province_id != self.province_id:
            errors["agency"] = _("Cơ quan: phải thuộc tỉnh của chỉ tiêu.")
        if self.agency_id and self.block_id:
            errors["block"] = _("Khối: chỉ chọn với chỉ tiêu chung của tỉnh.")
        if self.measure in CRITERION_MEASURES:
            if not self.criterion_code:
                errors["criterion_code"] = _("Mã tiêu chí: bắt buộc khi chỉ tiêu đo bằng tiêu chí.")
            elif self.province_id and not self._criterion_exists():
                errors["criterion_code"] = _(
                    "Mã tiêu chí: không có tiêu chí “%(code)s” trong bộ tiêu chí nào của khối."
                ) % {"code": self.criterion_code}
        elif self.criterion_code:
            errors["criterion_code"] = _("Mã tiêu chí: chỉ nhập khi chỉ tiêu đo bằng một tiêu chí.")

    def _criterion_exists(self) -> bool:
        from rankings.models import Criterion

        block_id = self.agency.block_id if self.agency is not None else self.block_id
        known = getattr(self, "known_codes", None)  # an import reads them once for all rows
        if known is not None:
            return any(code == self.criterion_code and block_id in (None, b) for b, code in known)
        found = Criterion.objects.filter(
            criteria_set__province_id=self.province_id, code=self.criterion_code
        )
        return (found.filter(criteria_set__block_id=block_id) if block_id else found).exists()

    def _clean_value(self, errors: dict) -> None:
        if self.year is not None and not YEAR_MIN <= self.year <= YEAR_MAX:
            errors["year"] = _("Năm mục tiêu: từ %(a)d đến %(b)d.") % {"a": YEAR_MIN, "b": YEAR_MAX}
        if self.value is None:
            return
        if self.value < 0:
            errors["value"] = _("Giá trị mục tiêu: không được âm.")
        elif self.measure in PERCENT_MEASURES and self.value > 100:
            errors["value"] = _("Giá trị mục tiêu: tỷ lệ phần trăm không quá 100.")
        elif self.measure == Measure.RANK and (self.value < 1 or self.value != self.value // 1):
            errors["value"] = _("Giá trị mục tiêu: thứ hạng là số nguyên từ 1.")
        if self.measure == Measure.RANK and self.comparison != Comparison.AT_MOST:
            errors["comparison"] = _(
                "So sánh: thứ hạng mục tiêu là mức tối đa (≤), ví dụ hạng 3 trở lên là ≤ 3."
            )

    def _clean_baseline(self, errors: dict) -> None:
        if (
            self.baseline_year is not None
            and self.year is not None
            and (self.baseline_year >= self.year)
        ):
            errors["baseline_year"] = _("Năm gốc: phải trước năm mục tiêu.")
        if self.baseline_value is not None:
            if self.baseline_year is None:
                errors["baseline_value"] = _("Giá trị năm gốc: cần nhập cả năm gốc.")
            elif self.baseline_value < Decimal(0):
                errors["baseline_value"] = _("Giá trị năm gốc: không được âm.")
