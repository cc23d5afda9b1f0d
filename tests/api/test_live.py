"""The API served for real: the portal example client, and schemathesis against the schema."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.api.schemathesis_run import run_schemathesis

ROOT = Path(__file__).resolve().parents[2]


def test_portal_client_prints_the_leaderboard_statistics_and_decision(live_api):
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "portal_client.py"), live_api],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    output = result.stdout
    assert "UBND huyện Lập Thạch" in output and "106.331" in output
    assert "90.479" in output and "65.5%" in output  # mean, mean percent (truncated)
    assert "74.337" in output and "31.994" in output  # lowest, spread
    assert "3192/QĐ-UBND" in output and "22/11/2021" in output
    assert output.index("Lập Thạch") < output.index("Tam Dương")  # rank 1 before rank 9


def test_portal_client_reports_api_errors(live_api):
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "portal_client.py"), live_api, "--year", "1999"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0 and "400 invalid" in result.stderr


OPERATIONS = 36  # every operation of the schema (reads, simulator, targets, workflow, tokens…)


@pytest.mark.api_fuzz
def test_schemathesis_finds_nothing(live_api, tmp_path):
    """Every operation, at least 100 generated cases each, anonymous: no 5xx, no response
    outside the schema, no valid request refused, no invalid one accepted."""
    cases, _statuses = run_schemathesis(
        tmp_path,
        "schemathesis.toml",
        f"{live_api}/api/v1/schema/",
        "--phases=examples,coverage,fuzzing",
        "--max-examples=100",
        "--seed=20201122",
        timeout=300,
    )
    assert len(cases) == OPERATIONS, cases
    assert min(cases.values()) >= 100, cases
    print(f"schemathesis: {len(cases)} operations, {sum(cases.values())} cases, {dict(cases)}")
