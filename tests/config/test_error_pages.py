"""Error pages say what happened, why and what to do next, in both languages, styled."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory

from config import errors
from rankings.models import Membership, Role

pytestmark = pytest.mark.django_db


def member(client, world, role, name):
    user = get_user_model().objects.create_user(name, "", "x")
    Membership.objects.create(user=user, role=role, province=world.province)
    client.force_login(user)
    return user


def test_unknown_address_gets_the_styled_404_with_a_search_and_english_below(client, world):
    response = client.get("/khong-co-trang-nay/2020/huyen/")
    page = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="vi">' in page and "/static/css/site.css" in page
    assert "<h1>Không tìm thấy trang</h1>" in page
    assert 'action="/" role="search"' in page and 'name="q"' in page
    # The other language follows, marked as such, for a visitor who set the wrong one.
    assert '<section class="error-other" lang="en"' in page and "Page not found" in page
    assert "matches the given query" not in page  # get_object_or_404's English internals


def test_a_views_own_404_reason_is_shown(client, world):
    page = client.get("/mau/1999/districts/").content.decode()
    assert "Lý do:</strong> Chưa có kết quả xếp hạng được công bố." in page


def test_english_mode_puts_english_first(client, world):
    client.cookies["django_language"] = "en"
    page = client.get("/khong-co-trang-nay/").content.decode()
    assert '<html lang="en">' in page and "<h1>Page not found</h1>" in page
    assert '<section class="error-other" lang="vi"' in page and "Không tìm thấy trang" in page


def test_council_member_is_refused_opening_a_cycle_with_reason_and_way_back(client, world):
    member(client, world, Role.REVIEWER, "council-403")
    response = client.get("/quan-ly/mau/mo-ky/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Không có quyền truy cập</h1>" in page
    assert "liên hệ cán bộ quản trị" in page
    assert 'href="/quan-ly/"' in page and "Về trang công việc của tôi" in page
    assert "Forbidden" not in page


def test_expired_form_says_reload_not_csrf(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/tai-khoan/login/", {"username": "a", "password": "b"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "Phiên biểu mẫu đã hết hạn" in page and "chưa có gì được lưu" in page
    assert "CSRF" not in page


def test_server_error_page_needs_no_database_and_gives_the_request_id(django_assert_num_queries):
    request = RequestFactory().get("/bat-ky/")
    request.request_id = "abc123"
    with django_assert_num_queries(0):
        response = errors.server_error(request)
    page = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Lỗi máy chủ</h1>" in page and "<code>abc123</code>" in page
    assert "Server error" in page


def test_error_pages_render_without_a_static_manifest(settings, tmp_path):
    # A deploy whose collectstatic did not run: every page's {% static %} fails, and the
    # error page must still answer with its own status (not gunicorn's bare 500).
    from django.contrib.staticfiles.storage import staticfiles_storage

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        staticfiles_storage.url("css/site.css")  # what every other page now raises
    page = errors.csrf_failure(RequestFactory().post("/tai-khoan/login/")).content.decode()
    assert 'href="/static/css/site.css"' in page and 'href="/static/favicon.svg"' in page
    assert "Phiên biểu mẫu đã hết hạn" in page


def test_too_many_requests_page_says_when_to_retry():
    response = errors.render_error(RequestFactory().get("/"), 429, retry_after=30)
    page = response.content.decode()
    assert response.status_code == 429 and response["Retry-After"] == "30"
    assert "Quá nhiều yêu cầu" in page and "Thử lại sau 30 giây." in page


def test_success_and_error_messages_look_different(client, world):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.template.loader import render_to_string

    request = RequestFactory().get("/")
    request.session = {}
    storage = FallbackStorage(request)
    storage.add(constants.SUCCESS, "Đã lưu 3 tiêu chí.")
    storage.add(constants.ERROR, "Không thể chuyển từ trạng thái hiện tại.")
    request._messages = storage
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    page = render_to_string("base.html", {"messages": storage}, request=request)
    assert '<li class="notice msg-success">' in page and '<li class="notice msg-error">' in page
    assert "Thành công:" in page and "Lỗi:" in page


def test_favicon_is_served_at_the_root_and_linked(client, world):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert 'rel="icon" href="/static/favicon.svg"' in client.get("/").content.decode()
