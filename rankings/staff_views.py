"""Pages for provincial staff: a cycle's desk, the entry template, spreadsheet imports.

Every view checks the user's role in the cycle's province (`rankings.permissions`); an
upload is parsed, previewed and kept until confirmed, then applied all or nothing. While an
import runs, its progress is kept in the cache under a token the page chose, for the page
to poll (`score_import_progress`).
"""

import datetime
import logging
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from agencies.models import Agency, Province
from rankings import assessments, imports, permissions, security_log, services
from rankings.models import AssessmentCycle, CriteriaSet, CycleState
from rankings.templates_xlsx import cycle_agencies, cycle_template_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROGRESS_TOKEN = re.compile(r"[A-Za-z0-9]{16,64}")
PROGRESS_SECONDS = 15 * 60  # outlives the slowest import, then the cache forgets it

logger = logging.getLogger(__name__)


def _cycle(request, province, year, block, allowed) -> AssessmentCycle:
    cycle = get_object_or_404(
        AssessmentCycle.objects.select_related("province", "block", "criteria_set"),
        province__slug=province,
        year=year,
        block__slug=block,
    )
    if not allowed(request.user, cycle=cycle):
        raise PermissionDenied(_("Bạn không có quyền với kỳ đánh giá này."))
    return cycle


@login_required
def cycle_desk(request, province, year, block):
    cycle = _cycle(request, province, year, block, permissions.can_preview_drafts)
    submissions = {s.agency_id: s for s in cycle.submissions.all()}
    agencies = cycle_agencies(cycle=cycle)
    context = {
        "cycle": cycle,
        "can_enter": permissions.can_enter_scores(request.user, cycle=cycle),
        "can_review": permissions.can_review(request.user, cycle=cycle),
        "can_publish": permissions.can_publish(request.user, cycle=cycle),
        "publications": cycle.publications.order_by("-revision"),
        "agencies": [(agency, submissions.get(agency.pk)) for agency in agencies],
    }
    return render(request, "rankings/staff/cycle.html", context)


@login_required
def entry_template(request, province, year, block):
    cycle = _cycle(request, province, year, block, permissions.can_enter_scores)
    response = HttpResponse(cycle_template_xlsx(cycle=cycle), content_type=XLSX)
    name = f"mau-nhap-lieu-{cycle.province.slug}-{cycle.year}-{cycle.block.slug}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def score_import(request, province, year, block):
    cycle = _cycle(request, province, year, block, permissions.can_enter_scores)
    if request.method == "GET":
        return render(request, "rankings/staff/import.html", {"cycle": cycle})
    progress = ImportProgress.of(request, cycle)
    if "confirm" in request.POST:
        return _confirm(request, cycle, progress)
    upload = request.FILES.get("file")
    if upload is None:
        error = _("Hãy chọn tệp .xlsx hoặc .csv.")
        return _import_page(request, cycle, error=error, status=400, progress=progress)
    if upload.size > imports.MAX_UPLOAD_BYTES:  # 413 Content Too Large, as the API answers
        error = _("Tệp nặng hơn giới hạn %(mb)s MB.") % {"mb": imports.MAX_UPLOAD_BYTES >> 20}
        return _import_page(request, cycle, error=error, status=413, progress=progress)
    data = upload.read()
    parsed = imports.import_parse(cycle=cycle, upload=data, filename=upload.name, progress=progress)
    security_log.import_checked(request, cycle=cycle, filename=upload.name, parsed=parsed)
    if not parsed.ok:
        return _import_page(request, cycle, parsed=parsed, status=400, progress=progress)
    default_storage.save(_pending_path(parsed.digest, parsed.file_format), ContentFile(data))
    preview = imports.import_preview(cycle=cycle, parsed=parsed, progress=progress)
    return _import_page(
        request, cycle, parsed=parsed, preview=preview, filename=upload.name, progress=progress
    )


