"""The database goes away under traffic, and comes back: `make fault`.

A private PostgreSQL cluster (initdb in a temporary folder, its own port, never the shared
server) gets the demo; gunicorn serves it while two clients read pages and /healthz. The
cluster is stopped mid-traffic: every answer must then be the 503 page (with Retry-After)
or /healthz's 503, never a 500. It is started again: the site must recover by itself and
publish exactly the numbers it published before. Prints the counts and timings; exits 1
when a check fails. Run as root, the cluster runs as the `postgres` user (PostgreSQL
refuses root). Only 127.0.0.1 is ever contacted; every loop is bounded.
"""

import collections
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["/", "/vinh-phuc/2020/districts/", "/vinh-phuc/don-vi/lap-thach/", "/healthz"]
# Published numbers, as the site exports them: compared byte for byte across the outage.
PUBLISHED = [
    "/vinh-phuc/2020/districts.json",
    "/vinh-phuc/2021/departments.json",
    "/vinh-phuc/don-vi/lap-thach.json",
    "/vinh-phuc/xu-huong/districts.json",
]
OUTAGE_SECONDS = 6
TRAFFIC_LIMIT_SECONDS = 120  # the clients stop by themselves whatever happens


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version)
    if os.environ.get("PG_BIN"):
        return str(Path(os.environ["PG_BIN"]) / name)
    if not found:
        sys.exit(f"{name} not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)")
    return found[-1]


def _version(path: str) -> int:
    part = Path(path).parts[-3]
    return int(part) if part.isdigit() else 0


def as_postgres(command: list[str]) -> list[str]:
    # PostgreSQL will not run as root; a normal user runs it as themselves.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def get(base: str, path: str, timeout: float = 10) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(base + path, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
    except OSError:
        return 0, {}, b""


