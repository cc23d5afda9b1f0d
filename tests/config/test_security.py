"""Security: deployment checks, headers and CSP, sessions, login throttling, the database's
503 and /healthz, and the security log (on the named world of tests/world.py)."""

import json
import logging
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.backends.utils import CursorWrapper
from django.db.utils import OperationalError
from django.test import RequestFactory
from rest_framework.test import APIClient

from config.middleware import DatabaseUnavailableMiddleware, SessionTimeoutMiddleware
from rankings import security_log
from rankings.models import AssessmentCycle, CycleState, Membership, Role
from tests.imports.test_imports import INPUTS_2021, filled

ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/tai-khoan/login/"
PASSWORD = "Hoa-sen-2026-tháng-chín"  # must never reach a log line


def _production_env(**extra: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "xephang.example.vn",
        **extra,
    }


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.fixture
def security(caplog):
    """The `security` logger's records (it does not propagate to the root logger)."""
    logger = logging.getLogger("security")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="security")
    yield lambda: [(r.getMessage(), r.security) for r in caplog.records if r.name == "security"]
    logger.removeHandler(caplog.handler)


def member(world, role, *, agency=None, name=None):
    user = get_user_model().objects.create_user(name or f"u-{role}", "", PASSWORD)
    Membership.objects.create(user=user, role=role, province=world.province, agency=agency)
    return user


# --- Deployment ---------------------------------------------------------------------------


def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_cookies_are_secure_and_https_is_enforced():
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SAMESITE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_AGE",
        "SESSION_IDLE_SECONDS",
    ]
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 3600,
        "SESSION_COOKIE_AGE": 8 * 3600,
        "SESSION_IDLE_SECONDS": 30 * 60,
    }


