"""Is the site up, and can it reach its database? `/healthz`, and the 503 page when not.

Both ask the database one `SELECT 1` and touch neither the session nor the user, so they
answer whatever state the database is in.
"""

import logging

from django.db import Error, connection
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
UNAVAILABLE_MESSAGE = (
    "Hệ thống tạm thời không truy cập được cơ sở dữ liệu; vui lòng thử lại sau ít phút. "
    "The database is temporarily unreachable; please try again in a few minutes."
)


def database_ok() -> bool:
    """True when the default database answers `SELECT 1` now."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Error as error:
        detail = " ".join(str(error).split())  # psycopg's messages span lines
        logger.warning("database unreachable: %s: %s", type(error).__name__, detail)
        return False
    return True


@never_cache
@require_safe
def healthz(request):
    """`{"status": "ok", "database": "ok"}`, or 503 with `"database": "unavailable"`."""
    if database_ok():
        return JsonResponse({"status": "ok", "database": "ok"})
    response = JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def unavailable_response(request) -> HttpResponse:
    """503 with Retry-After: the friendly page (templates/503.html), JSON under /api/.

    Rendered without the request, so no context processor reaches for the database.
    """
    if request.path.startswith("/api/"):
        body = {"error": {"code": "unavailable", "message": UNAVAILABLE_MESSAGE, "fields": {}}}
        response: HttpResponse = JsonResponse(body, status=503)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response
