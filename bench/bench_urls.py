"""The product's URLs plus the benchmarks' baselines, used only by bench/ (never deployed).

`/bench/trivial/` is the floor a page is measured against: the same middleware stack, a
view that does nothing. `/bench/cached/<key>/` answers a body stored in Django's cache,
which is what a page cached by publication revision would cost per request.
"""

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.urls import include, path


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


def cached(request, key: str):
    body = cache.get(f"bench-page:{key}")
    if body is None:
        raise Http404
    return HttpResponse(body, content_type="text/html; charset=utf-8")


urlpatterns = [
    path("bench/trivial/", trivial),
    path("bench/cached/<str:key>/", cached),
    path("", include("config.urls")),
]
