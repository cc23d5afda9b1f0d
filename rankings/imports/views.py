"""Staff pages of a score import: the entry template, upload, preview, confirm, progress."""

import logging
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from rankings import permissions, security_log
from rankings.cycles.access import staff_cycle
from rankings.cycles.assessments import entry_lock_reason
from rankings.imports.forms import ImportConfirmForm, ImportUploadForm, ProgressForm
from rankings.imports.services import import_parse, import_preview
from rankings.imports.template_workbook import cycle_template_xlsx
from rankings.imports.types import ImportSummary
from rankings.jobs.kinds import import_confirm
from rankings.jobs.models import JobStatus
from rankings.models import CycleState, Stage

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROGRESS_TOKEN = re.compile(r"[A-Za-z0-9]{16,64}")
PROGRESS_SECONDS = 15 * 60  # outlives the slowest import, then the cache forgets it

logger = logging.getLogger(__name__)


@login_required
def entry_template(request, province, year, block):
    cycle = staff_cycle(request, province, year, block, permissions.can_enter_scores)
    response = HttpResponse(cycle_template_xlsx(cycle=cycle), content_type=XLSX)
    name = f"mau-nhap-lieu-{cycle.province.slug}-{cycle.year}-{cycle.block.slug}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def score_import(request, province, year, block):
    cycle = staff_cycle(request, province, year, block, permissions.can_enter_scores)
    if request.method == "GET":
        return _import_page(request, cycle)
    progress = ImportProgress.of(request, cycle)
    if cycle.state == CycleState.ARCHIVED:  # out of use: nothing is written any more
        error = entry_lock_reason(cycle=cycle)
        return _import_page(request, cycle, error=error, status=409, progress=progress)
    if "confirm" in request.POST:
        return _confirm(request, cycle, progress)
    form = ImportUploadForm(request.POST, request.FILES, auto_id="%s")
    if not form.is_valid():  # 413 Content Too Large, as the API answers
        status = 413 if form.too_large else 400
        return _import_page(request, cycle, upload_form=form, status=status, progress=progress)
    upload = form.cleaned_data["file"]
    data = upload.read()
    parsed = import_parse(cycle=cycle, upload=data, filename=upload.name, progress=progress)
    security_log.import_checked(request, cycle=cycle, filename=upload.name, parsed=parsed)
    if not parsed.ok:
        return _import_page(request, cycle, parsed=parsed, status=400, progress=progress)
    default_storage.save(_pending_path(parsed.digest, parsed.file_format), ContentFile(data))
    preview = import_preview(cycle=cycle, parsed=parsed, progress=progress)
    return _import_page(
        request, cycle, parsed=parsed, preview=preview, filename=upload.name, progress=progress
    )


def _confirm(request, cycle, progress):
    form = ImportConfirmForm(request.POST, published=cycle.publications.exists(), auto_id="%s")
    form.is_valid()
    digest, file_format = form.cleaned_data.get("digest"), form.cleaned_data.get("format")
    path = _pending_path(digest or "", file_format or "")
    if not digest or not file_format or not default_storage.exists(path):
        error = _("Tệp xem trước không còn; hãy tải lên lại.")
        return _import_page(request, cycle, error=error, status=400, progress=progress)
    with default_storage.open(path, "rb") as handle:
        data = handle.read()
    parsed = import_parse(
        cycle=cycle, upload=data, filename=f"upload.{file_format}", progress=progress
    )
    if form.errors and parsed.digest == digest:  # the reason: the preview stays, as typed
        return _preview_again(request, cycle, parsed, form, progress)
    if parsed.digest != digest:
        error = _("Tệp đã thay đổi sau khi xem trước.")
        return _import_page(
            request, cycle, parsed=parsed, error=error, status=400, progress=progress
        )
    # The write is a job (rankings.jobs): in this process without a broker, else on a worker
    # while this page follows it. Keyed by the pending upload, a double submit applies once.
    job = import_confirm(
        cycle=cycle,
        user=request.user,
        digest=digest,
        file_format=file_format,
        path=path,
        upload=default_storage.get_modified_time(path).isoformat(),
        reason=form.cleaned_data["reason"],
        stage=Stage.FINAL,
        parsed=parsed,
        progress_key=progress.key,
    )
    job.refresh_from_db()
    if job.status == JobStatus.FAILED:
        return _import_page(
            request, cycle, parsed=parsed, error=job.error, status=400, progress=progress
        )
    if job.status == JobStatus.DONE:
        return _applied(request, cycle, path, ImportSummary(**job.result, reason=""), progress)
    return redirect("job", cycle.province.slug, job.pk)


