"""The provincial administrator's set-up pages: blocks, agencies, criteria sets, history.

Each import page is one form with two buttons: "Xem trước" reads and checks the file and
shows what would change (nothing is written); "Lưu" applies the previewed file, all or
nothing. Every page is for the province's administrators only (`access`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agencies.models import Agency, Block
from agencies.slugs import slugify, unique_slug
from rankings import wording
from rankings.cycles import services
from rankings.models import AssessmentCycle, CriteriaSet, Membership, Publication
from rankings.setup import agency_list, annex, backfill
from rankings.setup import provinces as provinces_
from rankings.setup.access import province_for_setup, provinces_for_setup
from rankings.setup.annex_export import annex_xlsx
from rankings.setup.forms import (
    AgencyListForm,
    AnnexForm,
    BackfillForm,
    BlockForm,
    ProvincePickForm,
)
from rankings.setup.pending import pending_drop, pending_file
from rankings.setup.tables import Problem

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _posted(request) -> tuple:
    """(data, files) of a POST, even an empty one; (None, None) for a GET (unbound form)."""
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


@login_required
def setup_index(request):
    """The provinces the user may set up (and, for who may, the link to pick another)."""
    provinces = provinces_for_setup(request.user).order_by("name")
    may_pick = provinces_.pick_role(request.user) is not None
    if not may_pick and len(provinces) == 1:
        return redirect("setup-home", provinces[0].slug)
    context = {"provinces": provinces, "may_pick": may_pick}
    return render(request, "rankings/setup/index.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def setup_pick(request):
    """Pick the province from vietnam-provinces, then go to its set-up steps."""
    role = provinces_.pick_role(request.user)
    if role is None:
        raise PermissionDenied(_("Chỉ người vận hành hệ thống hoặc quản trị được mời chọn tỉnh."))
    operator = role == provinces_.OPERATOR
    form = ProvincePickForm(*_posted(request)[:1], operator=operator)
    if request.method == "POST" and form.is_valid():
        data, picked = form.cleaned_data, form.cleaned_data["province"]
        try:
            place = provinces_.province_pick(
                user=request.user,
                code=picked.code,
                era=picked.era,
                admin_email=data.get("admin_email", ""),
                admin_name=data.get("admin_name", ""),
            )
        except provinces_.PickRefused as refused:
            form.add_error("admin_email" if data.get("admin_email") else "province", str(refused))
        else:
            messages.success(request, _("Đã chọn tỉnh %(p)s.") % {"p": place.name})
            return redirect("setup-home", place.slug)
    context = {"form": form, "options": provinces_.province_options(), "operator": operator}
    status = 400 if form.errors else 200
    return render(request, "rankings/setup/pick.html", context, status=status)


@login_required
def setup_home(request, province):
    """The checklist: what the province has, and where to add the rest."""
    place = province_for_setup(request, province)
    context = {
        "province": place,
        "agencies": Agency.objects.filter(province=place)
        .values("block__name")
        .annotate(n=Count("id"))
        .order_by("block__name"),
        "criteria_sets": CriteriaSet.objects.filter(province=place).count(),
        "staff": Membership.objects.filter(province=place, user__is_active=True).count(),
        "published": Publication.objects.filter(cycle__province=place)
        .select_related("cycle__block")
        .order_by("-cycle__year", "cycle__block__order"),
    }
    return render(request, "rankings/setup/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def setup_blocks(request, province):
    place = province_for_setup(request, province)
    form = BlockForm(*_posted(request)[:1])
    if request.method == "POST" and form.is_valid():
        taken = set(Block.objects.values_list("slug", flat=True))
        name = form.cleaned_data["name"]
        block = Block.objects.create(
            slug=unique_slug(slugify(name, max_length=36), taken),
            name=name,
            name_en=form.cleaned_data["name_en"] or name,
            order=len(taken) + 1,
        )
        messages.success(request, _("Đã thêm khối “%(b)s”.") % {"b": block.name})
        return redirect("setup-blocks", place.slug)
    blocks = Block.objects.annotate(n=Count("agencies", filter=Q(agencies__province=place)))
    context = {"province": place, "form": form, "blocks": blocks}
    status = 400 if form.errors else 200
    return render(request, "rankings/setup/blocks.html", context, status=status)


def _problems(form, message: str) -> list[Problem]:
    return [Problem(None, "", message)] if form.is_bound else []


@login_required
@require_http_methods(["GET", "POST"])
def setup_agencies(request, province):
    place = province_for_setup(request, province)
    form = AgencyListForm(*_posted(request))
    plan, problems = None, []
    if form.is_valid() and (upload := pending_file(form)):
        plan = agency_list.agency_list_plan(province=place, data=upload[0], filename=upload[1])
        if plan.ok and "confirm" in request.POST:
            agency_list.agency_list_apply(province=place, plan=plan)
            pending_drop(form)
            messages.success(
                request,
                _("Đã lưu danh sách đơn vị: %(c)s mới, %(u)s cập nhật.")
                % {"c": len(plan.created), "u": len(plan.updated)},
            )
            return redirect("setup-agencies", place.slug)
    elif form.is_bound and form.is_valid():
        problems = _problems(form, _("Tệp xem trước không còn; hãy tải lên lại."))
    context = {
        "province": place,
        "form": form,
        "plan": plan,
        "problems": problems,
        "agencies": Agency.objects.filter(province=place).select_related("block"),
    }
    return render(
        request,
        "rankings/setup/agencies.html",
        context,
        status=400 if (plan and plan.problems) or problems or form.errors else 200,
    )


def _editable_sets(place):
    return (
        CriteriaSet.objects.filter(province=place)
        .exclude(cycles__publications__isnull=False)
        .distinct()
    )


@login_required
@require_http_methods(["GET", "POST"])
def setup_criteria(request, province):
    place = province_for_setup(request, province)
    form = AnnexForm(*_posted(request), editable=_editable_sets(place))
    plan = None
    if form.is_valid() and (upload := pending_file(form)):
        data = form.cleaned_data
        plan = annex.annex_plan(data=upload[0], filename=upload[1], max_points=data["max_points"])
        if plan.ok and "confirm" in request.POST:
            header = annex.SetHeader.of(data)
            created = annex.annex_apply(
                province=place, header=header, plan=plan, replace=data["replace"]
            )
            pending_drop(form)
            messages.success(request, _("Đã lưu bộ tiêu chí “%(n)s”.") % {"n": created.name})
            return redirect("setup-criteria", place.slug)
    sets = (
        CriteriaSet.objects.filter(province=place)
        .select_related("block")
        .annotate(published=Count("cycles__publications"))
        .order_by("block__order", "-decision_date")
    )
    return render(
        request,
        "rankings/setup/criteria.html",
        {"province": place, "form": form, "plan": plan, "sets": sets},
        status=400 if (plan and plan.problems) or form.errors else 200,
    )


@login_required
def setup_criteria_annex(request, province, pk):
    """The set as an annex spreadsheet: edit it, then import it over the set."""
    place = province_for_setup(request, province)
    criteria_set = get_object_or_404(CriteriaSet, province=place, pk=pk)
    response = HttpResponse(annex_xlsx(criteria_set), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="phu-luc-{criteria_set.slug}.xlsx"'
    return response


@login_required
@require_POST
def setup_criteria_copy(request, province, pk):
    """A copy of one of the province's sets, to edit for a new year until published."""
    place = province_for_setup(request, province)
    source = CriteriaSet.objects.filter(province=place, pk=pk).first()
    if source is None:
        messages.error(request, _("Không có bộ tiêu chí này."))
        return redirect("setup-criteria", place.slug)
    taken = set(CriteriaSet.objects.values_list("slug", flat=True))
    copy = services.criteria_set_copy(
        source=source,
        slug=unique_slug(f"{source.slug[:80]}-ban-sao", taken),
        **wording.criteria_set_names(wording.COPIED_SET, source=source),
    )
    messages.success(request, _("Đã sao chép thành “%(n)s”.") % {"n": copy.name})
    return redirect("setup-criteria-edit", place.slug, copy.pk)


