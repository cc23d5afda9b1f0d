"""Refuse what no view needs before anything reads it: odd methods, and oversized bodies.

- TRACE, CONNECT and any method the site never serves get 405 (before: TRACE on a public
  page rendered and returned the whole page).
- OPTIONS outside `/api/` gets an empty 204 with `Allow` (before: the whole page, uncached);
  under `/api/` DRF and django-cors-headers answer it, as briefly.
- A body whose `Content-Length` is over the limit of its path gets 413 before a byte of
  it is read: `REQUEST_BODY_MAX_BYTES` in general (forms, JSON), `UPLOAD_BODY_MAX_BYTES`
  where files are sent (staff pages under /quan-ly/, the API's cycle operations, the admin).
  nginx enforces the same two limits (deploy/nginx.conf); this holds without it.
"""

from django.conf import settings
from django.http import HttpResponse, JsonResponse

SERVED_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
PAGE_METHODS = "GET, HEAD, POST, OPTIONS"  # all the site's pages use; the API says its own
UPLOAD_PREFIXES = ("/quan-ly/", "/api/v1/cycles/", "/admin/")

TOO_LARGE = (
    "Nội dung gửi lên vượt quá giới hạn %(mb)s MB. "
    "The request body is larger than the %(mb)s MB limit."
)


def body_limit(path: str) -> int:
    if path.startswith(UPLOAD_PREFIXES):
        return settings.UPLOAD_BODY_MAX_BYTES
    return settings.REQUEST_BODY_MAX_BYTES


class RequestLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        method = request.method
        if method not in SERVED_METHODS:
            response = HttpResponse(status=405)
            response["Allow"] = PAGE_METHODS
            return response
        if method == "OPTIONS" and not request.path.startswith("/api/"):
            response = HttpResponse(status=204)
            response["Allow"] = PAGE_METHODS
            return response
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse("Content-Length không hợp lệ.", status=400)
        limit = body_limit(request.path)
        if length > limit:
            return too_large(request, limit)
        return self.get_response(request)


def too_large(request, limit: int) -> HttpResponse:
    message = TOO_LARGE % {"mb": f"{limit / 2**20:g}"}
    if request.path.startswith("/api/"):
        body = {"error": {"code": "too_large", "message": message, "fields": {}}}
        response: HttpResponse = JsonResponse(body, status=413)
    else:
        response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
    return response
