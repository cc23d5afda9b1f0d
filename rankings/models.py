"""What is scored and published: criteria sets, cycles, scores, results and publications.

Points are `Decimal` with three places (thousandths) everywhere they are stored; the
rounding of published totals and percentages is data on the criteria set, read by the
pure engine in `scoring/`.
"""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agencies.models import Agency, Block, Province
from rankings import wording

# The set's vocabularies; `from rankings.models import TieMethod` keeps working.
from rankings.criteria_choices import Basis, CriteriaSetKind, Rounding, RuleKind, TieMethod
from rankings.frozen import Frozen, FrozenOncePublished

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django_stubs_ext import StrOrPromise

POINTS: dict[str, Any] = {"max_digits": 9, "decimal_places": 3}  # Any: spread into fields
RAW: dict[str, Any] = {"max_digits": 15, "decimal_places": 3}
# The years a cycle may have: the database refuses others (`cycle_year_range`), and the
# forms and the API declare the same bounds from here.
YEAR_MIN, YEAR_MAX = 2000, 2100


class CriteriaSet(FrozenOncePublished):
    """A criteria set (bộ tiêu chí), issued by a decision, for one block of one province.

    Every rule that decides a published number is data here: the maximum, the precision
    and rounding of totals and percentages, the tie rule, the bands and the "not ranked
    below" threshold. A year's set is usually a copy of last year's, then edited. Once a
    publication used it, it and its parts are read-only (`FrozenOncePublished`).
    """

    FROZEN_BY = "id"

    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="criteria_sets",
        verbose_name=_("tỉnh"),
    )
    block = models.ForeignKey(
        Block, on_delete=models.PROTECT, related_name="criteria_sets", verbose_name=_("khối")
    )
    name = models.CharField(_("tên"), max_length=250)
    # Filled by the system when it names the set (`wording.criteria_set_names`); a name
    # someone typed has none and shows as typed in English mode too.
    name_en = models.CharField(_("tên tiếng Anh"), max_length=250, blank=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    decision_number = models.CharField(_("số quyết định ban hành"), max_length=60, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=120, blank=True)
    max_points = models.DecimalField(_("điểm tối đa"), **POINTS)
    kind = models.CharField(
        _("loại bộ tiêu chí"),
        max_length=8,
        choices=CriteriaSetKind.choices,
        default=CriteriaSetKind.FULL,
        help_text=_(
            "Chỉ tổng điểm: một kỳ đã công bố chỉ có tổng điểm; trang và tệp tải về không có "
            "cột nhóm hay tiêu chí."
        ),
    )
    precision = models.PositiveSmallIntegerField(_("số chữ số thập phân của tổng điểm"), default=3)
    rounding = models.CharField(
        _("quy tắc làm tròn điểm"),
        max_length=10,
        choices=Rounding.choices,
        default=Rounding.HALF_UP,
    )
    percent_precision = models.PositiveSmallIntegerField(
        _("số chữ số thập phân của tỷ lệ %"), default=1
    )
    percent_rounding = models.CharField(
        _("quy tắc làm tròn tỷ lệ %"),
        max_length=10,
        choices=Rounding.choices,
        default=Rounding.TRUNCATE,
    )
    # The mean and median print at their own precision: Vĩnh Phúc's 2020 decision gives
    # the departments' mean as 49.8631 beside totals at three decimals (`rankings.printed`).
    statistics_precision = models.PositiveSmallIntegerField(
        _("số chữ số thập phân của trung bình, trung vị"), default=4
    )
    statistics_rounding = models.CharField(
        _("quy tắc làm tròn trung bình, trung vị"),
        max_length=10,
        choices=Rounding.choices,
        default=Rounding.TRUNCATE,
    )
    tie_method = models.CharField(
        _("quy tắc đồng hạng"),
        max_length=12,
        choices=TieMethod.choices,
        default=TieMethod.COMPETITION,
    )
    not_ranked_below = models.DecimalField(
        _("không xếp hạng nếu dưới"), null=True, blank=True, **POINTS
    )
    not_ranked_basis = models.CharField(
        _("căn cứ ngưỡng không xếp hạng"), max_length=8, choices=Basis.choices, default=Basis.POINTS
    )
    allows_derived_predecessor = models.BooleanField(
        _("cho phép giá trị suy ra từ đơn vị cũ"),
        default=False,
        help_text=_("Trung bình cộng của các đơn vị trước sắp xếp, như Bộ đã làm với DTI 2024."),
    )
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name=_("sao chép từ"),
    )
    is_synthetic = models.BooleanField(
        _("dữ liệu mô phỏng"),
        default=False,
        help_text=_("Cấu trúc do hệ thống dựng lại, không phải văn bản gốc."),
    )

    class Meta:
        verbose_name = _("bộ tiêu chí")
        verbose_name_plural = _("bộ tiêu chí")
        ordering = ["province", "block", "-decision_date", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(max_points__gt=0), name="criteriaset_max_positive"),
            models.CheckConstraint(
                condition=Q(precision__lte=3), name="criteriaset_precision_le_3"
            ),
            models.CheckConstraint(
                condition=Q(percent_precision__lte=3), name="criteriaset_percent_precision_le_3"
            ),
            models.CheckConstraint(
                condition=Q(statistics_precision__lte=4), name="criteriaset_statistics_le_4"
            ),
            models.CheckConstraint(
                condition=Q(not_ranked_below__isnull=True) | Q(not_ranked_below__gte=0),
                name="criteriaset_not_ranked_nonnegative",
            ),
        ]

    def __str__(self) -> str:
        return wording.criteria_set_name(self)

    @property
    def totals_only(self) -> bool:
        return self.kind == CriteriaSetKind.TOTALS