@login_required
@require_http_methods(["GET", "POST"])
def setup_backfill(request, province):
    place = province_for_setup(request, province)
    form = BackfillForm(*_posted(request))
    plan = None
    if form.is_valid() and (upload := pending_file(form)):
        plan = _backfill_plan(request, place, form.cleaned_data, upload)
        accepted = not plan.differences or request.POST.get("accept_differences")
        if plan.ok and "confirm" in request.POST and accepted:
            backfill.backfill_apply(plan=plan, user=request.user)
            pending_drop(form)
            messages.success(request, _("Đã lưu bảng xếp hạng năm %(y)s.") % {"y": plan.year})
            return redirect("leaderboard", place.slug, plan.year, plan.block.slug)
    history = (
        AssessmentCycle.objects.filter(province=place, publications__isnull=False)
        .select_related("block")
        .distinct()
        .order_by("-year", "block__order")
    )
    return render(
        request,
        "rankings/setup/backfill.html",
        {"province": place, "form": form, "plan": plan, "history": history},
        status=400 if (plan and not plan.ok) or form.errors else 200,
    )


def _backfill_plan(request, place, data, upload):
    source = backfill.Source(
        kind=data["source_kind"],
        date=data["source_date"],
        number=data["decision_number"],
        signer=data["signer"],
        title=data["source_title"],
        url=data["source_url"],
    )
    confirmed = {}
    for key, value in request.POST.items():
        if key.startswith("match-") and key[6:].isdigit() and value.isdigit():
            confirmed[int(key[6:])] = int(value)
    return backfill.backfill_plan(
        province=place,
        block=data["block"],
        year=data["year"],
        max_points=data["max_points"],
        tie_method=data["tie_method"],
        source=source,
        data=upload[0],
        filename=upload[1],
        confirmed=confirmed,
    )
