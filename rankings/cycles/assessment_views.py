"""The agency's self-assessment page: the whole criteria tree, its inputs and evidence."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from agencies.models import Agency
from rankings import permissions
from rankings.cycles import assessments, audit, returns, review_desk, submit_checklist
from rankings.cycles.forms import EvidenceForm, ReviewForm, SelfAssessmentForm
from rankings.error_summary import ErrorItem
from rankings.imports.template_workbook import plain_number
from rankings.models import AssessmentCycle, Evidence, RuleKind, Score, Stage, Submission


@login_required
@require_http_methods(["GET", "POST"])
def self_assessment(request, province, year, block, agency):
    cycle, unit = _cycle_and_agency(request.user, province, year, block, agency)
    if not permissions.can_self_assess(request.user, cycle=cycle, agency=unit):
        raise PermissionDenied(_("Chỉ cán bộ của chính đơn vị được tự đánh giá."))
    page = _Page(request, cycle, unit)
    if request.method == "POST":
        if page.asks_confirmation():
            return _submit_confirmation(request, cycle, unit)
        try:
            messages.success(request, page.act())
            # Evidence added: back to its form (error-summary.js focuses the heading).
            anchor = "#add-evidence" if page.action == "evidence" else ""
            return redirect(page.url + anchor)
        except (assessments.Locked, assessments.InvalidInput, assessments.Conflict) as refused:
            page.errors = getattr(refused, "problems", [str(refused)])
            conflict = (assessments.Conflict, assessments.ReturnLocked)
            page.status = 409 if isinstance(refused, conflict) else 400
    return render(
        request, "rankings/staff/self_assessment.html", page.context(), status=page.status
    )


@login_required
@require_http_methods(["GET", "POST"])
def self_assessment_submit(request, province, year, block, agency):
    """The head's submit button posts here: the checklist it answers with then has an
    address of its own, so its links open each criterion on the self-assessment page (a
    link to the page's own address would only move within this answer). Opened again
    later (a bookmark, the browser's history), the address leads back to the page."""
    if request.method == "GET":
        return redirect("self-assessment", province, year, block, agency)
    return self_assessment(request, province, year, block, agency)


class _Page:
    """The self-assessment page's two forms, bound to what was posted (so an error shows
    every typed value again, each message next to its field) or to the stored scores."""

    def __init__(self, request, cycle, unit):
        self.request, self.cycle, self.unit = request, cycle, unit
        args = [cycle.province.slug, cycle.year, cycle.block.slug, unit.slug]
        self.url = reverse("self-assessment", args=args)
        self.errors, self.status = [], 200
        self.action = request.POST.get("action") if request.method == "POST" else None
        self.criteria = list(
            cycle.criteria_set.criteria.select_related("group").order_by("order", "code")
        )
        self.scores = {
            s.criterion_id: s
            for s in Score.objects.filter(
                cycle=cycle, agency=unit, stage=Stage.SELF
            ).prefetch_related("evidence")
        }
        saving = self.action not in {None, "submit", "evidence", "evidence_remove"}
        self.entry = SelfAssessmentForm(
            request.POST if saving else None,
            criteria=self.criteria,
            initial=_initial(self.criteria, self.scores),
            auto_id="%s",
        )
        evidence = self.action == "evidence"
        self.evidence = EvidenceForm(
            request.POST if evidence else None, request.FILES if evidence else None, auto_id="%s"
        )

    def asks_confirmation(self) -> bool:
        """A submission the service would take, not yet confirmed: the head is shown what
        is blank or missing evidence first. One it would refuse goes on to say why."""
        cycle, unit = self.cycle, self.unit
        return (
            self.action == "submit"
            and self.request.POST.get("confirmed") != "1"
            and permissions.can_submit_self_assessment(self.request.user, cycle=cycle, agency=unit)
            and not assessments.submit_refusal(cycle=cycle, agency=unit)
        )

    def act(self) -> str:
        cycle, unit, user = self.cycle, self.unit, self.request.user
        if self.action == "submit":
            if not permissions.can_submit_self_assessment(user, cycle=cycle, agency=unit):
                raise PermissionDenied(_("Chỉ thủ trưởng đơn vị được nộp bản tự đánh giá."))
            answers = _answers(self.request)
            assessments.self_assessment_submit(cycle=cycle, agency=unit, user=user, answers=answers)
            return _("Đã nộp bản tự đánh giá.")
        if self.action == "evidence_remove":
            _evidence_remove(self.request, cycle, unit)
            return _("Đã gỡ minh chứng.")
        if self.action == "evidence":
            if not self.evidence.is_valid():
                raise assessments.InvalidInput(self.evidence.problems())
            fields = self.evidence.service_fields()
            assessments.evidence_add(cycle=cycle, agency=unit, user=user, **fields)
            return _("Đã thêm minh chứng.")
        count = assessments.self_assessment_save(
            cycle=cycle,
            agency=unit,
            inputs=_inputs(self.entry),
            user=user,
            expected=_versions(self.request),
        )
        return _("Đã lưu %(n)s tiêu chí.") % {"n": count}

    def context(self) -> dict:
        cycle, unit = self.cycle, self.unit
        submission = Submission.objects.filter(cycle=cycle, agency=unit).first()
        lock = assessments.lock_reason(cycle=cycle, submission=submission)
        for field in self.entry.fields.values():
            field.disabled = bool(lock)
        # After a return only the returned criteria (and their evidence) may change.
        returned = submission is not None and submission.state == "returned"
        rows = []
        for criterion in self.criteria:
            score = self.scores.get(criterion.pk)
            code = criterion.code
            if returned and (score is None or score.review != "returned"):
                for key in ("v", "d", "c"):
                    if f"{key}-{code}" in self.entry.fields:
                        self.entry.fields[f"{key}-{code}"].disabled = True
            fields = [self.entry[f"{k}-{code}"] for k in ("v", "d", "c")]
            # The version of each score shown goes back with the form: a save refuses to
            # overwrite what someone else changed in the meantime.
            rows.append((criterion, score, assessments.score_version(score), *fields))
        return {
            "cycle": cycle,
            "agency": unit,
            "submission": submission,
            "errors": self.errors,
            "evidence_failed": bool(self.errors) and self.action == "evidence",
            "rows": rows,
            "entry": self.entry,
            "evidence_form": self.evidence,
            "lock": lock,
            "returned": returned,
            # The agency's own deadline: an extension ICT staff gave it, else the cycle's.
            "deadline": submission.deadline(cycle) if submission else cycle.submission_deadline,
            "page_url": self.url,
            "can_submit": permissions.can_submit_self_assessment(
                self.request.user, cycle=cycle, agency=unit
            ),
        }


def _submit_confirmation(request, cycle, unit):
    """The checklist before submitting: blank criteria, missing evidence, each linked to its
    row; the answers to returned criteria ride along to the confirming post."""
    submission = Submission.objects.filter(cycle=cycle, agency=unit).first()
    returned = submission is not None and submission.state == "returned"
    context = {
        "cycle": cycle,
        "agency": unit,
        "checklist": submit_checklist.submit_checklist(cycle=cycle, agency=unit, returned=returned),
        "answers": sorted(_answers(request).items()),
        "returned": returned,
    }
    return render(request, "rankings/staff/submit_confirm.html", context)


def _initial(criteria, scores) -> dict[str, str]:
    """The stored inputs as the page shows them: decimal comma, no trailing zeros."""
    initial = {}
    for criterion in criteria:
        score = scores.get(criterion.pk)
        if score is None:
            continue
        for key, value in (("v", score.value), ("d", score.denominator)):
            if value is not None:
                initial[f"{key}-{criterion.code}"] = plain_number(value)
        initial[f"c-{criterion.code}"] = score.choice
    return initial


def _answers(request) -> dict[str, str]:
    """The agency's note on each returned criterion (`answer-<code>`), on resubmission."""
    return {k[7:]: v[:2000] for k, v in request.POST.items() if k.startswith("answer-")}


def _evidence_remove(request, cycle, unit) -> None:
    pk = request.POST.get("evidence", "")
    evidence = Evidence.objects.filter(
        pk=int(pk) if pk.isdigit() else 0, score__cycle=cycle, score__agency=unit
    ).first()
    if evidence is None:
        raise assessments.InvalidInput([_("Minh chứng: không tìm thấy.")])
    try:
        returns.evidence_remove(evidence=evidence, user=request.user)
    except returns.Refused as refused:
        raise assessments.ReturnLocked(str(refused)) from None


def _versions(request) -> dict[str, str] | None:
    """The version of each score the page showed (`ver-<code>`), None from a bare client."""
    found = {k[4:]: v for k, v in request.POST.items() if k.startswith("ver-")}
    return found or None


def _cycle_and_agency(user, province, year, block, agency):
    cycle = get_object_or_404(
        permissions.visible_cycles(
            user, AssessmentCycle.objects.select_related("province", "block", "criteria_set")
        ),
        province__slug=province,
        year=year,
        block__slug=block,
    )
    unit = get_object_or_404(Agency, province=cycle.province, block=cycle.block, slug=agency)
    return cycle, unit


def _inputs(form) -> dict[str, assessments.RawInput]:
    """The posted inputs of every criterion, checked by `SelfAssessmentForm` against the
    columns' limits; a refused one raises `InvalidInput` naming the criterion."""
    if not form.is_valid():
        raise assessments.InvalidInput(form.problems())
    inputs = {}
    for criterion in form.criteria:
        code = criterion.code
        value, denominator = form.cleaned_data[f"v-{code}"], form.cleaned_data[f"d-{code}"]
        choice = form.cleaned_data[f"c-{code}"].strip()
        if criterion.rule == RuleKind.CHOICE and choice:
            inputs[code] = assessments.RawInput(choice=choice)
        elif value is not None or denominator is not None:
            inputs[code] = assessments.RawInput(value=value, denominator=denominator)
    return inputs


@login_required
@require_http_methods(["GET", "POST"])
def review(request, province, year, block, agency) -> HttpResponse:
    """Self-assessed and verified values side by side; accept, adjust or return each."""
    cycle, unit = _cycle_and_agency(request.user, province, year, block, agency)
    if not permissions.can_review(request.user, cycle=cycle):
        raise PermissionDenied(_("Chỉ hội đồng thẩm định được thẩm định."))
    errors: list[ErrorItem] = []
    status, form = 200, None
    # The ids of the posted row's inputs (`value-1.1.3`): its errors link to them.
    code = request.POST.get("criterion", "")
    if request.method == "POST":
        form = ReviewForm(request.POST, auto_id=f"%s-{code}")
        try:
            if not form.is_valid():
                raise assessments.InvalidInput(form.problems())
            data = form.cleaned_data
            assessments.score_review(
                cycle=cycle,
                agency=unit,
                code=data["criterion"],
                action=data["action"],
                user=request.user,
                comment=data["comment"],
                inputs=_inputs_for(data),
                expected=data["version"] if "version" in request.POST else None,  # bare: none
            )
            messages.success(
                request, _("Đã ghi kết quả thẩm định tiêu chí %(c)s.") % {"c": data["criterion"]}
            )
            # The same filter, and back to the row just saved (error-summary.js focuses it).
            return redirect(f"{request.get_full_path()}#row-{data['criterion']}")
        except (assessments.Locked, assessments.InvalidInput, assessments.Conflict) as refused:
            problems = getattr(refused, "problems", [str(refused)])
            errors = [ErrorItem(str(p), f"row-{code}") for p in problems]
            status = 409 if isinstance(refused, assessments.Conflict) else 400
    context = {
        "cycle": cycle,
        "agency": unit,
        "errors": errors,
        "review_form": form,
        **review_desk.desk_context(cycle=cycle, agency=unit, kind=request.GET.get("loc", "")),
    }
    for row in context["rows"] if form is not None else []:
        if row.criterion.code == code:
            row.form = form  # the refused row shows what was typed, each error at its field
    return render(request, "rankings/staff/review.html", context, status=status)


def _inputs_for(data) -> assessments.RawInput | None:
    if data["action"] != "adjusted":
        return None
    return assessments.RawInput(
        value=data["value"], denominator=data["denominator"], choice=data["choice"].strip()
    )


@login_required
def evidence_file(request, province, year, block, agency, pk):
    """An evidence file, to the people who may read the agency's drafts, as a download.

    Evidence is never served from a public media URL: files are unpublished drafts.
    """
    cycle, unit = _cycle_and_agency(request.user, province, year, block, agency)
    if not permissions.can_read_agency_drafts(request.user, cycle=cycle, agency=unit):
        raise PermissionDenied(_("Bạn không có quyền xem minh chứng của đơn vị này."))
    evidence = get_object_or_404(Evidence, pk=pk, score__cycle=cycle, score__agency=unit)
    if not evidence.file:
        raise Http404(_("Minh chứng này không có tệp."))
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.file.name.rsplit("/", 1)[-1],
    )


@login_required
def score_history(request, province, year, block, agency):
    """The audit trail of an agency's scores: who, when, which path, old → new."""
    cycle, unit = _cycle_and_agency(request.user, province, year, block, agency)
    if not (
        permissions.can_preview_drafts(request.user, cycle=cycle)
        or permissions.can_self_assess(request.user, cycle=cycle, agency=unit)
    ):
        raise PermissionDenied(_("Bạn không có quyền xem lịch sử của đơn vị này."))
    changes = audit.score_history(cycle=cycle, agency=unit)
    return render(
        request, "rankings/staff/history.html", {"cycle": cycle, "agency": unit, "changes": changes}
    )
