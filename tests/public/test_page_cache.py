"""The page cache (rankings.public.page_cache) on the named world of tests/world.py.

Anonymous readers get a stored page: the same bytes, no query, a strong ETag, 304 when they
have it, gzip when they accept it. A new publication is a new page; signed-in users, pending
messages and anything but a 200 never touch the cache; the pages hold no CSRF token.
"""

import datetime
import gzip
import io
import time
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from rankings.cycles import services
from rankings.models import Membership, Publication, Role, Score
from rankings.public import page_cache

pytestmark = pytest.mark.django_db

LEADERBOARD = "/mau/2021/districts/"
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
PUBLIC_PAGES = [
    "/",
    "/?q=cat",
    "/mau/",
    "/mau/2020/districts/",
    "/mau/2021/districts/?band=Khá&ordering=-name",
    "/mau/don-vi/an/",
    "/mau/xu-huong/districts/",
    "/mau/2020/so-sanh/?agency=an&agency=cat",
    "/phuong-phap/",
    "/phuong-phap/mau-huyen-2020/",
]
EXPORTS = [
    "/mau/2021/districts.csv",
    "/mau/2021/districts.xlsx",
    "/mau/2021/districts.json",
    "/mau/don-vi/an.xlsx",
    "/mau/xu-huong/districts.csv",
    "/mau/2020/so-sanh.json?agency=an&agency=cat",
    "/phuong-phap/mau-huyen-2020.csv",
]


def staff(world, client) -> None:
    user = get_user_model().objects.create_user("can-bo", "", "x")
    Membership.objects.create(user=user, role=Role.EDITOR, province=world.province)
    client.force_login(user)


def uncached(settings, client, url: str, **headers) -> HttpResponse:
    settings.PAGE_CACHE_SECONDS = 0
    try:
        return client.get(url, **headers)
    finally:
        settings.PAGE_CACHE_SECONDS = 300


def correct_cat_2021() -> None:
    """A correction of the 2021 districts: Cát's 2.1 from 12.5 to 20 (total 27.5)."""
    Score.objects.filter(
        cycle__year=2021, agency__slug="cat", criterion__code="2.1", cycle__block__slug="districts"
    ).update(value=Decimal("20"))
    cycle = Score.objects.filter(agency__slug="cat", cycle__year=2021).first().cycle
    services.cycle_publish(
        cycle=cycle,
        decision_number="250/QĐ-UBND",
        decision_date=datetime.date(2022, 8, 1),
        reason="Cát bổ sung minh chứng tiêu chí 2.1",
    )


@pytest.mark.parametrize("url", PUBLIC_PAGES + EXPORTS)
def test_a_hit_is_the_same_bytes_without_a_query(client, world, django_assert_num_queries, url):
    first = client.get(url)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.status_code == 200
    assert second.content == first.content and second["ETag"] == first["ETag"]
    # Middleware still runs on a hit: its own request id, the site's policy.
    assert second["X-Request-ID"] != first["X-Request-ID"]
    assert "default-src 'self'" in second["Content-Security-Policy"]


@pytest.mark.parametrize("url", PUBLIC_PAGES + [u for u in EXPORTS if not u.endswith(".xlsx")])
def test_the_cached_page_is_what_a_render_gives(client, world, settings, url):
    """Nothing per request (a token, a nonce, a request id) is frozen into a stored body.
    (An .xlsx file holds the time it was written: its rows are compared below.)"""
    client.get(url)
    assert client.get(url).content == uncached(settings, client, url).content