def _confirm(request, cycle, progress):
    digest = request.POST.get("digest", "")
    file_format = request.POST.get("format", "")
    path = _pending_path(digest, file_format)
    if (
        not digest.isalnum()
        or file_format not in {"xlsx", "csv"}
        or not default_storage.exists(path)
    ):
        error = _("Tệp xem trước không còn; hãy tải lên lại.")
        return _import_page(request, cycle, error=error, status=400, progress=progress)
    with default_storage.open(path, "rb") as handle:
        data = handle.read()
    parsed = imports.import_parse(
        cycle=cycle, upload=data, filename=f"upload.{file_format}", progress=progress
    )
    try:
        if parsed.digest != digest:
            raise imports.ImportRefused(_("Tệp đã thay đổi sau khi xem trước."))
        summary = imports.import_apply(
            cycle=cycle,
            parsed=parsed,
            user=request.user,
            reason=request.POST.get("reason", ""),
            progress=progress,
        )
    except imports.ImportRefused as refused:
        return _import_page(
            request, cycle, parsed=parsed, error=str(refused), status=400, progress=progress
        )
    security_log.import_applied(request, cycle=cycle, filename=path, summary=summary)
    default_storage.delete(path)
    progress.finish(ok=True)
    messages.success(
        request,
        _("Đã nhập %(n)s đơn vị: %(c)s điểm mới, %(u)s điểm cập nhật.")
        % {"n": summary.agencies, "c": summary.scores_created, "u": summary.scores_updated},
    )
    return redirect("draft-leaderboard", cycle.province.slug, cycle.year, cycle.block.slug)


def _pending_path(digest: str, file_format: str) -> str:
    return f"imports/pending/{digest}.{file_format}"


