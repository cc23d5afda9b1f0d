"""scripts/backup_check.py: dump, restore into a new database, same checksums.

The end-to-end test needs PostgreSQL and its client tools (CI; `DATABASE_URL=… make
test`): it dumps the test database holding the world's three publications, restores it
and compares. With SQLite it is skipped; the comparison itself is tested everywhere.
"""

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "backup_check.py"


def load_script():
    spec = importlib.util.spec_from_file_location("backup_check", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_a_changed_publication_or_table_count_is_a_mismatch():
    script = load_script()
    source = script.State(
        {"mau/2021/districts/lan-1": (3, "ab"), "x/lan-1": (1, "cd")}, {"t": 5}, 0
    )
    same = script.State(dict(source.publications), dict(source.tables), 0)
    assert script.differences(source, same) == []
    changed = script.State({"mau/2021/districts/lan-1": (3, "ff")}, {"t": 4}, 0)
    assert script.differences(source, changed) == [
        "publication mau/2021/districts/lan-1: (3, 'ab') -> (3, 'ff')",
        "publication x/lan-1: (1, 'cd') -> None",
        "table t: 5 rows -> 4",
    ]


@pytest.mark.django_db(transaction=True)  # committed, so pg_dump sees the world
def test_the_backup_of_the_test_database_restores_every_publication(world):
    if connection.vendor != "postgresql":
        pytest.skip("the backup check needs PostgreSQL (DATABASE_URL=postgres://…)")
    # With a PostgreSQL server to test against, its client tools are part of the setup
    # (Debian's postgresql-client, as the backup runbook needs): missing ones fail the test.
    missing = [tool for tool in ("pg_dump", "pg_restore") if not shutil.which(tool)]
    assert not missing, f"PostgreSQL's client tools are not installed: {missing}"
    db = connection.settings_dict
    login = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    url = f"postgres://{login}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--jobs=1"],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 publications, 9 published results" in done.stdout
    assert "3/3 publication checksums" in done.stdout
    assert "OK: the backup restores every published ranking" in done.stdout