class Traffic:
    """Clients reading PAGES in turn until stopped; every answer recorded with its time."""

    def __init__(self, base: str, clients: int = 2) -> None:
        self.base, self.stopping = base, threading.Event()
        self.answers: list[tuple[float, str, int]] = []
        self.threads = [threading.Thread(target=self._run, args=(i,)) for i in range(clients)]

    def _run(self, offset: int) -> None:
        deadline = time.monotonic() + TRAFFIC_LIMIT_SECONDS
        i = offset
        while not self.stopping.is_set() and time.monotonic() < deadline:
            path = PAGES[i % len(PAGES)]
            status, _, _ = get(self.base, path)
            self.answers.append((time.monotonic(), path, status))
            i += 1
            time.sleep(0.05)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="egov-fault-"))
    os.chmod(work, 0o755)
    if os.geteuid() == 0:
        shutil.chown(work, "postgres", "postgres")
    data, pg_port, web_port = work / "data", free_port(), free_port()
    pg_ctl = [pg_bin("pg_ctl"), "-D", str(data), "-l", str(work / "postgres.log")]
    pg_options = ["-o", f"-p {pg_port} -k {work} -c listen_addresses=127.0.0.1 -c fsync=off"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{pg_port}/egov",
        "DEBUG": "1",
        "API_THROTTLE_ANON": "100000/minute",
    }
    server = None
    failures: list[str] = []
    started = time.monotonic()
    try:
        quiet = {"check": True, "capture_output": True}
        subprocess.run(
            as_postgres([pg_bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]),
            **quiet,
        )
        subprocess.run(as_postgres([*pg_ctl, *pg_options, "-w", "start"]), **quiet)
        subprocess.run(
            [pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(pg_port), "-U", "postgres", "egov"],
            **quiet,
        )
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, **quiet)
        subprocess.run([*manage, "seed_demo"], cwd=ROOT, env=env, **quiet)
        prepared = time.monotonic() - started
        log = (work / "gunicorn.log").open("w")
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application",
             "-b", f"127.0.0.1:{web_port}", "-w", "2", "--timeout", "30"],
            cwd=ROOT, env=env, stdout=log, stderr=log,
        )  # fmt: skip
        base = f"http://127.0.0.1:{web_port}"
        for _ in range(100):
            if get(base, "/healthz")[0] == 200:
                break
            time.sleep(0.2)
        else:
            failures.append("the server never answered /healthz with 200")
            return report(failures, {})
        before = {path: _published(base, path) for path in PUBLISHED}

        with Traffic(base) as traffic:
            time.sleep(2)
            stopped_at = time.monotonic()
            subprocess.run(as_postgres([*pg_ctl, "-m", "fast", "-w", "stop"]), **quiet)
            time.sleep(1)
            health = get(base, "/healthz")
            page = get(base, "/vinh-phuc/2020/districts/")
            time.sleep(OUTAGE_SECONDS - 1)
            restarted_at = time.monotonic()
            subprocess.run(as_postgres([*pg_ctl, *pg_options, "-w", "start"]), **quiet)
            recovered_at = None
            for _ in range(300):
                if get(base, "/healthz")[0] == 200:
                    recovered_at = time.monotonic()
                    break
                time.sleep(0.1)
            time.sleep(2)
        after = {path: _published(base, path) for path in PUBLISHED}

        if health[0] != 503 or json.loads(health[2] or b"{}").get("database") != "unavailable":
            failures.append(f"/healthz during the outage answered {health[0]} {health[2][:80]!r}")
        if page[0] != 503 or "Retry-After" not in page[1]:
            failures.append(f"a page during the outage answered {page[0]} without Retry-After")
        if "Hệ thống tạm thời gián đoạn" not in page[2].decode("utf-8", "replace"):
            failures.append("the 503 page is not the friendly one")
        if recovered_at is None:
            failures.append("the site did not recover within 30 s of the restart")
        statuses = collections.Counter(status for _, _, status in traffic.answers)
        during = collections.Counter(
            status for t, _, status in traffic.answers if stopped_at + 0.5 < t < restarted_at
        )
        after_recovery = collections.Counter(
            status for t, _, status in traffic.answers if recovered_at and t > recovered_at + 0.5
        )
        if set(statuses) - {200, 503}:
            failures.append(f"answers other than 200 and 503: {dict(statuses)}")
        if set(during) != {503}:
            failures.append(f"answers during the outage: {dict(during)}")
        if after_recovery and set(after_recovery) != {200}:
            failures.append(f"answers after recovery: {dict(after_recovery)}")
        changed = [p for p in PUBLISHED if before[p] is None or before[p] != after[p]]
        if changed:
            failures.append(f"published numbers changed or missing: {changed}")
        numbers = {
            "setup_seconds": round(prepared, 1),
            "requests": len(traffic.answers),
            "statuses": dict(sorted(statuses.items())),
            "statuses_during_outage": dict(sorted(during.items())),
            "statuses_after_recovery": dict(sorted(after_recovery.items())),
            "outage_seconds": round(restarted_at - stopped_at, 1),
            "recovery_seconds_after_restart": (
                round(recovered_at - restarted_at, 2) if recovered_at else None
            ),
            "published_exports_compared": len(PUBLISHED),
            "published_exports_unchanged": len(PUBLISHED) - len(changed),
            "total_seconds": round(time.monotonic() - started, 1),
        }
        return report(failures, numbers)
    except subprocess.CalledProcessError as error:
        failures.append(f"{' '.join(error.cmd)} failed: {error.stderr!r}"[:2000])
        return report(failures, {})
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        subprocess.run(as_postgres([*pg_ctl, "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


def _published(base: str, path: str) -> bytes | None:
    status, _, body = get(base, path)
    return body if status == 200 else None


def report(failures: list[str], numbers: dict) -> int:
    print(json.dumps(numbers, indent=2))
    for failure in failures:
        print("FAIL:", failure)
    print("fault scenario:", "FAILED" if failures else "passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
