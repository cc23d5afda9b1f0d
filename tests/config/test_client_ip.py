"""One trusted-proxy setting: throttles, lockouts, the security log and the request id all
key on the address our proxies vouch for, never on what the client writes itself."""

import logging

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from config.client_ip import client_ip
from rankings.models import Role
from tests.config.test_security import LOGIN, PASSWORD, member

PROXY = "127.0.0.1"  # nginx, as gunicorn sees it


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()  # throttle counters
    yield
    cache.clear()


@pytest.fixture
def anon_rate_3(settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "anon": "3/minute"},
    }


def _meta(forwarded=None, remote=PROXY):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return extra


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.9", PROXY),  # no proxy of ours: the header is the client's own
        (1, None, PROXY),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "1.1.1.1, 203.0.113.9", "203.0.113.9"),  # the client's own entry is left of ours
        (1, "1.1.1.1,203.0.113.9 ", "203.0.113.9"),
        (2, "1.1.1.1, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "203.0.113.9"),
        (1, "1.1.1.1, not-an-address", PROXY),
        (1, "1.1.1.1, 2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_is_counted_from_the_right(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", **_meta(forwarded))
    assert client_ip(request) == expected


def _blocks(client, forwarded, remote=PROXY):
    return client.get("/api/v1/blocks/", **_meta(forwarded, remote)).status_code


@pytest.mark.django_db
def test_a_new_x_forwarded_for_each_time_does_not_dodge_the_throttle(client, anon_rate_3):
    # Before: DRF with NUM_PROXIES unset keyed on the whole header, so each spoofed value
    # was a new client and the 120/minute limit never applied.
    codes = [_blocks(client, f"198.51.100.{n}") for n in range(1, 6)]
    assert codes == [200, 200, 200, 429, 429]


@pytest.mark.django_db
def test_behind_nginx_the_spoofed_part_is_ignored(client, settings, anon_rate_3):
    settings.TRUSTED_PROXY_COUNT = 1
    codes = [_blocks(client, f"198.51.100.{n}, 203.0.113.9") for n in range(1, 6)]
    assert codes == [200, 200, 200, 429, 429]
    # Another real client behind the same nginx has its own allowance.
    assert _blocks(client, "203.0.113.10") == 200
    assert _blocks(client, "203.0.113.9, 203.0.113.10") == 200


@pytest.mark.django_db
def test_without_the_setting_everyone_behind_a_proxy_shares_one_allowance(client, anon_rate_3):
    # What TRUSTED_PROXY_COUNT=1 fixes: with 0 all clients of the proxy are one address.
    codes = [_blocks(client, f"203.0.113.{n}") for n in range(1, 5)]
    assert codes == [200, 200, 200, 429]


def _login(client, username, password, forwarded):
    return client.post(LOGIN, {"username": username, "password": password}, **_meta(forwarded))


@pytest.mark.django_db
def test_failures_from_anywhere_do_not_lock_the_approver_out(client, world, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    member(world, Role.APPROVER, name="phe-duyet")
    attacker = "203.0.113.66"
    for attempt in range(6):
        last = _login(client, "phe-duyet", f"sai-{attempt}", attacker)
    assert last.status_code == 429  # the attacker's address is locked out for this username
    # The attacker writes the approver's address in front of its own: still its own address.
    spoofed = _login(client, "phe-duyet", PASSWORD, f"198.51.100.7, {attacker}")
    assert spoofed.status_code == 429
    # The approver, from the office, signs in.
    office = client.__class__()
    assert _login(office, "phe-duyet", PASSWORD, "198.51.100.7").status_code == 302


@pytest.mark.django_db
def test_a_spoofed_address_does_not_lock_out_its_owner(client, world, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    member(world, Role.APPROVER, name="phe-duyet")
    for attempt in range(6):
        _login(client, "phe-duyet", f"sai-{attempt}", f"198.51.100.7, 203.0.113.{attempt + 1}")
    # Six addresses with one failure each: nobody is locked out, least of all 198.51.100.7.
    office = client.__class__()
    assert _login(office, "phe-duyet", PASSWORD, "198.51.100.7").status_code == 302


@pytest.mark.django_db
def test_without_a_trusted_proxy_the_header_cannot_spread_failures(client, world):
    # TRUSTED_PROXY_COUNT=0: a client that changes X-Forwarded-For is still REMOTE_ADDR.
    member(world, Role.APPROVER, name="phe-duyet")
    for attempt in range(5):
        last = _login(client, "phe-duyet", f"sai-{attempt}", f"203.0.113.{attempt + 1}")
    assert last.status_code == 429


@pytest.mark.django_db
def test_the_security_log_and_request_id_follow_the_setting(client, world, settings, caplog):
    logger = logging.getLogger("security")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="security")
    try:
        response = _login(client, "nobody", "sai", "1.1.1.1, 203.0.113.9")
        settings.TRUSTED_PROXY_COUNT = 1
        behind = _login(client, "nobody", "sai", "1.1.1.1, 203.0.113.9")
        kept = client.get("/healthz", HTTP_X_REQUEST_ID="nginx-42", **_meta("203.0.113.9"))
        settings.TRUSTED_PROXY_COUNT = 0
        dropped = client.get("/healthz", HTTP_X_REQUEST_ID="nginx-42")
    finally:
        logger.removeHandler(caplog.handler)
    failed = [r.security for r in caplog.records if r.getMessage() == "login_failed"]
    assert [f["ip"] for f in failed] == [PROXY, "203.0.113.9"]
    assert response.status_code == behind.status_code == 200
    assert kept["X-Request-ID"] == "nginx-42"
    assert dropped["X-Request-ID"] != "nginx-42" and len(dropped["X-Request-ID"]) == 32
