"""Run the schemathesis command line against a live server and count what it did."""

import collections
import json
import subprocess
import sys
from pathlib import Path

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
HERE = Path(__file__).parent


def run_schemathesis(
    tmp_path: Path, config: str, schema_url: str, *options: str, timeout: int
) -> tuple[dict[str, int], dict[int, int]]:
    """Cases per operation and responses per status of one run; fails on any finding.

    Runs in tmp_path: schemathesis writes a cache where it runs.
    """
    events = tmp_path / "events.ndjson"
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(HERE / config),
        "run",
        schema_url,
        "--checks=all",
        *options,
        "--workers=4",
        "--report=ndjson",
        f"--report-ndjson-path={events}",
    ]
    result = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, result.stdout[-6000:]
    cases: dict[str, int] = collections.Counter()
    statuses: dict[int, int] = collections.Counter()
    for line in events.read_text().splitlines():
        event = json.loads(line)
        if "ScenarioFinished" in event:
            recorder = event["ScenarioFinished"]["recorder"]
            cases[recorder["label"]] += len(recorder.get("cases", {}))
            for interaction in recorder.get("interactions", {}).values():
                response = interaction.get("response") or {}
                if "status_code" in response:
                    statuses[response["status_code"]] += 1
    return cases, statuses