def _preview_again(request, cycle, parsed, form, progress):
    """The preview again, with the confirmation form's errors (a missing reason)."""
    preview = import_preview(cycle=cycle, parsed=parsed, progress=progress)
    return _import_page(
        request,
        cycle,
        parsed=parsed,
        preview=preview,
        confirm_form=form,
        status=400,
        progress=progress,
    )


def _applied(request, cycle, path: str, summary, progress):
    """Log the import, drop its pending file, say what it wrote, show the draft ranking
    (the job has reported its progress done)."""
    security_log.import_applied(request, cycle=cycle, filename=path, summary=summary)
    if default_storage.exists(path):  # the job deleted it, unless it ran elsewhere
        default_storage.delete(path)
    messages.success(
        request,
        ngettext(
            "Đã nhập %(n)s đơn vị: %(c)s điểm mới, %(u)s điểm cập nhật.",
            "Đã nhập %(n)s đơn vị: %(c)s điểm mới, %(u)s điểm cập nhật.",
            summary.agencies,
        )
        % {"n": summary.agencies, "c": summary.scores_created, "u": summary.scores_updated},
    )
    return redirect("draft-leaderboard", cycle.province.slug, cycle.year, cycle.block.slug)


def _pending_path(digest: str, file_format: str) -> str:
    return f"imports/pending/{digest}.{file_format}"


def _import_page(request, cycle, *, status=200, progress=None, **parts):
    """The page: the upload form, and after a good upload the preview with its confirm form
    (bound again after an error, so the typed reason stays)."""
    if progress is not None:
        progress.finish(ok=status < 400)
    parsed, preview = parts.get("parsed"), parts.get("preview")
    confirm_form = parts.get("confirm_form")
    if preview is not None and confirm_form is None:
        initial = {"digest": parsed.digest, "format": parsed.file_format, "confirm": "1"}
        confirm_form = ImportConfirmForm(
            initial=initial, published=bool(preview.published), auto_id="%s"
        )
    context = {
        "cycle": cycle,
        "parsed": parsed,
        "preview": preview,
        "error": parts.get("error", ""),
        "filename": parts.get("filename", ""),
        "upload_form": parts.get("upload_form") or ImportUploadForm(auto_id="%s"),
        "confirm_form": confirm_form,
    }
    return render(request, "rankings/staff/import.html", context, status=status)


class ImportProgress:
    """An import's progress, `{phase, done, total, state}`, kept in the cache for its page.

    The page posts a random `progress_token`; the state is kept under the user, the cycle
    and that token, so nobody else can read it. Without a valid token nothing is kept.
    `state` is "running", then "done", or "failed" when the page shows errors. Best effort:
    a cache that fails never fails the import.
    """

    def __init__(self, key: str | None) -> None:
        self.key = key
        self.state = {"phase": "", "done": 0, "total": 0, "state": "running"}

    @staticmethod
    def key_for(user, cycle, token: str) -> str | None:
        if not PROGRESS_TOKEN.fullmatch(token):
            return None
        return f"score-import-progress:{user.pk}:{cycle.pk}:{token}"

    @classmethod
    def of(cls, request, cycle) -> "ImportProgress":
        form = ProgressForm(request.POST)
        token = form.cleaned_data["progress_token"] if form.is_valid() else ""
        return cls(cls.key_for(request.user, cycle, token))

    def __call__(self, phase: str, done: int, total: int) -> None:
        self.state = {"phase": phase, "done": done, "total": total, "state": "running"}
        self._write()

    def finish(self, *, ok: bool) -> None:
        self.state = {**self.state, "state": "done" if ok else "failed"}
        self._write()

    def _write(self) -> None:
        if self.key is None:
            return
        try:
            cache.set(self.key, self.state, PROGRESS_SECONDS)
        except Exception:  # the cache server is down: the import itself must go on
            logger.warning("import progress not saved", exc_info=True)
            self.key = None


@never_cache
@login_required
@require_GET
def score_import_progress(request, province, year, block, token):
    """JSON `{phase, done, total, state}` of the user's import running with `token`."""
    cycle = staff_cycle(request, province, year, block, permissions.can_enter_scores)
    key = ImportProgress.key_for(request.user, cycle, token)
    state = cache.get(key) if key is not None else None
    if state is None:
        return JsonResponse({"state": "unknown"}, status=404)
    return JsonResponse(state)