def _import_page(
    request, cycle, *, parsed=None, preview=None, error="", filename="", status=200, progress=None
):
    if progress is not None:
        progress.finish(ok=status < 400)
    context = {
        "cycle": cycle,
        "parsed": parsed,
        "preview": preview,
        "error": error,
        "filename": filename,
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
        return cls(cls.key_for(request.user, cycle, request.POST.get("progress_token", "")))

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
    cycle = _cycle(request, province, year, block, permissions.can_enter_scores)
    key = ImportProgress.key_for(request.user, cycle, token)
    state = cache.get(key) if key is not None else None
    if state is None:
        return JsonResponse({"state": "unknown"}, status=404)
    return JsonResponse(state)


@login_required
@require_http_methods(["GET", "POST"])
def publish(request, province, year, block):
    """The approver publishes for the People's Committee: decision number, date, signer."""
    cycle = _cycle(request, province, year, block, permissions.can_publish)
    revision = cycle.publications.count() + 1
    error = ""
    if request.method == "POST":
        number = request.POST.get("decision_number", "").strip()
        signer = request.POST.get("signer", "").strip()
        reason = request.POST.get("reason", "").strip()
        try:
            decided = datetime.date.fromisoformat(request.POST.get("decision_date", ""))
        except ValueError:
            decided = None
        if refusal := services.publish_refusal(cycle=cycle):
            error = refusal
        elif not number or decided is None:
            error = _("Cần số quyết định và ngày quyết định hợp lệ.")
        elif revision > 1 and not reason:
            error = _("Kỳ đã công bố: lần công bố mới là đính chính và cần lý do.")
        else:
            with transaction.atomic():
                if revision == 1:
                    assessments.cycle_finalize(cycle=cycle)
                services.cycle_publish(
                    cycle=cycle,
                    decision_number=number,
                    decision_date=decided,
                    signer=signer,
                    reason=reason,
                )
            security_log.publication(request, cycle=cycle, decision=number, revision=revision)
            messages.success(request, _("Đã công bố kết quả (lần %(n)s).") % {"n": revision})
            return redirect("leaderboard", cycle.province.slug, cycle.year, cycle.block.slug)
    context = {
        "cycle": cycle,
        "revision": revision,
        "error": error,
        "refusal": "" if error else services.publish_refusal(cycle=cycle),
    }
    return render(request, "rankings/staff/publish.html", context, status=400 if error else 200)


@login_required
@require_http_methods(["POST"])
def cycle_state(request, province, year, block):
    cycle = _cycle(request, province, year, block, permissions.can_preview_drafts)
    action = request.POST.get("action", "")
    if not permissions.can_transition(request.user, cycle=cycle, action=action):
        raise PermissionDenied(_("Bạn không có quyền chuyển trạng thái này."))
    target = services.CYCLE_ACTIONS[action]
    try:
        services.cycle_transition(cycle=cycle, to=target, user=request.user)
    except ValueError:
        messages.error(request, _("Không thể chuyển từ trạng thái hiện tại."))
    return redirect("cycle-desk", cycle.province.slug, cycle.year, cycle.block.slug)


@login_required
@require_http_methods(["GET", "POST"])
def cycle_new(request, province):
    """Open a year's cycle for a block from a copy of last year's criteria set."""
    place = get_object_or_404(Province, slug=province)
    if not permissions.can_open_cycles(request.user, province=place):
        raise PermissionDenied(_("Chỉ Sở TT&TT mở kỳ đánh giá."))
    sets = (
        CriteriaSet.objects.filter(province=place)
        .select_related("block")
        .order_by("block__order", "-slug")
    )
    error = ""
    if request.method == "POST":
        source = sets.filter(pk=request.POST.get("source") or 0).first()
        try:
            year = int(request.POST.get("year", ""))
            deadline = _date(request.POST.get("submission_deadline"))
            data_from, data_to = (_date(request.POST.get(f)) for f in ("data_from", "data_to"))
        except ValueError:
            source, error = None, _("Năm hoặc ngày không hợp lệ.")
        if source is None:
            error = error or _("Hãy chọn bộ tiêu chí nguồn.")
        elif AssessmentCycle.objects.filter(province=place, block=source.block, year=year).exists():
            error = _("Đã có kỳ đánh giá năm %(y)s cho khối này.") % {"y": year}
        else:
            cycle = _open(place, source, year, deadline, data_from, data_to)
            messages.success(request, _("Đã mở kỳ đánh giá %(c)s.") % {"c": cycle})
            return redirect("cycle-desk", place.slug, cycle.year, cycle.block.slug)
    return render(
        request,
        "rankings/staff/cycle_new.html",
        {"province": place, "sets": sets, "error": error},
        status=400 if error else 200,
    )


def _date(text):
    return datetime.date.fromisoformat(text) if text else None


@transaction.atomic
def _open(place, source, year, deadline, data_from, data_to):
    copy = services.criteria_set_copy(
        source=source,
        slug=slugify(f"{place.slug}-{source.block.slug}-{year}"),
        name=f"Bộ tiêu chí {source.block.name[:1].lower()}{source.block.name[1:]} tỉnh "
        f"{place.name} năm {year}",
    )
    return services.cycle_open(
        province=place,
        block=source.block,
        year=year,
        criteria_set=copy,
        submission_deadline=deadline,
        data_from=data_from,
        data_to=data_to,
    )


@login_required
def workspace(request):
    """Everything the user's roles give access to: cycles to run, self-assessments to fill."""
    mine = permissions.memberships(request.user)
    provinces = {m.province_id for m in mine if m.role in permissions.STAFF_ROLES}
    openers = {m.province_id for m in mine if m.role in permissions.CYCLE_OPENERS}
    agencies = {m.agency_id for m in mine if m.agency_id}
    cycles = AssessmentCycle.objects.select_related("province", "block").order_by(
        "province__name", "-year", "block__order"
    )
    if not request.user.is_superuser:
        cycles = cycles.filter(province__in=provinces | {m.province_id for m in mine})
    own = Agency.objects.filter(pk__in=agencies).select_related("province", "block")
    context = {
        "cycles": [c for c in cycles if request.user.is_superuser or c.province_id in provinces],
        "agency_cycles": [
            (a, c)
            for a in own
            for c in cycles
            if c.province_id == a.province_id
            and c.block_id == a.block_id
            and c.state == CycleState.OPEN
        ],
        # "Open a new cycle" only where the user may (ICT staff, administrators).
        "provinces": Province.objects.filter(pk__in=openers)
        if not request.user.is_superuser
        else Province.objects.all(),
    }
    return render(request, "rankings/staff/workspace.html", context)
