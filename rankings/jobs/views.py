"""Staff pages of a province's jobs: the recent ones, one job with its progress, its JSON.

Only the province's staff (administrators, ICT editors, council, approver) or a superuser
see them; to anyone else the pages answer the 404 of a province without jobs."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from agencies.models import Province
from rankings.jobs.models import Job, JobKind
from rankings.jobs.runner import live_progress
from rankings.permissions import STAFF_ROLES, roles_in

RECENT = 50
RESULT_LABELS = {  # what a finished job's result says, by its key, in the page's language
    "agencies": _("Đơn vị trong tệp"),
    "scores_created": _("Điểm mới"),
    "scores_updated": _("Điểm cập nhật"),
    "results": _("Kết quả dự thảo"),
    "cycles": _("Kỳ đánh giá"),
    "pages": _("Trang cần làm nóng"),
    "stored": _("Trang đã lưu vào bộ nhớ đệm"),
    "sent": _("Thư đã gửi"),
}


def _province(request, slug: str) -> Province:
    province = get_object_or_404(Province, slug=slug)
    user = request.user
    if not (user.is_superuser or roles_in(user, province_id=province.pk) & STAFF_ROLES):
        raise Http404
    return province


@never_cache
@login_required
@require_GET
def job_list(request, province):
    province = _province(request, province)
    jobs = (
        Job.objects.filter(province=province)
        .select_related("cycle__block", "requested_by")
        .order_by("-created_at", "-pk")[:RECENT]
    )
    rows = [(job, live_progress(job)) for job in jobs]
    return render(request, "rankings/staff/jobs.html", {"province": province, "rows": rows})


@never_cache
@login_required
@require_GET
def job_detail(request, province, pk):
    province = _province(request, province)
    job = get_object_or_404(
        Job.objects.select_related("cycle__block", "requested_by"), province=province, pk=pk
    )
    shown = [(label, job.result[key]) for key, label in RESULT_LABELS.items() if key in job.result]
    failed = job.result.get("failed") or []
    context = {"province": province, "job": job, "state": _state(job), "shown": shown}
    context["failed"] = failed
    return render(request, "rankings/staff/job.html", context)


@never_cache
@login_required
@require_GET
def job_status(request, province, pk):
    """JSON `{status, progress: {phase, done, total}, error, result, next}` for polling."""
    province = _province(request, province)
    job = get_object_or_404(Job, province=province, pk=pk)
    return JsonResponse(_state(job))


def _state(job: Job) -> dict:
    return {
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "progress": live_progress(job),
        "error": job.error,
        "result": job.result,
        "attempts": job.attempts,
        "next": _next_url(job),
    }


def _next_url(job: Job) -> str:
    """Where a finished job's result is seen: an import's or a recompute's draft ranking."""
    cycle = job.cycle
    if cycle is None or job.kind not in (JobKind.IMPORT, JobKind.RECOMPUTE):
        return ""
    return reverse("draft-leaderboard", args=[cycle.province.slug, cycle.year, cycle.block.slug])