def test_if_none_match_answers_304(client, world):
    etag = client.get(LEADERBOARD)["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    response = client.get(LEADERBOARD, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response.content == b""
    assert response["ETag"] == etag and "no-cache" in response["Cache-Control"]
    assert client.get(LEADERBOARD, HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_a_correction_is_served_at_once(client, world):
    before = client.get(LEADERBOARD)
    assert "250/QĐ-UBND" not in before.content.decode()
    correct_cat_2021()
    after = client.get(LEADERBOARD)
    assert "250/QĐ-UBND" in after.content.decode() and "27,500" in after.content.decode()
    assert after["ETag"] != before["ETag"]
    assert client.get(LEADERBOARD, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 200
    assert "27.500" in client.get("/mau/2021/districts.csv").content.decode()


def test_the_generation_is_read_from_the_database_every_few_seconds(world, monkeypatch):
    """Another worker's publication (no signal here) is seen once the memo expires."""
    seen = page_cache.generation()
    assert page_cache.generation() == seen
    latest = Publication.objects.order_by("pk").last()
    Publication.objects.bulk_create([Publication(cycle=latest.cycle, **_fields(latest))])
    assert page_cache.generation() == seen  # memoised: no query on a hit
    later = page_cache.time.monotonic() + page_cache.GENERATION_SECONDS
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: later)
    assert page_cache.generation() != seen


def _fields(publication) -> dict:
    return {
        "revision": publication.revision + 1,
        "decision_number": "999/QĐ-UBND",
        "decision_date": publication.decision_date,
        "published_at": publication.published_at,
        "reason": "Đính chính",
    }


def test_a_signed_in_user_neither_gets_nor_fills_the_cache(client, world):
    anonymous = Client()
    stored = anonymous.get(LEADERBOARD)
    staff(world, client)
    mine = client.get(LEADERBOARD)
    html = mine.content.decode()
    assert "Đăng xuất" in html and "csrfmiddlewaretoken" in html  # the logout form
    assert "ETag" not in mine and "private" in mine["Cache-Control"]
    assert mine.content != stored.content
    page_cache.clear()
    client.get(LEADERBOARD)  # the signed-in page first: it must not be stored
    assert "Đăng xuất" not in anonymous.get(LEADERBOARD).content.decode()


def test_pending_messages_are_shown_and_not_stored(world):
    reader = Client()
    reader.get(LEADERBOARD)  # stored
    storage = CookieStorage(HttpRequest())
    storage.add(constants.INFO, "Phiên làm việc đã kết thúc")
    carrier = HttpResponse()
    storage.update(carrier)
    reader.cookies["messages"] = carrier.cookies["messages"].value
    assert "Phiên làm việc đã kết thúc" in reader.get(LEADERBOARD).content.decode()
    assert "Phiên làm việc đã kết thúc" not in Client().get(LEADERBOARD).content.decode()


def test_the_query_string_is_part_of_the_key(client, world, django_assert_num_queries):
    assert "UBND huyện An" not in table(client.get(LEADERBOARD + "?q=cat"))
    assert "UBND huyện An" in table(client.get(LEADERBOARD + "?q=an"))
    client.get(LEADERBOARD + "?band=Khá&ordering=-name")
    with django_assert_num_queries(0):  # the same query, its names in another order
        client.get(LEADERBOARD + "?ordering=-name&band=Khá")


def table(response) -> str:
    html = response.content.decode()
    return html[html.index('<table id="leaderboard">') :]


def test_english_and_vietnamese_are_kept_apart(client, world):
    assert '<html lang="vi">' in client.get(LEADERBOARD).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(LEADERBOARD).content.decode()
    assert '<html lang="en">' in english and "33.000" in english  # Bình's total
    vietnamese = Client().get(LEADERBOARD).content.decode()
    assert '<html lang="vi">' in vietnamese and "33,000" in vietnamese


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_no_anonymous_public_page_holds_a_csrf_token(client, world, url):
    for _ in range(2):  # the render, then the stored page
        response = client.get(url)
        assert response.status_code == 200
        assert b"csrfmiddlewaretoken" not in response.content
        assert not response.cookies, response.cookies  # no csrftoken, no session


def test_the_language_switch_posts_without_a_token(world):
    browser = Client(enforce_csrf_checks=True)
    browser.get(LEADERBOARD)
    response = browser.post("/i18n/setlang/", {"language": "en", "next": LEADERBOARD})
    assert response.status_code == 302 and response["Location"] == LEADERBOARD
    assert response.cookies["django_language"].value == "en"
    assert '<html lang="en">' in browser.get(LEADERBOARD).content.decode()


def test_gzip_and_plain_clients_both_get_the_page(client, world, settings):
    packed = client.get(LEADERBOARD, **GZIP)
    plain = client.get(LEADERBOARD)
    assert packed["Content-Encoding"] == "gzip" and not plain.has_header("Content-Encoding")
    assert gzip.decompress(packed.content) == plain.content
    assert plain.content == uncached(settings, client, LEADERBOARD).content
    assert len(packed.content) < len(plain.content) / 2
    assert packed["ETag"] != plain["ETag"]  # strong: one per sequence of bytes
    for response in (packed, plain):
        vary = {v.strip() for v in response["Vary"].split(",")}
        assert {"Cookie", "Accept-Encoding"} <= vary
        assert int(response["Content-Length"]) == len(response.content)
    etag = packed["ETag"]
    assert client.get(LEADERBOARD, HTTP_IF_NONE_MATCH=etag, **GZIP).status_code == 304


@pytest.mark.parametrize(
    ("url", "content_type", "encoded"),
    [
        ("/mau/2021/districts.csv", "text/csv; charset=utf-8", True),
        ("/mau/2021/districts.json", "application/json", True),
        (
            "/mau/2021/districts.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            False,  # a zip archive already: stored and sent as it is
        ),
    ],
)
def test_exports_keep_their_headers(client, world, settings, url, content_type, encoded):
    fresh = uncached(settings, client, url)
    client.get(url, **GZIP)
    hit = client.get(url, **GZIP)
    assert hit["Content-Type"].startswith(content_type)
    assert hit.get("Content-Disposition") == fresh.get("Content-Disposition")
    if not url.endswith(".json"):
        assert hit["Content-Disposition"].startswith('attachment; filename="mau-2021-districts.')
    assert (hit.get("Content-Encoding") == "gzip") is encoded
    body = gzip.decompress(hit.content) if encoded else hit.content
    assert rows(body, url) == rows(fresh.content, url)


def rows(body: bytes, url: str) -> object:
    if url.endswith(".xlsx"):
        return list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
    return body


def test_head_is_answered_from_the_cache(client, world, django_assert_num_queries):
    full = client.get(LEADERBOARD, **GZIP)
    with django_assert_num_queries(0):
        head = client.head(LEADERBOARD, **GZIP)
    assert head.status_code == 200 and head.content == b""
    assert head["ETag"] == full["ETag"] and head["Content-Length"] == full["Content-Length"]


def recorded_writes(monkeypatch) -> list[str]:
    written, write = [], page_cache._write

    def record(key, page):
        written.append(key)
        write(key, page)

    monkeypatch.setattr(page_cache, "_write", record)
    return written


def test_only_plain_200s_are_stored(client, world, monkeypatch):
    written = recorded_writes(monkeypatch)
    assert client.get("/mau/1999/districts/").status_code == 404
    assert client.get("/mau/2020/so-sanh/?agency=an&agency=so-mot").status_code == 400
    assert client.get("/quan-ly/mau/2021/districts/ban-nhap/").status_code == 302
    staff(world, client)
    services.cycle_recompute(cycle=world.cycle_2021)
    draft = client.get("/quan-ly/mau/2021/districts/ban-nhap/")
    assert draft.status_code == 200 and "BẢN NHÁP" in draft.content.decode()
    assert client.get(LEADERBOARD).status_code == 200  # signed in
    assert written == []
    assert Client().get(LEADERBOARD).status_code == 200
    assert len(written) == 1 and cache.get(written[0]) is not None


def test_a_failing_cache_costs_a_render_not_the_page(client, world, monkeypatch):
    class Down:
        def get(self, *args, **kwargs):
            raise ConnectionError("cache server down")

        set = get

    monkeypatch.setattr(page_cache, "cache", Down())
    response = client.get(LEADERBOARD)
    assert response.status_code == 200 and "200/QĐ-UBND" in response.content.decode()


def test_a_worker_keeps_a_page_it_served_only_a_few_seconds(client, world, monkeypatch):
    client.get(LEADERBOARD)
    cache.clear()  # the shared cache emptied, by hand or by its memory limit
    with CaptureQueriesContext(connection) as kept:
        assert client.get(LEADERBOARD).status_code == 200
    later = time.time() + page_cache.LOCAL_SECONDS + 1
    monkeypatch.setattr(page_cache.time, "time", lambda: later)
    with CaptureQueriesContext(connection) as rendered:
        assert client.get(LEADERBOARD).status_code == 200
    assert len(kept) == 0 and len(rendered) > 0


def test_recent_pages_drop_the_least_recently_served_beyond_their_budget():
    recent = page_cache.RecentPages(budget=25)

    def page(size: int) -> page_cache.StoredPage:
        return page_cache.StoredPage(b"x" * size, False, {}, {}, time.time() + 60)

    recent.put("a", page(10))
    recent.put("b", page(10))
    assert recent.get("a") is not None  # now served more recently than b
    recent.put("c", page(10))
    assert recent.get("b") is None and recent.get("a") and recent.get("c")
    assert recent.size == 20
    recent.put("d", page(10))
    assert recent.get("a") is None and recent.size == 20


def test_no_cache_when_the_ttl_is_zero(client, world, settings, monkeypatch):
    written = recorded_writes(monkeypatch)
    settings.PAGE_CACHE_SECONDS = 0
    client.get(LEADERBOARD)
    assert "ETag" not in client.get(LEADERBOARD) and written == []


def _redis_url() -> str | None:
    url = "redis://127.0.0.1:6379/12"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        return None
    return url


@pytest.mark.skipif(_redis_url() is None, reason="no Redis at 127.0.0.1:6379")
def test_redis_serves_the_same_page(client, world, django_assert_num_queries):
    backend = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": _redis_url(),
        "KEY_PREFIX": "egov-test-page-cache",
    }
    with override_settings(CACHES={"default": backend}):
        try:
            first = client.get(LEADERBOARD, **GZIP)
            page_cache._recent.clear()  # read it back from Redis
            with django_assert_num_queries(0):
                second = client.get(LEADERBOARD, **GZIP)
            assert second.content == first.content and second["Content-Encoding"] == "gzip"
            assert b"200/Q" in gzip.decompress(second.content)
        finally:
            cache.delete_pattern("page:*")
