"""The workflow API fuzzed as each role by schemathesis, against a live demo server.

Apart from tests/api/test_live.py so that `make test` can run the two long fuzz runs on
two workers at once (pytest-xdist keeps a file on one worker).
"""

import os
from pathlib import Path

import pytest

from tests.api.schemathesis_run import run_schemathesis
from tests.live import serve_demo

WORKFLOW_OPERATIONS = 21  # the authenticated ones, under /me/ and /cycles/{…}/
# Generated cases per operation and role. `make test` keeps the seven role runs to about
# 25 each (CI's time budget); `make fuzz` runs 100 each, as the anonymous run always does.
ROLE_EXAMPLES = int(os.environ.get("FUZZ_ROLE_EXAMPLES", "25"))
# Schemathesis stops some operations before ROLE_EXAMPLES: DELETE exclusion (path values
# and one boolean: 14-18 distinct cases a role) and, since the exclusion operations came,
# GET scores/ (13-15 a role; why is not yet understood, see the session 26 note). Each
# operation must still get at least this many.
ROLE_MINIMUM = ROLE_EXAMPLES * 2 // 5
ROLES = [
    "quantri",  # provincial administrator
    "ict",  # ICT staff
    "hoidong",  # appraisal council
    "pheduyet",  # approver
    "lapthach-baocao",  # Lập Thạch's reporter
    "lapthach-thutruong",  # Lập Thạch's head
    "yenlac-baocao",  # Yên Lạc's reporter (on Lập Thạch's objects too)
]


@pytest.fixture(scope="module")
def live_workflow(tmp_path_factory):
    """A demo server with an open 2022 cycle and a fixed API token per demo account."""
    rates = {"API_THROTTLE_ANON": "100000/minute", "API_THROTTLE_USER": "100000/minute"}
    yield from serve_demo(
        tmp_path_factory,
        "api-roles",
        env=rates,
        ready="/api/v1/blocks/",
        setup=str(Path(__file__).with_name("fuzz_world.py")),
    )


@pytest.mark.api_fuzz
@pytest.mark.parametrize("role", ROLES)
def test_schemathesis_as_each_role_finds_nothing(live_workflow, tmp_path, role):
    """The workflow operations fuzzed with each role's token: no 5xx, nothing outside the
    schema, every refusal one of the documented statuses. The roles run one after the
    other against one server, so each meets the state the previous ones left."""
    token = f"fuzz-{role}".ljust(40, "0")
    cases, statuses = run_schemathesis(
        tmp_path,
        "schemathesis-roles.toml",
        f"{live_workflow}/api/v1/schema/",
        "--include-path-regex=^/api/v1/(me|cycles/[{])",
        "-H",
        f"Authorization: Token {token}",
        "--exclude-checks=ignored_auth",  # the anonymous run and the role matrix cover it
        "--phases=examples,fuzzing",
        f"--max-examples={ROLE_EXAMPLES}",
        "--seed=20221122",
        timeout=400,
    )
    assert len(cases) == WORKFLOW_OPERATIONS, cases
    few = {op: n for op, n in cases.items() if n < ROLE_MINIMUM}
    assert not few, few
    assert not [code for code in statuses if code >= 500], statuses
    print(f"schemathesis as {role}: {sum(cases.values())} cases, statuses {dict(statuses)}")
