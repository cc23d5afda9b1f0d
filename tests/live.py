"""A live demo server for browser and API tests: `migrate`, `seed_demo`, `runserver`.

Each server has its own SQLite file and a free port, exactly what `make demo` serves. Its
output goes to a file beside the database (a full pipe would block the server).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 120


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_demo(
    tmp_path_factory,
    name: str,
    *,
    env: dict[str, str] | None = None,
    ready: str = "/",
    setup: str | None = None,
):
    """Yield the base URL of a freshly seeded demo server; stop it afterwards.

    `setup` names a Python file run by `manage.py shell` after the seed (extra state).
    """
    folder = tmp_path_factory.mktemp(name)
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}",
        "DEBUG": "1",
        **(env or {}),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    commands = [["migrate", "--noinput", "-v0"], ["seed_demo"]]
    if setup:
        commands.append(["shell", "-v0", "-c", Path(setup).read_text()])
    for command in commands:
        subprocess.run(manage + command, cwd=ROOT, env=environment, check=True, capture_output=True)
    port = _free_port()
    log = (folder / "server.log").open("w")
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    # runserver's system checks take a few seconds on an idle machine and far longer on a
    # loaded CI runner: wait up to START_SECONDS, but stop at once if the server exited.
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            urllib.request.urlopen(base + ready, timeout=5)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"demo server did not start: see {log.name}")
            time.sleep(0.2)
    yield base
    server.terminate()
    server.wait(timeout=10)
    log.close()
