"""The background job; imported from rankings.models (app label rankings)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import Province


class JobKind(models.TextChoices):
    IMPORT = "import", _("Nhập điểm từ tệp")
    RECOMPUTE = "recompute", _("Tính lại kết quả")
    WARM = "warm", _("Làm nóng bộ nhớ đệm trang công khai")
    ALERTS = "alerts", _("Gửi thư báo công bố")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang chạy")
    DONE = "done", _("Xong")
    FAILED = "failed", _("Lỗi")


class Job(models.Model):
    """One piece of long work (việc nền): what, for which province and cycle, asked by
    whom, and how it went. Staff of the province see it (rankings.jobs.views).

    `key` makes a request idempotent: a second request with the key of a job that is
    queued, running or done gets that job back instead of a new one (an import is keyed by
    its cycle, stage and the sha-256 of its upload). `progress` is the last report,
    `{phase, done, total}`; `result` what a finished job says (counts, links)."""

    kind = models.CharField(_("loại việc"), max_length=16, choices=JobKind.choices)
    key = models.CharField(_("khoá chống lặp"), max_length=200, db_index=True)
    province = models.ForeignKey(
        Province,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("tỉnh, thành phố"),
    )
    cycle = models.ForeignKey(
        "rankings.AssessmentCycle",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("kỳ đánh giá"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người yêu cầu"),
    )
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    params = models.JSONField(_("tham số"), default=dict, blank=True)
    progress = models.JSONField(_("tiến độ"), default=dict, blank=True)
    result = models.JSONField(_("kết quả"), default=dict, blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("số lần chạy"), default=0)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("việc nền")
        verbose_name_plural = _("việc nền")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["province", "-created_at"], name="job_province_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
