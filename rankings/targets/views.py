"""Targets' pages: the staff list with add, edit, delete and import; the province's public
table and the exports of it and of an agency's targets.

Targets come from adopted plans, which are public documents, and are judged against
published values only; so the province's table and its exports are public like the
rankings. Writing needs the agency's own role or the province's ICT staff
(`rankings.targets.access`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from agencies.models import Agency, Province
from rankings.imports.forms import ImportUploadForm
from rankings.public import exports
from rankings.targets import access, importer, services, tables
from rankings.targets.forms import TargetForm, agencies_for
from rankings.targets.models import Target
from rankings.targets.presenters import page_rows
from rankings.targets.progress import RULE
from rankings.targets.selectors import agency_targets, province_targets

FORMATS = {"csv", "xlsx", "json"}


def _staff_province(request, province: str) -> tuple[Province, bool, set[int]]:
    """The province, whether the user records for all of it, and their own agencies; 404
    to users with no role there, 403 to those who record no target."""
    place = get_object_or_404(Province, slug=province)
    if not access.has_role_in(request.user, province=place):
        raise Http404
    whole = access.edits_province(request.user, province=place)
    own = access.own_agency_ids(request.user, province=place)
    if not whole and not own:
        raise PermissionDenied(_("Bạn không có quyền ghi chỉ tiêu của tỉnh này."))
    return place, whole, own


def _editable(place: Province, whole: bool, own: set[int]):
    found = Target.objects.filter(province=place).select_related("agency", "block")
    return found if whole else found.filter(agency_id__in=own)


@login_required
@require_GET
def staff_list(request, province):
    place, whole, own = _staff_province(request, province)
    targets = _editable(place, whole, own).order_by("agency__name", "year", "indicator")
    context = {"province": place, "targets": targets[:1000], "whole": whole, "rule": RULE}
    return render(request, "rankings/targets/staff_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(request, province, pk=None):
    place, whole, own = _staff_province(request, province)
    target = get_object_or_404(_editable(place, whole, own), pk=pk) if pk else None
    form = TargetForm(
        request.POST if request.method == "POST" else None,
        instance=target,
        province=place,
        agencies=agencies_for(province=place, province_wide=whole, own_ids=own),
        province_wide=whole,
    )
    if request.method == "POST" and form.is_valid():
        services.target_save(target=form.save(commit=False), by=request.user)
        messages.success(request, _("Đã lưu chỉ tiêu “%(t)s”.") % {"t": form.instance.indicator})
        return redirect("targets-staff", province=place.slug)
    status = 400 if form.errors else 200
    context = {"province": place, "form": form, "target": target}
    return render(request, "rankings/targets/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def target_delete(request, province, pk):
    place, whole, own = _staff_province(request, province)
    target = get_object_or_404(_editable(place, whole, own), pk=pk)
    if request.method == "POST":
        services.target_delete(target=target)
        messages.success(request, _("Đã xoá chỉ tiêu “%(t)s”.") % {"t": target.indicator})
        return redirect("targets-staff", province=place.slug)
    return render(request, "rankings/targets/delete.html", {"province": place, "target": target})


@login_required
@require_http_methods(["GET", "POST"])
def target_import(request, province):
    place, whole, _own = _staff_province(request, province)
    posted = request.method == "POST"
    form = ImportUploadForm(request.POST if posted else None, request.FILES if posted else None)
    context = {"province": place, "form": form, "columns": importer.COLUMNS, "whole": whole}
    if request.method == "GET":
        return render(request, "rankings/targets/import.html", context)
    if not form.is_valid():
        status = 413 if form.too_large else 400
        return render(request, "rankings/targets/import.html", context, status=status)
    upload = form.cleaned_data["file"]
    found = importer.targets_read(
        upload=upload.read(), filename=upload.name, province=place, user=request.user
    )
    if found.problems:
        context["problems"] = found.problems
        return render(request, "rankings/targets/import.html", context, status=400)
    count = services.targets_import(targets=found.targets, by=request.user)
    messages.success(
        request,
        ngettext("Đã nhập %(n)s chỉ tiêu.", "Đã nhập %(n)s chỉ tiêu.", count) % {"n": count},
    )
    return redirect("targets-staff", province=place.slug)


@require_GET
def province_page(request, province, fmt=None):
    place = get_object_or_404(Province, slug=province)
    year = _year(request)
    targets = province_targets(province=place, year=year)
    table = tables.province_table(targets)
    if fmt:
        return _export(table, fmt, tables.province_meta(targets))
    context = {"province": place, "rows": page_rows(table), "year": year, "rule": RULE}
    context["can_edit"] = access.has_role_in(request.user, province=place)
    return render(request, "rankings/targets/province.html", context)


@require_GET
def agency_export(request, province, slug, fmt):
    unit = get_object_or_404(
        Agency.objects.select_related("province"), province__slug=province, slug=slug
    )
    targets = agency_targets(agency=unit)
    return _export(tables.agency_table(targets), fmt, tables.agency_meta(targets))


def _year(request) -> int | None:
    raw = request.GET.get("year", "")
    if not raw:
        return None
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise Http404(_("Năm: từ 2000 đến 2100."))
    return int(raw)


def _export(table, fmt, meta):
    if fmt not in FORMATS:
        raise Http404
    return exports.respond(
        table.frame,
        fmt=fmt,
        filename=table.filename,
        title=table.title,
        meta={**meta, "rule": str(RULE)},
        headers=table.headers,
    )
