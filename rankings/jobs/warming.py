"""Publication warms the page cache: every public page a publication changes, rendered once.

For the publication's cycle: its leaderboard, every agency it ranks, the block's trends
(history), the province's comparison of that year (the year's index), each with its
.csv/.xlsx/.json twin; the pages that list it (the province page, the national page and
the home page); the embeds of the leaderboard and agencies. Each in every language of the
site (the language cookie picks it, as a reader's switch does).

Each URL is requested through Django's whole stack as an anonymous reader, so what is
stored is exactly what a reader's first request would have stored (`page_cache.cached_page`
keys and stores it); a URL that answers anything but 200 is counted, not stored. The feeds
and the API have no server-side page cache, so there is nothing of theirs to fill.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import validate_host
from django.test import Client
from django.urls import reverse

from agencies.models import NATIONAL_SLUG, Province
from rankings.models import Publication
from rankings.public import page_cache

FORMATS = ("csv", "xlsx", "json")


def publication_urls(publication: Publication) -> list[str]:
    """Every public URL that shows `publication`, once each, pages that list it last."""
    cycle = publication.cycle
    province, year, block = cycle.province.slug, cycle.year, cycle.block.slug
    urls: list[str] = []

    def page(name: str, *args, twins: str | None = None) -> None:
        urls.append(reverse(name, args=args))
        if twins:
            urls.extend(reverse(twins, args=(*args, fmt)) for fmt in FORMATS)

    page("leaderboard", province, year, block, twins="leaderboard-export")
    slugs = publication.results.order_by("agency__name").values_list("agency__slug", flat=True)
    for slug in slugs:
        page("agency", province, slug, twins="agency-export")
    page("trends", province, block, twins="trends-export")
    page("compare", province, year, twins="compare-export")
    page("province", province)
    if province != NATIONAL_SLUG and Province.objects.filter(slug=NATIONAL_SLUG).exists():
        page("national")
    page("home")
    for language, _name in settings.LANGUAGES:
        if language not in ("vi", "en"):
            continue
        urls.append(reverse("embed-leaderboard", args=(language, province, year, block)))
        urls.extend(reverse("embed-agency", args=(language, province, slug)) for slug in slugs)
    return list(dict.fromkeys(urls))


def publication_warm(
    publication: Publication, progress: Callable[[str, int, int], None]
) -> dict[str, object]:
    """Render every URL of `publication_urls` in every language into the page cache."""
    if settings.PAGE_CACHE_SECONDS <= 0:
        return {"pages": 0, "stored": 0, "failed": [], "skipped": "PAGE_CACHE_SECONDS=0"}
    page_cache.forget_generation()  # this process may remember the generation before it
    requests = list(_requests(publication_urls(publication)))
    client = Client(raise_request_exception=False, HTTP_HOST=_host())
    secure = settings.SITE_URL.startswith("https://")
    stored, failed = 0, list[str]()
    progress("render", 0, len(requests))
    for done, (language, url) in enumerate(requests, start=1):
        client.cookies.clear()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.get(url, secure=secure)
        if response.status_code == 200:
            stored += 1
        elif len(failed) < 20:
            failed.append(f"{response.status_code} {url} ({language})")
        progress("render", done, len(requests))
    return {"pages": len(requests), "stored": stored, "failed": failed}


def _requests(urls: list[str]) -> Iterator[tuple[str, str]]:
    languages = [code for code, _name in settings.LANGUAGES]
    for url in urls:
        if url.startswith("/nhung/"):  # an embed's language is in its path
            yield url.split("/")[2], url
        else:
            yield from ((language, url) for language in languages)


def _host() -> str:
    """The Host header: SITE_URL's when the site accepts it, else the first it accepts."""
    host = urlsplit(settings.SITE_URL).netloc
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    if not validate_host(host.rsplit(":", 1)[0] if "]" not in host else host, allowed):
        host = next((h.lstrip(".") for h in allowed if h != "*"), "localhost")
    return host
