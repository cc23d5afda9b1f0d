"""The embed pages `/nhung/<lang>/…` (see the package docstring)."""

import functools

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt

from agencies.models import Agency
from rankings import wording
from rankings.public.page_cache import cached_page
from rankings.public.selectors import leaderboard as leaderboard_selectors
from rankings.public.selectors.agency import agency_profile
from rankings.public.selectors.leaderboard import published_cycle

TOP_DEFAULT, TOP_MAX = 10, 50


def embeddable(view):
    """Render `view` in the URL's language and let it be framed (CSP decides by whom).

    Outside `cached_page`, so that the cache key has the URL's language and a cache hit is
    exempt from X-Frame-Options too; `translation.override` leaves no language cookie."""

    @functools.wraps(view)
    def wrapper(request, lang, *args, **kwargs):
        with translation.override(lang):
            request.LANGUAGE_CODE = lang
            response = view(request, *args, **kwargs)
        session = getattr(request, "session", None)
        if session is not None:
            # A signed-in reader's idle clock ticks on pages, not embeds: no Set-Cookie here.
            session.modified = False
        response["Content-Language"] = lang
        return response

    return xframe_options_exempt(wrapper)


def _top(request) -> int | None:
    raw = request.GET.get("n", "")
    if raw == "":
        return TOP_DEFAULT
    if raw.isdigit() and 1 <= int(raw) <= TOP_MAX:
        return int(raw)
    return None


@embeddable
@cached_page
def leaderboard(request, province, year, block):
    """The top N (`?n=`, 10 by default, at most 50) of a published ranking."""
    top = _top(request)
    if top is None:
        message = _("Tham số n (số đơn vị hiển thị) phải là số nguyên từ 1 đến %(max)s.")
        context = {"message": message % {"max": TOP_MAX}}
        return render(request, "embeds/error.html", context, status=400)
    cycle = published_cycle(province=province, year=year, block=block)
    if cycle is None:
        raise Http404(_("Chưa có kết quả xếp hạng được công bố."))
    board = leaderboard_selectors.leaderboard(cycle=cycle, params={}, with_previous=False)
    ranked = [row for row in board.records if row["rank"] is not None]
    context = {
        "board": board,
        "rows": ranked[:top],
        "band_words": wording.band_words(criteria_set=cycle.criteria_set),
    }
    return render(request, "embeds/leaderboard.html", context)


@embeddable
@cached_page
def agency(request, province, slug):
    """An agency's card: its latest published rank, total, percent, band and change."""
    unit = get_object_or_404(
        Agency.objects.select_related("province", "block"), province__slug=province, slug=slug
    )
    profile = agency_profile(agency=unit)
    latest = profile.latest
    rules = latest.cycle.criteria_set if latest else None
    context = {
        "agency": unit,
        "latest": latest,
        "rules": rules,
        "band_words": wording.band_words(criteria_set=rules) if rules else {},
    }
    return render(request, "embeds/agency.html", context)
