"""`ETag`, `Last-Modified`, `Cache-Control` and 304 for the API.

Published data changes only when a publication (or a correction) is recorded, so its
validators come from the publications a response covers: one cheap aggregate, checked
before the ranking is built. Reference lists (provinces, blocks, agencies) hash their body.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Max, QuerySet
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

# Bump when a v1 payload gains fields, so cached bodies are not revalidated as current.
PAYLOAD_REVISION = "v1.2"  # v1.1: not_comparable_reason; v1.2: baseline year, gap, sizes


@dataclass(frozen=True)
class Version:
    etag: str
    last_modified: datetime | None


def published_version(publications: QuerySet, *, request) -> Version:
    """The version of a response built from `publications` (of any cycles, any revisions)."""
    seen = publications.aggregate(newest=Max("id"), count=Count("id"), at=Max("published_at"))
    at = seen["at"]
    key = "|".join(
        [
            PAYLOAD_REVISION,
            request.get_full_path(),
            translation.get_language() or "",  # messages and labels follow Accept-Language
            str(seen["newest"]),
            str(seen["count"]),
            at.isoformat() if at else "",
        ]
    )
    return Version(etag=_quote(key.encode()), last_modified=at)


def not_modified(request, version: Version):
    """A 304 when the client's `If-None-Match`/`If-Modified-Since` still holds, else None."""
    last_modified = int(version.last_modified.timestamp()) if version.last_modified else None
    return get_conditional_response(request, etag=version.etag, last_modified=last_modified)


def stamp(request, response, version: Version | None) -> None:
    """Add the caching headers to a successful GET/HEAD (200 or 304)."""
    patch_cache_control(response, public=True, max_age=settings.API_CACHE_MAX_AGE)
    if version is not None:
        response["ETag"] = version.etag
        if version.last_modified:
            response["Last-Modified"] = http_date(version.last_modified.timestamp())
    elif response.status_code == 200 and hasattr(response, "add_post_render_callback"):
        response.add_post_render_callback(lambda rendered: _content_etag(request, rendered))


def _content_etag(request, response):
    response["ETag"] = _quote(response.content)
    return get_conditional_response(request, etag=response["ETag"], response=response)


def _quote(data: bytes) -> str:
    return f'"{hashlib.sha256(data).hexdigest()[:32]}"'
