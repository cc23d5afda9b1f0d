"""`make audit`: the locked dependencies against the package index, our code against bandit,
and the lock against known vulnerabilities when a database of them can be reached.

    python scripts/audit.py [--lock requirements/dev.txt] [--index https://pypi.org]

1. **Behind a patch release**: for every `name==X.Y.Z` of the lock file, the index's JSON
   API (`<index>/pypi/<name>/json`, the query that works on these machines) is asked for
   its releases; a final, not yanked release `X.Y.W` with `W > Z` is listed, with the
   command that refreshes the lock (`make lock`). Nothing on the index is downloaded.
2. **bandit** `-lll` (high severity) over our packages.
3. **pip-audit** `--disable-pip` on the hashed lock file, when its vulnerability service
   (PyPI's) answers; otherwise the audit says so plainly and that part is not counted
   as passed.

Exit status 0 only when nothing is behind a patch release, bandit finds nothing and
pip-audit either ran clean or could not run (then the output says it did not run).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
PINNED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", re.M)
OUR_CODE = ["accounts", "agencies", "api", "config", "rankings", "scoring"]


def pins(lock: Path) -> dict[str, str]:
    return {name.lower(): version for name, version in PINNED.findall(lock.read_text())}


def releases(index: str, name: str, timeout: float = 15.0) -> dict[str, list[dict]]:
    url = f"{index.rstrip('/')}/pypi/{name}/json"
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.load(response)["releases"]


def newest_patch(pinned: str, available: dict[str, list[dict]]) -> str | None:
    """The newest final, not yanked release on `pinned`'s major.minor above it, if any."""
    try:
        current = Version(pinned)
    except InvalidVersion:
        return None
    best = current
    for text, files in available.items():
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        if version.is_prerelease or version.is_devrelease:
            continue
        if files and all(f.get("yanked") for f in files):
            continue
        if version.release[:2] == current.release[:2] and version > best:
            best = version
    return str(best) if best != current else None


def behind(lock: Path, index: str, only: set[str] | None = None) -> tuple[list[str], list[str]]:
    """(lines for packages behind a patch release, lines for packages the index did not answer)."""
    late, unknown = [], []
    for name, version in sorted(pins(lock).items()):
        if only and name not in only:
            continue
        try:
            newer = newest_patch(version, releases(index, name))
        except (urllib.error.URLError, OSError, ValueError, KeyError) as error:
            unknown.append(f"{name}=={version}: the index did not answer ({error})")
            continue
        if newer:
            late.append(f"{name}=={version} → {newer}")
    return late, unknown


def vulnerability_service_reachable(index: str) -> str | None:
    """None if PyPI's JSON API (pip-audit's `pypi` service) answers, else why not."""
    try:
        releases(index, "pip", timeout=10)
    except (urllib.error.URLError, OSError, ValueError, KeyError) as error:
        return str(error)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lock", type=Path, default=ROOT / "requirements" / "dev.txt")
    parser.add_argument("--index", default="https://pypi.org")
    parser.add_argument("--only", default="", help="comma-separated names: check just these")
    parser.add_argument("--skip-bandit", action="store_true")
    parser.add_argument("--skip-pip-audit", action="store_true")
    args = parser.parse_args(argv)
    status = 0
    only = {n.strip().lower() for n in args.only.split(",") if n.strip()} or None

    print(f"== Locked dependencies behind their newest patch release ({args.lock.name})")
    late, unknown = behind(args.lock, args.index, only)
    for line in late:
        print(f"  BEHIND  {line}")
    for line in unknown:
        print(f"  UNKNOWN {line}")
    checked = len(only) if only else len(pins(args.lock))
    print(f"  {checked} checked, {len(late)} behind, {len(unknown)} not answered")
    if late:
        print("  Refresh the lock with `make lock` (then `make install` and `make test`).")
    if late or unknown:
        status = 1

    if not args.skip_bandit:
        print("== bandit -lll (high severity) on " + ", ".join(OUR_CODE))
        bandit = subprocess.run(
            [sys.executable, "-m", "bandit", "-q", "-r", *OUR_CODE, "-lll"], cwd=ROOT
        )
        print("  clean" if bandit.returncode == 0 else "  FINDINGS above")
        status |= bandit.returncode != 0

    if not args.skip_pip_audit:
        print("== pip-audit on the lock file (PyPI's vulnerability data)")
        why = vulnerability_service_reachable(args.index)
        if why:
            print(f"  NOT RUN: the vulnerability service at {args.index} is unreachable ({why}).")
            print("  Known vulnerabilities were NOT checked; run `make audit` where it is.")
        else:
            audit = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip_audit",
                    "--strict",
                    "--disable-pip",
                    "--vulnerability-service",
                    "pypi",
                    "-r",
                    str(args.lock),
                ],
                cwd=ROOT,
            )
            status |= audit.returncode != 0
    return status


if __name__ == "__main__":
    sys.exit(main())