class Band(FrozenOncePublished):
    """A band (xếp loại) such as Tốt ≥ 85 %, Khá ≥ 70 %; the lower bound is inclusive."""

    criteria_set = models.ForeignKey(
        CriteriaSet, on_delete=models.CASCADE, related_name="bands", verbose_name=_("bộ tiêu chí")
    )
    label = models.CharField(_("nhãn"), max_length=40)
    label_en = models.CharField(_("nhãn tiếng Anh"), max_length=40, blank=True)
    minimum = models.DecimalField(_("mức tối thiểu"), **POINTS)
    basis = models.CharField(
        _("căn cứ"), max_length=8, choices=Basis.choices, default=Basis.PERCENT
    )

    class Meta:
        verbose_name = _("xếp loại")
        verbose_name_plural = _("xếp loại")
        ordering = ["criteria_set", "-minimum"]
        constraints = [
            models.UniqueConstraint(fields=["criteria_set", "label"], name="band_label_unique"),
            models.CheckConstraint(condition=Q(minimum__gte=0), name="band_minimum_nonnegative"),
        ]

    def __str__(self) -> str:
        return self.label


class CriterionGroup(FrozenOncePublished):
    """A criterion group (nhóm tiêu chí) or sub-group, e.g. 1 readiness → 1.1 infrastructure.

    Its maximum is the sum of its criteria's maxima, so it is not stored.
    """

    criteria_set = models.ForeignKey(
        CriteriaSet, on_delete=models.CASCADE, related_name="groups", verbose_name=_("bộ tiêu chí")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("nhóm cha"),
    )
    code = models.CharField(_("mã"), max_length=20)
    name = models.CharField(_("tên"), max_length=250)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=250, blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("nhóm tiêu chí")
        verbose_name_plural = _("nhóm tiêu chí")
        ordering = ["criteria_set", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["criteria_set", "code"], name="group_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class Criterion(FrozenOncePublished):
    """A criterion (tiêu chí): code, maximum and the rule that turns raw inputs into points.

    `params` holds the rule's data: a step table, the choices and their fractions of the
    maximum, the per-unit value and cap. The pure engine validates and applies it.
    """

    criteria_set = models.ForeignKey(
        CriteriaSet,
        on_delete=models.CASCADE,
        related_name="criteria",
        verbose_name=_("bộ tiêu chí"),
    )
    group = models.ForeignKey(
        CriterionGroup, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("nhóm")
    )
    code = models.CharField(_("mã"), max_length=20)
    name = models.CharField(_("tên"), max_length=300)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=300, blank=True)
    max_points = models.DecimalField(_("điểm tối đa"), **POINTS)
    rule = models.CharField(
        _("cách chấm"), max_length=10, choices=RuleKind.choices, default=RuleKind.DIRECT
    )
    params = models.JSONField(_("tham số"), default=dict, blank=True)
    required = models.BooleanField(_("bắt buộc để được xếp hạng"), default=False)
    evidence_required = models.BooleanField(_("yêu cầu minh chứng"), default=True)
    data_source = models.CharField(_("nguồn số liệu"), max_length=250, blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")
        ordering = ["criteria_set", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["criteria_set", "code"], name="criterion_code_unique"),
            models.CheckConstraint(condition=Q(max_points__gt=0), name="criterion_max_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"

    def clean(self) -> None:
        super().clean()
        if (
            self.group_id
            and self.criteria_set_id
            and self.group.criteria_set_id != self.criteria_set_id
        ):
            raise ValidationError({"group": _("Nhóm phải thuộc cùng bộ tiêu chí.")})


class CycleState(models.TextChoices):
    DRAFT = "draft", _("Đang chuẩn bị")
    OPEN = "open", _("Đang tự đánh giá")
    REVIEW = "review", _("Đang thẩm định")
    APPROVED = "approved", _("Đã duyệt")
    PUBLISHED = "published", _("Đã công bố")
    ARCHIVED = "archived", _("Đã lưu trữ (không dùng)")


class AssessmentCycle(models.Model):
    """One year's assessment (kỳ đánh giá) of one block in one province, under one criteria set."""

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="cycles", verbose_name=_("tỉnh")
    )
    year = models.PositiveSmallIntegerField(_("năm đánh giá"))
    block = models.ForeignKey(
        Block, on_delete=models.PROTECT, related_name="cycles", verbose_name=_("khối")
    )
    criteria_set = models.ForeignKey(
        CriteriaSet, on_delete=models.PROTECT, related_name="cycles", verbose_name=_("bộ tiêu chí")
    )
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=CycleState.choices, default=CycleState.DRAFT
    )
    submission_deadline = models.DateField(_("hạn nộp tự đánh giá"), null=True, blank=True)
    data_from = models.DateField(_("số liệu từ ngày"), null=True, blank=True)
    data_to = models.DateField(_("số liệu đến ngày"), null=True, blank=True)
    archived_reason = models.TextField(_("lý do lưu trữ"), blank=True)
    history = HistoricalRecords(verbose_name=_("lịch sử kỳ đánh giá"))
    # Set before a save, read by simple_history for that save's history row: who and why.
    _history_user: "AbstractBaseUser | None"
    _change_reason: str

    class Meta:
        verbose_name = _("kỳ đánh giá")
        verbose_name_plural = _("kỳ đánh giá")
        ordering = ["province", "block", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["province", "year", "block"], name="cycle_unique"),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="cycle_year_range"
            ),
            models.CheckConstraint(
                condition=Q(data_from__isnull=True)
                | Q(data_to__isnull=True)
                | Q(data_to__gte=F("data_from")),
                name="cycle_data_window",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.province} · {wording.block_name(self.block)} · {self.year}"

    def save(self, *args, **kwargs):
        if reason := self.frozen_change():
            raise Frozen(reason)
        return super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.criteria_set_id and self.block_id and self.criteria_set.block_id != self.block_id:
            raise ValidationError(
                {"criteria_set": _("Bộ tiêu chí phải cùng khối với kỳ đánh giá.")}
            )
        if reason := self.frozen_change():
            raise ValidationError(reason)

    # What a publication froze about its cycle: which ranking it is, under which rules.
    FROZEN_FIELDS = ("province_id", "year", "block_id", "criteria_set_id", "state")

    def frozen_change(self) -> "StrOrPromise":
        """Why this unsaved change of a published cycle is refused, or "" when it is not."""
        if self.pk is None or not Publication.objects.filter(cycle_id=self.pk).exists():
            return ""
        stored = AssessmentCycle.objects.filter(pk=self.pk).values(*self.FROZEN_FIELDS).first()
        changed = [f for f in self.FROZEN_FIELDS if stored and stored[f] != getattr(self, f)]
        if changed == ["state"] and self.state == CycleState.PUBLISHED:
            return ""  # the publication service marking it published
        if not changed:
            return ""
        return _(
            "Kỳ đánh giá đã công bố: không đổi được tỉnh, năm, khối, bộ tiêu chí hay trạng "
            "thái; mọi thay đổi số liệu phải qua đính chính có lý do."
        )


