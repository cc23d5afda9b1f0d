"""The lock files and `make audit`'s check of them against a package index (a local one
here, with made-up releases: the test asks no real index anything)."""

import json
import re
import threading
import tomllib
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from scripts import audit

ROOT = Path(__file__).resolve().parents[2]

RELEASES = {
    "django": {"5.2.7": [{"yanked": False}], "5.2.9": [{}], "5.2.10rc1": [{}], "6.0": [{}]},
    "gunicorn": {"23.0.0": [{}], "23.1.0": [{}]},  # a minor release is not a patch release
    "orjson": {"3.10.1": [{}], "3.10.2": [{"yanked": True}]},  # yanked does not count
}


@pytest.fixture
def index():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            name = self.path.split("/")[2]
            if name not in RELEASES:
                self.send_error(404)
                return
            body = json.dumps({"releases": RELEASES[name]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_every_dependency_is_locked_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    names = {re.split(r"[<>=\[ ;]", spec, maxsplit=1)[0].lower() for spec in wanted}
    for lock, needed in (
        (
            "base.txt",
            {re.split(r"[<>=\[ ;]", s, maxsplit=1)[0].lower() for s in project["dependencies"]},
        ),
        ("dev.txt", names),
    ):
        text = (ROOT / "requirements" / lock).read_text()
        pinned = audit.pins(ROOT / "requirements" / lock)
        assert needed <= pinned.keys(), needed - pinned.keys()
        blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
        for block in blocks:
            assert "--hash=sha256:" in block, block[:60]
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet --require-hashes --no-deps -r $(LOCK)" in makefile


def test_the_audit_lists_locked_packages_behind_a_patch_release(index, tmp_path, capsys):
    lock = tmp_path / "dev.txt"
    lock.write_text(
        "django==5.2.7 \\\n    --hash=sha256:aa\n"
        "gunicorn==23.0.0 \\\n    --hash=sha256:bb\n"
        "orjson==3.10.1 \\\n    --hash=sha256:cc\n"
        "missing-one==1.0 \\\n    --hash=sha256:dd\n"
    )
    status = audit.main(
        ["--lock", str(lock), "--index", index, "--skip-bandit", "--skip-pip-audit"]
    )
    out = capsys.readouterr().out
    assert "BEHIND  django==5.2.7 → 5.2.9" in out
    assert "gunicorn" not in out.split("checked")[0].replace("BEHIND  django", "")
    assert "orjson" not in out
    assert "UNKNOWN missing-one==1.0" in out
    assert "4 checked, 1 behind, 1 not answered" in out and "make lock" in out
    assert status == 1


def test_the_audit_says_plainly_when_no_vulnerability_data_is_reachable(tmp_path, capsys):
    lock = tmp_path / "dev.txt"
    lock.write_text("")
    status = audit.main(["--lock", str(lock), "--index", "http://127.0.0.1:9", "--skip-bandit"])
    out = capsys.readouterr().out
    assert "NOT RUN: the vulnerability service at http://127.0.0.1:9 is unreachable" in out
    assert "Known vulnerabilities were NOT checked" in out
    assert status == 0


def test_newest_patch_ignores_pre_releases_and_other_minors():
    assert audit.newest_patch("1.2.3", {"1.2.4": [{}], "1.2.5b1": [{}], "1.3.0": [{}]}) == "1.2.4"
    assert audit.newest_patch("1.2.3", {"1.2.3": [{}], "1.3.0": [{}]}) is None
