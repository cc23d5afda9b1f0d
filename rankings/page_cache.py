"""A response cache for the public pages, keyed by the publication generation.

Published results never change: a correction is a new `Publication` row. So an anonymous
GET or HEAD of a public page (and of its `.csv`/`.xlsx`/`.json` twin) is stored in the
default cache (Redis when `REDIS_URL` is set, local memory otherwise) under

    page:<generation>:<hash of view, path, query string sorted by name, language>

where the generation is the newest publication id and the number of publications, read
from the database, so that every gunicorn worker sees a new revision. It is memoised for
`GENERATION_SECONDS` so that a hit costs no query, and forgotten at once (and again on
commit) when a publication is saved or deleted in this process. A new publication is
therefore the only invalidation: every page moves to the new generation and the old
entries expire.

What a publication does not cover, an admin renaming an agency, province or block, fixing a
criterion's text or a publication's decision number in place, or a deploy that changes a
template, shows within `PAGE_CACHE_SECONDS` (the entries' time to live, 300 by default;
0 turns the cache off). That bound is chosen over signals on every model a page reads:
those rows change rarely and only by hand, and a missed signal would be stale forever.

Bodies are stored gzip-compressed when that makes them smaller, and sent compressed to
clients that accept gzip (a stored body is read, not decompressed and recompressed), with a
strong `ETag` per representation, `Cache-Control: no-cache` (revalidate each time, so a
new revision shows at once and a 304 is cheap) and `Vary: Cookie, Accept-Encoding`.

Only anonymous readers without pending messages are served from, or stored into, the
cache; a signed-in user's page (a logout form with a CSRF token, staff menus) is rendered
for them and marked `private`. Nothing is stored that is not a 200, sets a cookie, asks
for a CSRF cookie or changes the session. Per-request headers (`X-Request-ID`, CSP,
`Content-Length`) are added by middleware after the view, on hits too.
"""

import functools
import gzip
import hashlib
import logging
import re
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

from rankings.models import Publication

logger = logging.getLogger(__name__)

GENERATION_SECONDS = 5  # how long a worker may serve the previous revision after a publish
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
KEPT_HEADERS = ("Content-Type", "Content-Disposition")  # all a public view sets itself

_generation: tuple[str, float] | None = None  # (generation, monotonic time it expires)


@dataclass(frozen=True, slots=True)
class StoredPage:
    """A rendered 200: its body (gzip-compressed when `gzipped`), the view's own headers
    and the digest of the uncompressed body that its ETags are made of."""

    body: bytes
    gzipped: bool
    headers: tuple[tuple[str, str], ...]
    digest: str

    @classmethod
    def of(cls, response: HttpResponse) -> "StoredPage":
        body = response.content
        packed = gzip.compress(body, compresslevel=6, mtime=0)
        gzipped = len(packed) < len(body) * 0.9  # .xlsx files are zip archives already
        headers = tuple((name, response[name]) for name in KEPT_HEADERS if name in response)
        digest = hashlib.blake2b(body, digest_size=16).hexdigest()
        return cls(packed if gzipped else body, gzipped, headers, digest)

    def respond(self, request) -> HttpResponse:
        """This page for `request`: compressed if it accepts gzip, 304 if it has it."""
        send_gzip = self.gzipped and ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", ""))
        body = gzip.decompress(self.body) if self.gzipped and not send_gzip else self.body
        response = HttpResponse(body, headers=dict(self.headers))
        # A strong ETag names one sequence of bytes: the compressed body has its own.
        response["ETag"] = f'"{self.digest}-gzip"' if send_gzip else f'"{self.digest}"'
        if send_gzip:
            response["Content-Encoding"] = "gzip"
        patch_vary_headers(response, ("Cookie", "Accept-Encoding") if self.gzipped else ("Cookie",))
        patch_cache_control(response, no_cache=True)
        return get_conditional_response(request, etag=response["ETag"], response=response)


def cached_page(view):
    """Serve `view` from the page cache to anonymous readers; see the module docstring."""

    name = f"{view.__module__}.{view.__qualname__}"

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _anonymous_read(request):
            response = view(request, *args, **kwargs)
            patch_vary_headers(response, ("Cookie",))
            if request.user.is_authenticated:
                patch_cache_control(response, private=True)
            return response
        key = page_key(request, view=name)
        page = _read(key)
        if page is None:
            response = view(request, *args, **kwargs)
            if not _storable(request, response):
                return response
            page = StoredPage.of(response)
            _write(key, page)
        return page.respond(request)

    return wrapper


def page_key(request, *, view: str) -> str:
    # Sorting by name (each name's values keep their order: compare's agencies are
    # columns) gives `?q=a&band=b` and `?band=b&q=a` one entry; the format is in the path.
    query = urlencode(sorted(request.GET.lists()), doseq=True)
    material = "\n".join((view, request.path, query, get_language()))
    return f"page:{generation()}:{hashlib.sha256(material.encode()).hexdigest()[:32]}"


def generation() -> str:
    """The newest publication id and the publication count, memoised for a few seconds."""
    global _generation
    memo, now = _generation, time.monotonic()
    if memo is None or now >= memo[1]:
        seen = Publication.objects.aggregate(newest=Max("pk"), count=Count("pk"))
        memo = _generation = (f"{seen['newest'] or 0}.{seen['count']}", now + GENERATION_SECONDS)
    return memo[0]


def forget_generation() -> None:
    global _generation
    _generation = None


def connect_signals() -> None:
    for signal in (post_save, post_delete):
        signal.connect(_publication_changed, sender=Publication, dispatch_uid=__name__)


def _publication_changed(**_signal) -> None:
    """Forget the generation now, so this thread sees its own publication, and again on
    commit, in case another thread read the old one in between."""
    forget_generation()
    transaction.on_commit(forget_generation)


def _anonymous_read(request) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        and not _has_messages(request)
    )


def _storable(request, response) -> bool:
    """A plain 200 that leaves no state behind: no cookie, no CSRF token, no session write."""
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.modified)
        and not _has_messages(request)
    )


def _has_messages(request) -> bool:
    """Messages waiting to be shown (reading their number does not mark them seen)."""
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def _read(key: str) -> StoredPage | None:
    # A cache that fails costs a render, never the page.
    try:
        return cache.get(key)
    except Exception:
        logger.warning("page cache read failed", exc_info=True)
        return None


def _write(key: str, page: StoredPage) -> None:
    try:
        cache.set(key, page, settings.PAGE_CACHE_SECONDS)
    except Exception:
        logger.warning("page cache write failed", exc_info=True)
