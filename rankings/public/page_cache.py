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
new revision shows at once and a 304 is cheap) and `Vary: Cookie, Accept-Encoding`. Each
worker keeps the pages it served last (`RecentPages`, 32 MB, `LOCAL_SECONDS`) in front of
the shared cache, so a hit on a hot page neither unpickles nor crosses a socket.

A miss is rendered once however many readers ask at the same moment (`_render_once`: a
lock in the cache, the others wait for the page), and a publication renders its pages
ahead of the readers (rankings.jobs.warming).

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
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

from rankings.models import Publication

logger = logging.getLogger(__name__)

GENERATION_SECONDS = 5  # how long a worker may serve the previous revision after a publish
LOCAL_SECONDS = 10  # how long a worker keeps a page it read from the shared cache
LOCAL_BYTES = 32 * 1024 * 1024  # and how many bytes of them, least recently served dropped
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
KEPT_HEADERS = ("Content-Type", "Content-Disposition")  # all a public view sets itself
# The query parameters public pages read (rankings.filters.ResultFilter, the home page's
# search, the comparison's agencies, the embedded leaderboard's size); any other sends the
# reader to the URL without it.
QUERY_PARAMS = frozenset({"q", "band", "ordering", "agency", "n"})
CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH", "HTTP_IF_MODIFIED_SINCE")
# Single flight on a miss (`_render_once`): how long a render may hold a page's lock, how
# long the others wait for it at most, and how often they look.
FLIGHT_LOCK_SECONDS = 30
FLIGHT_WAIT_SECONDS = 5.0
FLIGHT_POLL_SECONDS = 0.02

_generation: tuple[str, float] | None = None  # (generation, monotonic time it expires)


@dataclass(frozen=True, slots=True)
class StoredPage:
    """A rendered 200: its body (gzip-compressed when `gzipped`), the headers it is sent
    with, those of the decompressed body for clients without gzip, and when it expires.

    The headers are made once, here: a hit only picks a body and its headers."""

    body: bytes
    gzipped: bool
    headers: dict[str, str]
    plain_headers: dict[str, str]
    expires: float  # time.time()

    @classmethod
    def of(cls, response: HttpResponse, *, seconds: int) -> "StoredPage":
        body = response.content
        packed = gzip.compress(body, compresslevel=6, mtime=0)
        gzipped = len(packed) < len(body) * 0.9  # .xlsx files are zip archives already
        digest = hashlib.blake2b(body, digest_size=16).hexdigest()
        own = {name: response[name] for name in KEPT_HEADERS if name in response}
        vary = "Cookie, Accept-Encoding" if gzipped else "Cookie"
        # A strong ETag names one sequence of bytes: the compressed body has its own.
        plain = {**own, "ETag": f'"{digest}"', "Cache-Control": "no-cache", "Vary": vary}
        headers = {**plain, "ETag": f'"{digest}-gzip"', "Content-Encoding": "gzip"}
        expires = time.time() + seconds
        return cls(
            packed if gzipped else body, gzipped, headers if gzipped else plain, plain, expires
        )

    def respond(self, request) -> HttpResponse:
        """This page for `request`: compressed if it accepts gzip, 304 if it has it."""
        if self.gzipped and not ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            response = HttpResponse(gzip.decompress(self.body), headers=self.plain_headers)
        else:
            response = HttpResponse(self.body, headers=self.headers)
        if any(name in request.META for name in CONDITIONAL):
            return get_conditional_response(request, etag=response["ETag"], response=response)  # type: ignore[return-value]  # given a response it returns one, never None
        return response


