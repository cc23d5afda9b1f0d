"""Public pages. They read published revisions only; drafts never reach them.

Anonymous readers get them from the page cache (rankings.page_cache), keyed by the
publication generation; the staff draft preview and notifications are never cached.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, Province
from rankings import permissions, wording
from rankings.models import AssessmentCycle, CriteriaSet, Notification
from rankings.public import compare_picker, exports, presenters, tables
from rankings.public.filters import ResultFilter
from rankings.public.page_cache import cached_page
from rankings.public.selectors import compare as compare_selectors
from rankings.public.selectors import leaderboard as leaderboard_selectors
from rankings.public.selectors.agency import agency_lineage, agency_profile
from rankings.public.selectors.change_log import change_log
from rankings.public.selectors.leaderboard import published_cycle
from rankings.public.selectors.listings import agency_search, published_cycles
from rankings.public.selectors.methodology import criteria_tree
from rankings.public.selectors.national import home_rankings, national_ranking, national_standing
from rankings.public.selectors.trends import block_trend

FORMATS = {"csv", "xlsx", "json"}


@cached_page
def home(request):
    query = request.GET.get("q", "").strip()
    rankings = home_rankings()
    context = {
        "latest": rankings.provinces,
        "national": rankings.national,
        "query": query,
        "matches": agency_search(query) if query else None,
    }
    return render(request, "rankings/home.html", context)


@cached_page
def national(request):
    """The national ranking of provinces (DTI-like), from the national scope's cycles.

    Until one is published the page says so with status 404: there is no ranking to show,
    and a 404 keeps crawlers and link checkers from taking the notice for one.
    """
    ranking = national_ranking()
    if ranking is None:
        return render(request, "rankings/national_empty.html", status=404)
    return render(request, "rankings/national.html", {"ranking": ranking})


@cached_page
def province(request, province):
    place = get_object_or_404(Province, slug=province)
    context = {
        "province": place,
        "cycles": published_cycles(province=place),
        # A province formed in 2025 keeps the rankings of those it was formed from.
        "predecessors": [(old, published_cycles(province=old)) for old in place.predecessors.all()],
        "successors": list(place.successors.all()),
        # Its place in the national ranking of provinces, when one is published.
        "national": national_standing(province=place),
    }
    return render(request, "rankings/province.html", context)


@cached_page
def leaderboard(request, province, year, block, fmt=None):
    cycle = published_cycle(province=province, year=year, block=block)
    if cycle is None:
        raise Http404(_("Chưa có kết quả xếp hạng được công bố."))
    board = leaderboard_selectors.leaderboard(cycle=cycle, params=request.GET)
    if fmt:
        return _export(tables.leaderboard_table(board), fmt, tables.leaderboard_meta(board))
    corrections = change_log(cycle=cycle) if board.publication.revision > 1 else []
    context = {
        "board": board,
        "filter": ResultFilter(request.GET),
        "corrections": corrections,
        "band_words": wording.band_words(criteria_set=cycle.criteria_set),
    }
    return render(request, "rankings/leaderboard.html", context)


@login_required
def draft_leaderboard(request, province, year, block):
    """Staff preview of a cycle's working draft, clearly marked as not published."""
    cycles = AssessmentCycle.objects.select_related("province", "block", "criteria_set")
    cycle = get_object_or_404(
        permissions.visible_cycles(request.user, cycles),
        province__slug=province,
        year=year,
        block__slug=block,
    )
    if not permissions.can_preview_drafts(request.user, cycle=cycle):
        raise PermissionDenied(_("Chỉ cán bộ cấp tỉnh được xem bản nháp xếp hạng."))
    board = leaderboard_selectors.leaderboard(cycle=cycle, params=request.GET, draft=True)
    context = {
        "board": board,
        "filter": ResultFilter(request.GET),
        "corrections": [],
        "band_words": wording.band_words(criteria_set=cycle.criteria_set),
    }
    return render(request, "rankings/leaderboard.html", context)


@cached_page
def agency(request, province, slug, fmt=None):
    unit = get_object_or_404(
        Agency.objects.select_related("province", "block", "represents"),
        province__slug=province,
        slug=slug,
    )
    profile = agency_profile(agency=unit)
    if fmt:
        return _export(tables.history_table(profile), fmt, tables.history_meta(profile))
    lineage = agency_lineage(agency=unit)
    context = {"profile": profile, "lineage": lineage, **presenters.agency_charts(profile)}
    return render(request, "rankings/agency.html", context)


@cached_page
def trends(request, province, block, fmt=None):
    trend = block_trend(province=province, block=block)
    if trend is None:
        raise Http404(_("Chưa có kết quả xếp hạng được công bố."))
    if fmt:
        return _export(tables.trend_table(trend), fmt, tables.trend_meta(trend))
    up, down = _("Tăng hạng nhiều nhất"), _("Giảm hạng nhiều nhất")
    if trend.latest.previous_year is not None:  # the baseline: the last published year
        baseline = {"year": trend.latest.cycle.year, "baseline": trend.latest.previous_year}
        up = _("Tăng hạng nhiều nhất, %(year)s so với %(baseline)s") % baseline
        down = _("Giảm hạng nhiều nhất, %(year)s so với %(baseline)s") % baseline
    sections = [(up, trend.movers_up), (down, trend.movers_down)]
    context = {"trend": trend, "movers_sections": sections, **presenters.trend_charts(trend)}
    return render(request, "rankings/trends.html", context)


@cached_page
def compare(request, province, year, fmt=None):
    slugs = [s for s in request.GET.getlist("agency") if s][: compare_picker.MAX_CHOSEN]
    comparison = compare_selectors.comparison(province=province, year=year, slugs=slugs)
    # Fewer than two chosen is the picker's starting point, not a bad request.
    status = 400 if comparison.error and len(slugs) >= 2 else 200
    if fmt and not comparison.error:
        return _export(tables.compare_table(comparison), fmt, tables.compare_meta(comparison))
    picker = compare_picker.compare_choices(province=province, year=year, chosen=slugs)
    context = {"comparison": comparison, "picker": picker, "chosen": len(slugs)}
    return render(request, "rankings/compare.html", context, status=status)


@cached_page
def methodology_index(request):
    sets = (
        CriteriaSet.objects.filter(cycles__publications__isnull=False)
        .select_related("province", "block")
        .distinct()
        .order_by("province__name", "block__order", "-slug")
    )
    return render(request, "rankings/methodology_index.html", {"criteria_sets": sets})


@cached_page
def methodology(request, slug, fmt=None):
    published = CriteriaSet.objects.filter(cycles__publications__isnull=False).distinct()
    criteria_set = get_object_or_404(published.select_related("province", "block"), slug=slug)
    tree = criteria_tree(criteria_set=criteria_set)
    if fmt:
        return _export(tables.criteria_table(tree), fmt, tables.criteria_meta(tree))
    return render(request, "rankings/methodology.html", {"tree": tree})


def _export(table, fmt, meta):
    if fmt not in FORMATS:
        raise Http404
    return exports.respond(
        table.frame,
        fmt=fmt,
        filename=table.filename,
        title=table.title,
        meta=meta,
        headers=table.headers,
        note=table.note,
    )


@login_required
def notification_list(request):
    """The user's notices, newest first; opening the page marks them read."""
    notices = list(request.user.notifications.all()[:100])
    unread = [n.pk for n in notices if n.read_at is None]
    if unread:
        Notification.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return render(
        request, "rankings/notifications.html", {"notices": notices, "unread": set(unread)}
    )
