"""deploy/ as shipped: Debian's nginx in front of gunicorn, both on loopback.

nginx runs unprivileged under a temporary prefix with deploy/nginx/http.conf and
locations.conf as they are (only /srv/egov and /run/egov moved into the prefix); gunicorn
runs deploy/gunicorn.conf.py with one worker of two threads, on a unix socket, with
production settings and TRUSTED_PROXY_COUNT=1. About 10 s.
"""

import contextlib
import gzip
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

pytestmark = [
    pytest.mark.deploy,
    pytest.mark.skipif(
        not Path(NGINX).exists(),
        reason="needs Debian's nginx (apt-get install nginx; .ci/run installs it)",
    ),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shipped(name: str, prefix: Path) -> str:
    text = (DEPLOY / "nginx" / name).read_text()
    text = text.replace("/srv/egov/", f"{prefix}/srv/").replace("/run/egov/", f"{prefix}/run/")
    return text.replace("/var/log/nginx/", f"{prefix}/logs/")


def wait_for(check, seconds=120.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise TimeoutError("did not come up")


@pytest.fixture(scope="module")
def edge(tmp_path_factory):
    """nginx on 127.0.0.1:<port> → gunicorn on a unix socket; yields (port, app log path)."""
    prefix = tmp_path_factory.mktemp("edge")
    for part in ("logs", "run", "srv/var/staticfiles/css", "temp"):
        (prefix / part).mkdir(parents=True, exist_ok=True)
    (prefix / "srv/var/staticfiles/css/site.abc123.css").write_text("body{color:#222}\n" * 200)
    (prefix / "http.conf").write_text(shipped("http.conf", prefix))
    (prefix / "locations.conf").write_text(shipped("locations.conf", prefix))
    port = free_port()
    temp = {
        name: prefix / "temp" / name
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    }
    user = "user root;" if os.geteuid() == 0 else ""  # workers must reach the socket
    (prefix / "nginx.conf").write_text(
        f"""{user}
worker_processes 1;
daemon on;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {temp["client_body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {prefix}/http.conf;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        include {prefix}/locations.conf;
    }}
}}
"""
    )
    app_log = prefix / "logs" / "gunicorn.log"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"sqlite:///{prefix}/db.sqlite3",  # /healthz needs no tables
        "TRUSTED_PROXY_COUNT": "1",
        "TRUST_X_FORWARDED_PROTO": "1",
        "SECURE_SSL_REDIRECT": "0",  # the test's nginx speaks plain HTTP
    }
    socket_path = prefix / "run" / "gunicorn.sock"
    with app_log.open("wb") as log:
        app = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                str(DEPLOY / "gunicorn.conf.py"),
                "--bind",
                f"unix:{socket_path}",
                "--workers",
                "1",
                "--threads",
                "2",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    started = subprocess.run(
        [NGINX, "-c", f"{prefix}/nginx.conf", "-p", str(prefix)],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        assert started.returncode == 0, started.stderr
        wait_for(lambda: get(port, "/healthz")[0] == 200)
        yield port, app_log
    finally:
        pid_file = prefix / "nginx.pid"
        if pid_file.exists():
            os.kill(int(pid_file.read_text()), signal.SIGTERM)
        app.terminate()
        app.wait(timeout=30)


def get(port, path, *, headers=None, data=None, method=None, timeout=5.0, source=None):
    """(status, headers, body) of one request over a fresh connection."""
    if source is not None:  # from another loopback address: nginx sees it as the client
        conn_class = _bound_connection(source)

        conn = conn_class("127.0.0.1", port, timeout=timeout)
        conn.request(method or ("POST" if data else "GET"), path, body=data, headers=headers or {})
        response = conn.getresponse()
        result = (response.status, dict(response.getheaders()), response.read())
        conn.close()
        return result
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=data, headers=headers or {}, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _bound_connection(source):
    import http.client

    class Bound(http.client.HTTPConnection):
        def connect(self):
            self.sock = socket.create_connection(
                (self.host, self.port), self.timeout, source_address=(source, 0)
            )

    return Bound


def test_twenty_slow_clients_do_not_stop_healthz(edge):
    # Before: 12 sockets sending one header line every 2 s straight to gunicorn made every
    # /healthz probe time out. nginx holds them; gunicorn never sees an unfinished request.
    port, _log = edge
    stop = threading.Event()
    slow = []
    for _ in range(20):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
        slow.append(sock)

    def drip():
        n = 0
        while not stop.wait(1.0):
            n += 1
            for sock in slow:
                with contextlib.suppress(OSError):  # nginx may have closed it
                    sock.sendall(f"X-Slow-{n}: {'a' * 20}\r\n".encode())

    dripping = threading.Thread(target=drip, daemon=True)
    dripping.start()
    try:
        timings = []
        for _ in range(8):
            started = time.monotonic()
            status, _headers, body = get(port, "/healthz", timeout=3)
            timings.append(time.monotonic() - started)
            assert status == 200 and json.loads(body) == {"status": "ok", "database": "ok"}
            time.sleep(0.4)
        assert max(timings) < 1.0, timings
    finally:
        stop.set()
        dripping.join()
        for sock in slow:
            sock.close()


def test_the_hostile_cookie_is_refused_at_the_edge(edge):
    port, log = edge
    before = log.read_bytes().count(b"/healthz")
    started = time.monotonic()
    status, _headers, body = get(port, "/healthz", headers={"Cookie": 'a="' + "\\" * 80_000})
    assert status == 400 and b"Request Header Or Cookie Too Large" in body
    assert time.monotonic() - started < 1.0
    time.sleep(0.2)
    assert log.read_bytes().count(b"/healthz") == before  # gunicorn never saw it


def test_an_oversized_body_gets_413_from_nginx(edge):
    port, _log = edge
    status, _headers, body = get(port, "/i18n/setlang/", data=b"x" * (2 * 1024 * 1024))
    assert status == 413 and b"<center>nginx</center>" in body  # nginx's page, not the app's
    upload = "/api/v1/cycles/mau/2022/districts/imports/"
    status, _headers, body = get(port, upload, data=b"x" * (12 * 1024 * 1024))
    assert status == 413 and b"<center>nginx</center>" in body
    # Within the upload limit the request reaches the app, which asks for credentials.
    status, _headers, body = get(port, upload, data=b"x" * (3 * 1024 * 1024))
    assert status == 401 and json.loads(body)["error"]["code"] == "not_authenticated"


def test_the_app_sees_the_real_client_address(edge):
    port, log = edge
    # From 127.0.0.7, claiming to be 6.6.6.6: a sign-in without its CSRF token is refused
    # (403) and the security log records who sent it.
    status, headers, _body = get(
        port,
        "/tai-khoan/login/",
        data=b"username=quantri&password=sai",
        headers={
            "X-Forwarded-For": "6.6.6.6",
            "X-Request-ID": "spoofed-id",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        source="127.0.0.7",
    )
    request_id = headers["X-Request-ID"]
    assert request_id != "spoofed-id" and len(request_id) == 32  # nginx's $request_id
    lines = []
    wait_for(lambda: lines.extend(_security_lines(log, request_id)) or lines, seconds=5)
    (line,) = lines
    assert line["event"] == "permission_denied" and status == 403
    assert line["ip"] == "127.0.0.7" and "6.6.6.6" not in json.dumps(line)


def _security_lines(log: Path, request_id: str) -> list[dict]:
    found = []
    for raw in log.read_text(errors="replace").splitlines():
        if raw.startswith("{") and request_id in raw:
            found.append(json.loads(raw))
    return found


def test_static_files_and_json_are_served_compressed(edge):
    port, _log = edge
    status, headers, body = get(
        port, "/static/css/site.abc123.css", headers={"Accept-Encoding": "gzip"}
    )
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert gzip.decompress(body).startswith(b"body{color:#222}")
    status, headers, body = get(
        port, "/api/v1/schema/?format=json", headers={"Accept-Encoding": "gzip"}
    )
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    schema = json.loads(gzip.decompress(body))
    assert "/api/v1/rankings/" in schema["paths"]
    assert get(port, "/media/evidence/x.pdf")[0] == 404
    assert get(port, "/healthz", method="TRACE")[0] == 405