class RecentPages:
    """This worker's most recently served pages, in front of the shared cache: a hit then
    unpickles nothing and crosses no socket. A page is kept `LOCAL_SECONDS` at most (never
    past its expiry), so emptying the shared cache reaches every worker within that."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.pages: OrderedDict[str, tuple[StoredPage, float]] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key: str) -> StoredPage | None:
        with self.lock:
            found = self.pages.get(key)
            if found is None:
                return None
            if found[1] <= time.time():
                self._drop(key)
                return None
            self.pages.move_to_end(key)
            return found[0]

    def put(self, key: str, page: StoredPage) -> None:
        until = min(time.time() + LOCAL_SECONDS, page.expires)
        with self.lock:
            if key in self.pages:
                self._drop(key)
            self.pages[key] = (page, until)
            self.size += len(page.body)
            while self.size > self.budget:
                self._drop(next(iter(self.pages)))

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()
            self.size = 0

    def _drop(self, key: str) -> None:
        self.size -= len(self.pages.pop(key)[0].body)


_recent = RecentPages(LOCAL_BYTES)


def cached_page(view):
    """Serve `view` from the page cache to anonymous readers; see the module docstring."""

    name = f"{view.__module__}.{view.__qualname__}"

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method in ("GET", "HEAD") and (canonical := _canonical_url(request)):
            return HttpResponsePermanentRedirect(canonical)
        if not _anonymous_read(request):
            response = view(request, *args, **kwargs)
            patch_vary_headers(response, ("Cookie",))
            if request.user.is_authenticated:
                patch_cache_control(response, private=True)
            return response
        key = page_key(request, view=name)
        page = _read(key)
        if page is None:
            page, response = _render_once(key, lambda: view(request, *args, **kwargs), request)
            if page is None:
                return response
        return page.respond(request)

    return wrapper


def _render_once(key: str, render, request) -> tuple[StoredPage | None, HttpResponse | None]:
    """A miss, rendered by one request while the others wait for it (single flight).

    The first to miss takes `lock:<key>` (`cache.add`: one winner across workers, expiring
    after `FLIGHT_LOCK_SECONDS` should its worker die), renders and stores the page. The
    others poll the cache every `FLIGHT_POLL_SECONDS` and serve the stored page when it
    appears; when the lock is gone without a page (the render was not storable: a 404, a
    cookie) or after `FLIGHT_WAIT_SECONDS`, they render for themselves.
    (page, None) when there is a page to serve, (None, response) for a response to send."""
    lock = f"lock:{key}"
    try:
        leader = cache.add(lock, 1, FLIGHT_LOCK_SECONDS)
    except Exception:  # a cache that fails costs a render, never the page
        logger.warning("page cache lock failed", exc_info=True)
        leader = True
    if not leader:
        deadline = time.monotonic() + FLIGHT_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(FLIGHT_POLL_SECONDS)
            page = _read(key)
            if page is not None:
                return page, None
            if cache.get(lock) is None:
                break
    try:
        response = render()
        if not _storable(request, response):
            return None, response
        page = StoredPage.of(response, seconds=settings.PAGE_CACHE_SECONDS)
        _write(key, page)
        return page, None
    finally:
        if leader:
            _unlock(lock)


def _unlock(lock: str) -> None:
    try:
        cache.delete(lock)
    except Exception:
        logger.warning("page cache unlock failed", exc_info=True)


def _canonical_url(request) -> str | None:
    """The URL without the query parameters no public page reads, when it has any.

    Keys hold every parameter a page reads, so `?nocache=N` would otherwise be a new entry
    and a render each time; it is sent to the page it names instead (a 301, no render)."""
    if not request.META.get("QUERY_STRING"):
        return None
    kept = [(name, values) for name, values in request.GET.lists() if name in QUERY_PARAMS]
    if len(kept) == len(request.GET):
        return None
    query = urlencode(kept, doseq=True)
    return f"{request.path}?{query}" if query else request.path


def page_key(request, *, view: str) -> str:
    query = request.META.get("QUERY_STRING", "")
    if query:
        # Sorted by name (each name's values keep their order: compare's agencies are
        # columns), `?q=a&band=b` and `?band=b&q=a` share an entry. The format is in the path.
        query = urlencode(sorted(request.GET.lists()), doseq=True)
    material = f"{view}\n{request.path}\n{query}\n{get_language()}".encode()
    return f"page:{generation()}:{hashlib.blake2b(material, digest_size=16).hexdigest()}"


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


def clear() -> None:
    """Empty the cache (all of the default cache) and this worker's recent pages; other
    workers drop theirs within `LOCAL_SECONDS`."""
    cache.clear()
    _recent.clear()
    forget_generation()


def connect_signals() -> None:
    for signal in (post_save, post_delete):
        signal.connect(_publication_changed, sender=Publication, dispatch_uid=__name__)


def _publication_changed(**_signal) -> None:
    """Forget the generation now, so this thread sees its own publication, and again on
    commit, in case another thread read the old one in between."""
    forget_generation()
    transaction.on_commit(forget_generation)


def _anonymous_read(request) -> bool:
    if settings.PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME not in cookies and CookieStorage.cookie_name not in cookies:
        return True  # no session and no message cookie: nobody signed in, nothing to show
    return not request.user.is_authenticated and not _has_messages(request)


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
    page = _recent.get(key)
    if page is not None:
        return page
    try:
        page = cache.get(key)
    except Exception:  # a cache that fails costs a render, never the page
        logger.warning("page cache read failed", exc_info=True)
        return None
    if page is not None:
        _recent.put(key, page)
    return page


def _write(key: str, page: StoredPage) -> None:
    _recent.put(key, page)
    try:
        cache.set(key, page, settings.PAGE_CACHE_SECONDS)
    except Exception:
        logger.warning("page cache write failed", exc_info=True)