def test_password_validators_refuse_weak_passwords(settings):
    # Four checks, and the hook that ends sessions on a password change (rankings.setup.users).
    assert len(settings.AUTH_PASSWORD_VALIDATORS) == 5
    for weak in ("12345678", "matkhau", "password123"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password(PASSWORD)


# --- Headers and the Content-Security-Policy ---------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/healthz", LOGIN, "/khong-co-trang-nay/", "/api/v1/"])
def test_every_answer_carries_the_security_headers(client, url):
    response = client.get(url)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    policy = _directives(response["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]


@pytest.mark.django_db
def test_the_site_policy_allows_no_inline_script_or_style(client):
    header = client.get(LOGIN)["Content-Security-Policy"]
    policy = _directives(header)
    assert policy["script-src"] == ["'self'"]
    # plotly.js's own style elements only, by hash: an empty one it fills through the
    # CSSOM, and MapLibre's fixed stylesheet.
    style = policy["style-src"]
    assert style[0] == "'self'" and "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='" in style
    assert all(re.fullmatch(r"'sha256-[A-Za-z0-9+/]{43}='", source) for source in style[1:])
    assert (policy["object-src"], policy["base-uri"]) == (["'none'"], ["'none'"])
    assert "unsafe" not in header


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_only_the_api_docs_pages_allow_inline_code(client, url):
    policy = _directives(client.get(url)["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_hsts_over_https_in_production(client, settings):
    settings.SECURE_HSTS_SECONDS = 3600
    response = client.get("/healthz", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=3600; includeSubDomains; preload"


INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),  # inline script (json_script is a filter)
    re.compile(r"<style\b", re.I),
    re.compile(r"\sstyle\s*=", re.I),
    re.compile(r"\son[a-z]+\s*=", re.I),  # onclick=, onload=, …
    re.compile(r"javascript:", re.I),
]


def test_templates_have_no_inline_script_style_or_handler():
    found = [
        f"{path.relative_to(ROOT)}: {pattern.pattern}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for pattern in INLINE
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


@pytest.mark.django_db
def test_charts_embed_a_json_data_block_that_a_static_script_draws(client, world):
    html = client.get("/mau/don-vi/an/").content.decode()
    blocks = re.findall(r"<script\b[^>]*>", html)
    assert blocks, "the agency page has its charts"
    assert all('type="application/json"' in tag or "src=" in tag for tag in blocks), blocks
    assert "js/charts.js" in html


# --- Request ids --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_safe_request_id_is_echoed_and_an_unsafe_one_replaced(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1  # only a proxy of ours sets X-Request-ID
    kept = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.42")
    assert kept["X-Request-ID"] == "lb-7f3a.42"
    for unsafe in ('x" injected="1', "a" * 200, "line\nbreak", ""):
        made = client.get("/healthz", HTTP_X_REQUEST_ID=unsafe)["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", made), made


# --- Sessions -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_httponly_and_samesite(client, world):
    member(world, Role.EDITOR, name="bien-tap")
    client.get(LOGIN)
    response = client.post(LOGIN, {"username": "bien-tap", "password": PASSWORD})
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert session["max-age"] == 8 * 3600
    assert client.cookies["csrftoken"]["samesite"] == "Lax"


@pytest.mark.django_db
def test_an_idle_session_is_signed_out(client, world, security):
    client.force_login(member(world, Role.EDITOR))
    assert client.get("/quan-ly/").status_code == 200
    session = client.session
    session[SessionTimeoutMiddleware.SEEN] = int(time.time()) - 31 * 60
    session.save()
    response = client.get("/quan-ly/", follow=True)
    assert response.redirect_chain[0][0].startswith(LOGIN)
    assert "lâu không thao tác" in response.content.decode()
    assert ("session_ended", "idle") in [(name, f.get("reason")) for name, f in security()]


@pytest.mark.django_db
def test_a_session_ends_after_its_absolute_lifetime_even_when_active(client, world, security):
    client.force_login(member(world, Role.EDITOR))
    assert client.get("/quan-ly/").status_code == 200
    session = client.session
    session[SessionTimeoutMiddleware.STARTED] = int(time.time()) - 8 * 3600 - 1
    session.save()
    response = client.get("/quan-ly/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert ("session_ended", "lifetime") in [(name, f.get("reason")) for name, f in security()]


@pytest.mark.django_db
def test_an_active_session_goes_on(client, world):
    client.force_login(member(world, Role.EDITOR))
    for minutes_ago in (29, 20, 10):
        session = client.session
        session[SessionTimeoutMiddleware.SEEN] = int(time.time()) - minutes_ago * 60
        session.save()
        assert client.get("/quan-ly/").status_code == 200


# --- Login throttling (django-axes) -------------------------------------------------------


@pytest.mark.django_db
def test_five_failures_lock_the_username_from_that_address(client, world, security):
    member(world, Role.EDITOR, name="bien-tap")
    member(world, Role.REVIEWER, name="tham-dinh")
    for attempt in range(1, 6):
        response = client.post(LOGIN, {"username": "bien-tap", "password": f"sai-{attempt}"})
    assert response.status_code == 429
    page = response.content.decode()
    assert "Tạm khóa đăng nhập" in page and "sai mật khẩu 5 lần" in page
    assert "Hãy thử lại sau 15 phút" in page

    right = client.post(LOGIN, {"username": "bien-tap", "password": PASSWORD})
    assert right.status_code == 429 and "_auth_user_id" not in client.session
    other = client.post(LOGIN, {"username": "tham-dinh", "password": PASSWORD})
    assert other.status_code == 302  # another username from the same address still signs in

    events = security()
    names = [name for name, _ in events]
    assert names.count("login_failed") == 6 and "login_locked_out" in names
    assert ("login", "tham-dinh") in [(n, f.get("user")) for n, f in events]
    failed = [f for n, f in events if n == "login_failed"]
    assert {f["username"] for f in failed} == {"bien-tap"} and failed[0]["ip"] == "127.0.0.1"
    assert PASSWORD not in repr(events) and "sai-1" not in repr(events)


@pytest.mark.django_db
def test_the_admin_login_is_throttled_too(client, world):
    get_user_model().objects.create_superuser("quantri-he-thong", "", PASSWORD)
    for attempt in range(5):
        response = client.post(
            "/admin/login/", {"username": "quantri-he-thong", "password": f"sai-{attempt}"}
        )
    assert response.status_code == 429 and "Tạm khóa đăng nhập" in response.content.decode()


# --- /healthz and the 503 page ------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_ok_without_session_or_cookies(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


def _database_down():
    error = OperationalError("server closed the connection unexpectedly")
    return mock.patch.object(CursorWrapper, "execute", side_effect=error)


@pytest.mark.django_db
def test_database_down_gives_the_friendly_503_page_and_healthz_503(client, world):
    with _database_down():
        page = client.get("/mau/2020/districts/")
        health = client.get("/healthz")
        api = client.get("/api/v1/provinces/")
    assert page.status_code == 503 and page["Retry-After"] == "30"
    html = page.content.decode()
    assert html.index("Hệ thống tạm thời gián đoạn") < html.index("The site cannot reach")
    assert page["Content-Security-Policy"] and "no-store" in page["Cache-Control"]
    assert health.status_code == 503 and health["Retry-After"] == "30"
    assert health.json() == {"status": "unavailable", "database": "unavailable"}
    assert api.status_code == 503 and api.json()["error"]["code"] == "unavailable"
    assert client.get("/mau/2020/districts/").status_code == 200  # and back


@pytest.mark.django_db
def test_a_failing_query_on_a_working_database_is_not_a_503():
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    request = RequestFactory().get("/")
    assert middleware.process_exception(request, OperationalError("no such column")) is None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, dict, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_a_server_whose_database_is_unreachable_answers_503(tmp_path):
    """gunicorn, as in production, with DATABASE_URL on a closed port of 127.0.0.1."""
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": "postgres://egov@127.0.0.1:1/egov",
    }
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application",
         "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=ROOT, env=env, stdout=log, stderr=log,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120  # a loaded CI runner boots gunicorn slowly
        while True:
            try:
                health = _get(base + "/healthz")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"server did not start: {(tmp_path / 'server.log').read_text()}")
                time.sleep(0.2)
        page = _get(base + "/vinh-phuc/2020/districts/")
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
    assert health[0] == 503 and json.loads(health[2])["database"] == "unavailable"
    assert page[0] == 503 and page[1]["Retry-After"] == "30"
    assert "Hệ thống tạm thời gián đoạn" in page[2]


# --- The security log ---------------------------------------------------------------------


def test_log_lines_are_one_json_object_with_the_request_id():
    formatter = security_log.JsonFormatter()
    token = security_log.request_id.set("abc123")
    try:
        record = logging.LogRecord(
            "security", logging.WARNING, __file__, 1, "login_failed", (), None
        )
        security_log.RequestIdFilter().filter(record)
        record.security = {"username": "Nguyễn\nVăn A", "ip": "127.0.0.1"}
        line = formatter.format(record)
    finally:
        security_log.request_id.reset(token)
    assert "\n" not in line
    assert json.loads(line) == {
        "time": json.loads(line)["time"],
        "level": "WARNING",
        "logger": "security",
        "event": "login_failed",
        "request_id": "abc123",
        "username": "Nguyễn\nVăn A",
        "ip": "127.0.0.1",
    }


@pytest.mark.django_db
def test_sign_in_and_refusals_are_logged_with_the_request_id(client, world, security):
    member(world, Role.REPORTER, agency=world.an, name="bao-cao")
    client.post(LOGIN, {"username": "bao-cao", "password": PASSWORD}, HTTP_X_REQUEST_ID="rq-1")
    refused = client.get("/quan-ly/mau/2021/districts/cong-bo/", HTTP_X_REQUEST_ID="rq-2")
    assert refused.status_code == 403
    events = security()
    assert [(n, f["user"], f["path"]) for n, f in events] == [
        ("login", "bao-cao", LOGIN),
        ("permission_denied", "bao-cao", "/quan-ly/mau/2021/districts/cong-bo/"),
    ]
    # The session key and password appear nowhere.
    assert PASSWORD not in repr(events) and client.session.session_key not in repr(events)


@pytest.mark.django_db
def test_api_refusals_are_logged(world, security):
    user = member(world, Role.REPORTER, agency=world.an, name="bao-cao")
    api = APIClient()
    api.force_authenticate(user)
    cycle = "/api/v1/cycles/mau/2021/districts/"
    response = api.post(cycle + "publications/", {"decision_number": "1", "decision_date": "x"})
    assert response.status_code == 403
    assert [(n, f["user"], f["method"]) for n, f in security()] == [
        ("permission_denied", "bao-cao", "POST")
    ]


@pytest.fixture
def open_cycle(world):
    return AssessmentCycle.objects.create(
        province=world.province,
        year=2022,
        block=world.districts,
        criteria_set=world.cycle_2021.criteria_set,
        state=CycleState.OPEN,
    )


@pytest.mark.django_db
def test_imports_through_the_site_are_logged(client, world, open_cycle, security):
    client.force_login(member(world, Role.EDITOR))
    data = filled(open_cycle, INPUTS_2021)
    url = "/quan-ly/mau/2022/districts/nhap-lieu/"
    bad = dict(INPUTS_2021, cat={"1.1": 5, "1.2 a": 1, "1.2 b": 0, "2.1": 25})
    client.post(url, {"file": SimpleUploadedFile("sai.xlsx", filled(open_cycle, bad))})
    preview = client.post(url, {"file": SimpleUploadedFile("diem-2022.xlsx", data)})
    digest = preview.content.decode().split('name="digest" value="')[1].split('"')[0]
    done = client.post(url, {"confirm": "1", "digest": digest, "format": "xlsx"})
    assert done.status_code == 302
    imports = [f for n, f in security() if n == "import"]
    assert [(f["stage"], f["outcome"], f["rows"], f["user"]) for f in imports] == [
        ("checked", "refused", 0, "u-editor"),
        ("checked", "ok", 3, "u-editor"),
        ("applied", "ok", 3, "u-editor"),
    ]
    assert imports[0]["file"] == "sai.xlsx" and imports[0]["problems"] >= 2
    assert imports[1]["file"] == "diem-2022.xlsx" and imports[2]["scores_created"] == 9
    assert imports[1]["sha256"] == imports[2]["sha256"] == digest
    assert {f["cycle"] for f in imports} == {"mau/2022/districts"}


@pytest.mark.django_db
def test_imports_and_publications_through_the_api_are_logged(world, open_cycle, security):
    editor, approver = APIClient(), APIClient()
    editor.force_authenticate(member(world, Role.EDITOR))
    approver.force_authenticate(member(world, Role.APPROVER))
    cycle = "/api/v1/cycles/mau/2022/districts/"
    data = filled(open_cycle, INPUTS_2021)
    bad = dict(INPUTS_2021, cat={"1.1": 5, "1.2 a": 1, "1.2 b": 0, "2.1": 25})
    for name, content, extra in [
        ("thu.xlsx", data, {"dry_run": "true"}),
        ("sai.xlsx", filled(open_cycle, bad), {}),
        ("diem.xlsx", data, {}),
    ]:
        upload = SimpleUploadedFile(name, content)
        editor.post(cycle + "imports/", {"file": upload, **extra}, format="multipart")
    editor.post(cycle + "transitions/", {"action": "review"})
    approver.post(cycle + "transitions/", {"action": "approve"})
    fingerprint = approver.get(cycle + "publications/").json()["fingerprint"]
    published = approver.post(
        cycle + "publications/",
        {"decision_number": "512/QĐ-UBND", "decision_date": "2023-05-12", "preview": fingerprint},
    )
    assert published.status_code == 201
    events = security()
    imports = [(f["stage"], f["outcome"], f["file"], f["rows"]) for n, f in events if n == "import"]
    assert imports == [
        ("checked", "ok", "thu.xlsx", 3),
        ("refused", "refused", "sai.xlsx", None),
        ("applied", "ok", "diem.xlsx", 3),
    ]
    publications = [f for n, f in events if n == "publication"]
    assert [(f["user"], f["cycle"], f["decision"], f["revision"]) for f in publications] == [
        ("u-approver", "mau/2022/districts", "512/QĐ-UBND", 1)
    ]


@pytest.mark.django_db
def test_a_correction_published_on_the_site_is_logged(client, world, security):
    client.force_login(member(world, Role.APPROVER))
    from rankings.cycles.final import final_preview

    fields = {"decision_number": "260/QĐ-UBND", "decision_date": "2022-09-01", "reason": "Rà soát"}
    fields["preview"] = final_preview(cycle=world.cycle_2021).fingerprint()  # what was shown
    assert client.post("/quan-ly/mau/2021/districts/cong-bo/", fields).status_code == 302
    publications = [f for n, f in security() if n == "publication"]
    assert [(f["cycle"], f["decision"], f["revision"], f["user"]) for f in publications] == [
        ("mau/2021/districts", "260/QĐ-UBND", 2, "u-approver")
    ]
