"""The criteria-set editor page: create a set, or edit one until a publication uses it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rankings.models import CriteriaSet
from rankings.setup import editor
from rankings.setup.access import province_for_setup
from rankings.setup.annex import SetHeader
from rankings.setup.forms import CriteriaSetForm
from rankings.setup.tables import Problem


@login_required
@require_http_methods(["GET", "POST"])
def setup_criteria_edit(request, province, pk=None):
    place = province_for_setup(request, province)
    criteria_set = get_object_or_404(CriteriaSet, province=place, pk=pk) if pk else None
    reason = editor.read_only_reason(criteria_set) if criteria_set else ""
    posted = request.method == "POST"
    rows = editor.posted_rows(request.POST) if posted else editor.set_rows(criteria_set)
    form = CriteriaSetForm(
        request.POST if posted else None, initial=CriteriaSetForm.initial_of(criteria_set)
    )
    context = {"province": place, "criteria_set": criteria_set, "reason": reason, "form": form}
    if posted and reason:
        return _page(request, context, rows, status=409)
    if posted and form.is_valid():
        plan = editor.editor_plan(rows, max_points=form.cleaned_data["max_points"])
        context["problems"] = plan.problems
        if plan.ok:
            try:
                saved = editor.criteria_set_save(
                    province=place,
                    criteria_set=criteria_set,
                    header=_header(form),
                    plan=plan,
                    english=editor.english_names(rows),
                )
            except editor.EditRefused as refused:
                context["problems"] = [Problem(None, "", str(refused))]
            else:
                messages.success(request, _("Đã lưu bộ tiêu chí “%(n)s”.") % {"n": saved.name})
                return redirect("setup-criteria-edit", place.slug, saved.pk)
        elif not plan.roots and not plan.problems:
            context["problems"] = [Problem(None, "", _("chưa có dòng nhóm, tiêu chí nào."))]
    return _page(request, context, rows, status=400 if posted else 200)


def _header(form) -> SetHeader:
    return SetHeader.of(form.cleaned_data)


def _page(request, context, rows, *, status):
    while rows and rows[-1].blank:  # the blanks posted back; a fresh set of them follows
        rows = rows[:-1]
    if not context["reason"]:
        rows = [*rows, *(editor.Row() for _ in range(editor.BLANK_ROWS))]
    context.update(rows=rows, headers=editor.headers())
    return render(request, "rankings/setup/criteria_edit.html", context, status=status)
