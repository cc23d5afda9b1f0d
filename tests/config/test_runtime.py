"""The runtime: the cookie parser of CVE-2024-7592 and the check that refuses it."""

import subprocess
import sys
import time

from config.checks import MINIMUM_PYTHON, runtime_errors
from tests.config.test_security import ROOT, _production_env

# `a="` then 80,000 backslashes: Python 3.12.1 spent 15.5 s of CPU unquoting it.
HOSTILE_COOKIE = 'a="' + "\\" * 80_000


def test_the_hostile_cookie_costs_a_request_milliseconds_not_seconds(client, db):
    started = time.process_time()
    response = client.get("/healthz", HTTP_COOKIE=HOSTILE_COOKIE)
    spent = time.process_time() - started
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    # The fixed parser needs a few milliseconds; the quadratic one 15 s. 2 s of CPU is a
    # bound no loaded CI machine reaches with the fix and no vulnerable runtime stays under.
    assert spent < 2.0, f"one request with the hostile cookie took {spent:.1f} s of CPU"


def test_the_runtime_is_one_with_the_fixed_cookie_parser():
    assert sys.version_info[:3] >= MINIMUM_PYTHON
    assert (ROOT / ".python-version").read_text().strip() == "3.13"


def test_the_deploy_check_refuses_a_python_with_the_quadratic_parser():
    (error,) = runtime_errors((3, 12, 1, "final", 0))
    assert error.id == "config.E001"
    assert "3.12.1" in error.msg and "CVE-2024-7592" in error.msg
    assert runtime_errors((3, 12, 5)) != []
    assert runtime_errors((3, 12, 6)) == []
    assert runtime_errors((3, 13, 0)) == []


def test_the_check_runs_under_check_deploy_only():
    plain = subprocess.run(
        [sys.executable, "manage.py", "check", "--tag", "security"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert plain.returncode == 0, plain.stderr
    # On this runtime the deploy check passes (tests/config/test_security.py runs the whole
    # `check --deploy`); on 3.12.1 the same command fails with config.E001.
    deploy = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--tag", "security"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert deploy.returncode == 0, deploy.stderr
    assert "config.E001" not in deploy.stdout + deploy.stderr