class Stage(models.TextChoices):
    SELF = "self", _("Tự đánh giá")
    VERIFIED = "verified", _("Thẩm định")
    FINAL = "final", _("Chính thức")


class Review(models.TextChoices):
    PENDING = "", _("Chưa thẩm định")
    ACCEPTED = "accepted", _("Chấp nhận")
    ADJUSTED = "adjusted", _("Điều chỉnh")
    RETURNED = "returned", _("Cần bổ sung minh chứng")
    ANSWERED = "answered", _("Đơn vị đã bổ sung, chờ thẩm định lại")


class Score(models.Model):
    """One agency's score on one criterion in one cycle at one stage (điểm tiêu chí).

    It keeps the raw inputs (a and b of a ratio, a step value, a choice) next to the points
    they give. `max_points` repeats the criterion's maximum so the database itself can
    refuse points outside 0 ≤ points ≤ maximum.
    """

    cycle = models.ForeignKey(
        AssessmentCycle,
        on_delete=models.CASCADE,
        related_name="scores",
        verbose_name=_("kỳ đánh giá"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="scores", verbose_name=_("cơ quan")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="scores", verbose_name=_("tiêu chí")
    )
    stage = models.CharField(_("giai đoạn"), max_length=10, choices=Stage.choices)
    value = models.DecimalField(_("giá trị (a)"), null=True, blank=True, **RAW)
    denominator = models.DecimalField(_("mẫu số (b)"), null=True, blank=True, **RAW)
    choice = models.CharField(_("lựa chọn"), max_length=40, blank=True)
    points = models.DecimalField(_("điểm"), **POINTS)
    max_points = models.DecimalField(_("điểm tối đa"), **POINTS)
    comment = models.TextField(_("nhận xét"), blank=True)
    answer = models.TextField(_("trả lời của đơn vị"), blank=True, default="", db_default="")
    review = models.CharField(
        _("kết quả thẩm định"),
        max_length=10,
        choices=Review.choices,
        blank=True,
        default=Review.PENDING,
    )
    is_synthetic = models.BooleanField(_("dữ liệu mô phỏng"), default=False)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người cập nhật"),
    )
    history = HistoricalRecords(
        excluded_fields=["updated_at"], verbose_name=_("lịch sử điểm tiêu chí")
    )
    # Set before a save, read by simple_history for that save's history row: who and why.
    _history_user: "AbstractBaseUser | None"
    _change_reason: str

    class Meta:
        verbose_name = _("điểm tiêu chí")
        verbose_name_plural = _("điểm tiêu chí")
        ordering = ["cycle", "agency", "criterion", "stage"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "agency", "criterion", "stage"], name="score_unique_per_stage"
            ),
            models.CheckConstraint(condition=Q(points__gte=0), name="score_points_nonnegative"),
            models.CheckConstraint(
                condition=Q(points__lte=F("max_points")), name="score_points_le_max"
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                name="score_denominator_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} · {self.criterion.code} · {self.get_stage_display()}"


class Evidence(models.Model):
    """A piece of evidence (minh chứng) for a score: a document, a file or a link."""

    score = models.ForeignKey(
        Score, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("điểm")
    )
    document_number = models.CharField(_("số văn bản"), max_length=60, blank=True)
    title = models.CharField(_("trích yếu"), max_length=300)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    summary = models.TextField(_("tóm tắt"), blank=True)
    file = models.FileField(_("tệp"), upload_to="evidence/%Y/", blank=True)
    url = models.URLField(_("đường dẫn"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người gửi"),
    )
    history = HistoricalRecords(verbose_name=_("lịch sử minh chứng"))
    # Set before a save, read by simple_history for that save's history row: who and why.
    _history_user: "AbstractBaseUser | None"
    _change_reason: str

    class Meta:
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")
        ordering = ["score", "created_at"]

    def __str__(self) -> str:
        return self.title


class SourceKind(models.TextChoices):
    DECISION = "decision", _("Quyết định")
    OTHER = "other", _("Nguồn khác (báo cáo, bài báo)")


def source_line(kind: str, number: str, title: str, date) -> str:
    """ "Quyết định số 3192/QĐ-UBND ngày 22/11/2021", or for a table published otherwise
    (a ministry's report, a newspaper) "Nguồn: <title>, ngày 05/04/2021": never a decision
    it was not."""
    if kind == SourceKind.DECISION:
        return f"Quyết định số {number} ngày {date:%d/%m/%Y}"
    return f"Nguồn: {title}, ngày {date:%d/%m/%Y}"


class Publication(models.Model):
    """A published revision (công bố) of a cycle's ranking, by a numbered decision.

    Revision 1 is the original decision; each correction adds a revision with its reason.
    The results of a revision are frozen: they are rows of `Result` pointing here. A past
    ranking entered from another source (a ministry's report, a newspaper's article) has
    `source_kind` other, a title, a date in `decision_date` and no decision number: the
    public pages say "Nguồn: …", never a made-up "Quyết định số".
    """

    cycle = models.ForeignKey(
        AssessmentCycle,
        on_delete=models.PROTECT,
        related_name="publications",
        verbose_name=_("kỳ đánh giá"),
    )
    revision = models.PositiveSmallIntegerField(_("lần công bố"), default=1)
    source_kind = models.CharField(
        _("loại nguồn"), max_length=8, choices=SourceKind.choices, default=SourceKind.DECISION
    )
    decision_number = models.CharField(_("số quyết định"), max_length=60, blank=True)
    decision_date = models.DateField(_("ngày quyết định"))
    source_title = models.CharField(_("tên nguồn"), max_length=300, blank=True)
    source_url = models.URLField(_("đường dẫn nguồn"), max_length=500, blank=True)
    is_backfill = models.BooleanField(
        _("nhập lại từ bảng đã công bố"),
        default=False,
        help_text=_("Kết quả lấy từ bảng đã in, không tính từ điểm tiêu chí trong hệ thống."),
    )
    signer = models.CharField(_("người ký"), max_length=120, blank=True)
    published_at = models.DateTimeField(_("công bố lúc"))
    reason = models.TextField(_("lý do đính chính"), blank=True)
    is_synthetic = models.BooleanField(
        _("dữ liệu mô phỏng"),
        default=False,
        help_text=_("Số, ngày quyết định không lấy từ nguồn công bố."),
    )

    class Meta:
        verbose_name = _("quyết định công bố")
        verbose_name_plural = _("quyết định công bố")
        ordering = ["cycle", "-revision"]
        get_latest_by = "revision"
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "revision"], name="publication_revision_unique"
            ),
            models.CheckConstraint(
                condition=Q(revision__gte=1), name="publication_revision_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_label} ({self.cycle}, lần {self.revision})"

    @property
    def is_decision(self) -> bool:
        return self.source_kind == SourceKind.DECISION

    @property
    def source_label(self) -> str:
        """ "3192/QĐ-UBND", or the other source's title."""
        return self.decision_number if self.is_decision else self.source_title

    @property
    def source_line(self) -> str:
        """The one line every page, export and API response prints as the source."""
        return source_line(
            self.source_kind, self.decision_number, self.source_title, self.decision_date
        )

    @property
    def correction_number(self) -> int:
        """0 for the decision (revision 1); revision 2 is the first correction ("đính chính
        lần 1")."""
        return self.revision - 1


class Result(models.Model):
    """An agency's computed result in a cycle: total, percent, rank, band, subtotals.

    Rows with no publication are the working draft that `recompute` replaces; publishing
    copies them under the new `Publication`, after which they never change. Group and
    criterion points are kept as exact decimal strings keyed by code.
    """

    cycle = models.ForeignKey(
        AssessmentCycle,
        on_delete=models.CASCADE,
        related_name="results",
        verbose_name=_("kỳ đánh giá"),
    )
    publication = models.ForeignKey(
        Publication,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="results",
        verbose_name=_("công bố"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="results", verbose_name=_("cơ quan")
    )
    total = models.DecimalField(_("tổng điểm"), **POINTS)
    score = models.DecimalField(_("điểm công bố"), **POINTS)
    percent = models.DecimalField(_("tỷ lệ % điểm tối đa"), max_digits=7, decimal_places=3)
    rank = models.PositiveIntegerField(_("thứ hạng"), null=True, blank=True)
    band = models.CharField(_("xếp loại"), max_length=40, blank=True)
    not_ranked_reason = models.CharField(_("lý do không xếp hạng"), max_length=200, blank=True)
    groups = models.JSONField(_("điểm theo nhóm"), default=dict)
    criteria = models.JSONField(_("điểm theo tiêu chí"), default=dict)

    class Meta:
        verbose_name = _("kết quả")
        verbose_name_plural = _("kết quả")
        ordering = ["cycle", "publication", "rank", "agency"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "agency"],
                condition=Q(publication__isnull=False),
                name="result_unique_published",
            ),
            models.UniqueConstraint(
                fields=["cycle", "agency"],
                condition=Q(publication__isnull=True),
                name="result_unique_draft",
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="result_total_nonnegative"),
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100), name="result_percent_range"
            ),
            models.CheckConstraint(
                condition=Q(rank__isnull=True) | Q(rank__gte=1), name="result_rank_positive"
            ),
            models.CheckConstraint(
                condition=Q(rank__isnull=False) | ~Q(not_ranked_reason=""),
                name="result_unranked_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} · {self.cycle.year}: {self.total}"

    @property
    def is_draft(self) -> bool:
        return self.publication_id is None


class Role(models.TextChoices):
    ADMIN = "admin", _("Quản trị cấp tỉnh")
    EDITOR = "editor", _("Cán bộ Sở TT&TT (nhập liệu)")
    REVIEWER = "reviewer", _("Thành viên hội đồng thẩm định")
    APPROVER = "approver", _("Người phê duyệt, công bố")
    REPORTER = "reporter", _("Cán bộ báo cáo của đơn vị")
    HEAD = "head", _("Thủ trưởng đơn vị")


AGENCY_ROLES = {Role.REPORTER, Role.HEAD}


class Membership(models.Model):
    """A user's role (vai trò) in one province, and for agency roles, in one agency.

    Provincial roles (administrator, ICT staff, reviewer, approver) see every agency of
    their province; agency roles (reporter, head) see their own agency only.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("người dùng"),
    )
    role = models.CharField(_("vai trò"), max_length=10, choices=Role.choices)
    province = models.ForeignKey(
        Province, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("tỉnh")
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("cơ quan"),
    )

    class Meta:
        verbose_name = _("vai trò người dùng")
        verbose_name_plural = _("vai trò người dùng")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "province", "agency"],
                name="membership_unique",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=(Q(role__in=["reporter", "head"]) & Q(agency__isnull=False))
                | (~Q(role__in=["reporter", "head"]) & Q(agency__isnull=True)),
                name="membership_agency_iff_agency_role",
            ),
        ]

    def __str__(self) -> str:
        where = self.agency or self.province
        return f"{self.user} · {self.get_role_display()} · {where}"


class SubmissionState(models.TextChoices):
    DRAFT = "draft", _("Đang soạn")
    SUBMITTED = "submitted", _("Đã nộp")
    RETURNED = "returned", _("Trả lại để bổ sung")


class Submission(models.Model):
    """An agency's self-assessment for a cycle (bản tự đánh giá) and where it stands.

    The reporter fills it; the agency head submits it, after which it is locked until a
    reviewer returns a criterion for more evidence.
    """

    cycle = models.ForeignKey(
        AssessmentCycle,
        on_delete=models.CASCADE,
        related_name="submissions",
        verbose_name=_("kỳ đánh giá"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="submissions", verbose_name=_("cơ quan")
    )
    state = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=SubmissionState.choices,
        default=SubmissionState.DRAFT,
    )
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người nộp"),
    )
    extended_to = models.DateField(
        _("gia hạn nộp đến"),
        null=True,
        blank=True,
        help_text=_("Hạn riêng của đơn vị, sau hạn chung của kỳ đánh giá."),
    )
    extension_reason = models.CharField(_("lý do gia hạn"), max_length=300, blank=True)
    excluded_reason = models.CharField(
        _("lý do loại khỏi xếp hạng (theo quyết định)"), max_length=180, blank=True
    )
    history = HistoricalRecords(verbose_name=_("lịch sử bản tự đánh giá"))
    # Set before a save, read by simple_history for that save's history row: who and why.
    _history_user: "AbstractBaseUser | None"
    _change_reason: str

    class Meta:
        verbose_name = _("bản tự đánh giá")
        verbose_name_plural = _("bản tự đánh giá")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "agency"], name="submission_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} · {self.cycle.year} · {self.get_state_display()}"

    def deadline(self, cycle=None):
        """The agency's deadline: its extension when later than the cycle's."""
        general = (cycle or self.cycle).submission_deadline
        if self.extended_to and (general is None or self.extended_to > general):
            return self.extended_to
        return general


class Notification(models.Model):
    """An in-app notice (thông báo) to one user; the same text also goes out by e-mail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("người nhận"),
    )
    subject = models.CharField(_("tiêu đề"), max_length=200)
    body = models.TextField(_("nội dung"), blank=True)
    url = models.CharField(_("đường dẫn"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.subject


from rankings.own_models import AlertSubscription, Job, Target  # noqa: E402, F401  (own modules)
