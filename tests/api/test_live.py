"""The API served for real: the portal example client, and schemathesis against the schema."""

import collections
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


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


OPERATIONS = 31  # every operation of the schema (reads, workflow, cycle running, tokens)


@pytest.mark.api_fuzz
def test_schemathesis_finds_nothing(live_api, tmp_path):
    """Every operation, at least 100 generated cases each, anonymous: no 5xx, no response
    outside the schema, no valid request refused, no invalid one accepted."""
    events = tmp_path / "events.ndjson"
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(Path(__file__).with_name("schemathesis.toml")),
        "run",
        f"{live_api}/api/v1/schema/",
        "--checks=all",
        "--phases=examples,coverage,fuzzing",
        "--max-examples=100",
        "--workers=4",
        "--seed=20201122",
        "--report=ndjson",
        f"--report-ndjson-path={events}",
    ]
    result = subprocess.run(  # in tmp_path: schemathesis writes a cache where it runs
        command, cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout[-6000:]
    cases: dict[str, int] = collections.Counter()
    for line in events.read_text().splitlines():
        event = json.loads(line)
        if "ScenarioFinished" in event:
            recorder = event["ScenarioFinished"]["recorder"]
            cases[recorder["label"]] += len(recorder.get("cases", {}))
    assert len(cases) == OPERATIONS, cases
    assert min(cases.values()) >= 100, cases
    print(f"schemathesis: {len(cases)} operations, {sum(cases.values())} cases, {dict(cases)}")
