"""Requests no view needs are refused cheaply: TRACE, bodies over their path's limit, and
query strings that would make the page cache render again."""

import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rankings.public import page_cache

pytestmark = pytest.mark.django_db

LEADERBOARD = "/mau/2021/districts/"
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    page_cache.clear()
    yield
    page_cache.clear()


@pytest.mark.parametrize("method", ["TRACE", "TRACK", "CONNECT", "PROPFIND"])
def test_trace_and_unknown_methods_get_405_without_the_page(client, world, method):
    # Before: TRACE / answered 200 with the whole rendered page.
    response = client.generic(method, LEADERBOARD)
    assert response.status_code == 405
    assert response.content == b""
    assert response["Allow"] == "GET, HEAD, POST, OPTIONS"


def test_options_on_a_page_is_an_empty_204(client, world):
    with CaptureQueriesContext(connection) as queries:
        response = client.options(LEADERBOARD)
    assert response.status_code == 204 and response.content == b""
    assert response["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert len(queries) == 0  # nothing rendered, nothing read


def test_options_on_the_api_is_drf_s_short_answer(client, world):
    response = client.options("/api/v1/blocks/")
    assert response.status_code == 200
    assert len(response.content) < 1000
    assert "GET" in response["Allow"] and "TRACE" not in response["Allow"]


def test_a_large_anonymous_post_is_refused_before_it_is_read(client, world):
    # Before: a 50 MB POST to the language switch was read and parsed.
    body = b"language=en&" + b"x" * (2 * MB)
    response = client.generic(
        "POST", "/i18n/setlang/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "vượt quá giới hạn 1 MB" in response.content.decode()
    assert "django_language" not in response.cookies


def test_the_content_length_alone_decides(rf, world):
    # A client announcing 50 MB is refused before one byte of the body is read.
    from config.request_limits import RequestLimitsMiddleware

    read = []
    request = rf.post("/i18n/setlang/", data=b"", content_type="text/plain")
    request.META["CONTENT_LENGTH"] = str(50 * MB)
    request._stream.read = lambda *a: read.append(a) or b""
    response = RequestLimitsMiddleware(lambda r: pytest.fail("the view ran"))(request)
    assert response.status_code == 413 and read == []
    request.META["CONTENT_LENGTH"] = "fifty"
    assert RequestLimitsMiddleware(lambda r: None)(request).status_code == 400


def test_upload_paths_take_files_up_to_their_limit(client, world):
    three_mb = b"x" * (3 * MB)
    staff_page = client.generic("POST", "/quan-ly/mau/2021/districts/nhap-lieu/", three_mb)
    assert staff_page.status_code == 302  # past the limit: the login redirect
    api = client.generic("POST", "/api/v1/cycles/mau/2021/districts/imports/", three_mb)
    assert api.status_code == 401
    over = client.generic("POST", "/api/v1/cycles/mau/2021/districts/imports/", b"x" * 12 * MB)
    assert over.status_code == 413
    body = json.loads(over.content)
    assert body["error"]["code"] == "too_large" and "11 MB" in body["error"]["message"]
    assert client.generic("POST", "/api/v1/blocks/", three_mb).status_code == 413


def test_unknown_query_parameters_redirect_to_the_page_they_name(client, world):
    response = client.get(LEADERBOARD + "?nocache=1")
    assert response.status_code == 301 and response["Location"] == LEADERBOARD
    kept = client.get(LEADERBOARD + "?band=Khá&nocache=2&ordering=-name")
    assert kept.status_code == 301
    assert kept["Location"] == LEADERBOARD + "?band=Kh%C3%A1&ordering=-name"
    export = client.get("/mau/2020/so-sanh.json?agency=an&x=1&agency=cat")
    assert export["Location"] == "/mau/2020/so-sanh.json?agency=an&agency=cat"


def test_random_query_strings_cost_no_render(client, world):
    assert client.get(LEADERBOARD).status_code == 200  # rendered once, now stored
    with CaptureQueriesContext(connection) as queries:
        for n in range(20):
            assert client.get(f"{LEADERBOARD}?nocache={n}").status_code == 301
            assert client.get(LEADERBOARD).status_code == 200
    # Before: each `?nocache=N` was a new cache entry, a 100 ms render and its queries.
    assert len(queries) == 0


def test_the_parameters_a_page_reads_are_still_served(client, world):
    response = client.get(LEADERBOARD + "?band=Khá&ordering=-name&q=an")
    assert response.status_code == 200
    assert client.get("/?q=cat").status_code == 200
