"""Prove that a backup restores: dump DATABASE_URL, restore it into a new database, and
compare every published ranking, row for row, by checksum.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/egov python scripts/backup_check.py

Steps (docs/backup.md explains them): open a REPEATABLE READ transaction on the source
and export its snapshot; checksum every publication in that snapshot and count every
table; `pg_dump -Fc --snapshot` dumps exactly that state, even while the site writes;
`pg_restore` into a new database `<name>_restore_check_<time>`; the same checksums and
counts there; the restored database and the dump are removed unless kept.

A publication's checksum is the sha256 of its frozen results ordered by agency: slug,
rank, total, score, percent, band, reason for not ranking, group and criterion points
(jsonb's text is canonical). Exit status 0 only when every publication and every table
count agree. Needs PostgreSQL's client tools of the server's major version on PATH and a
role that may create databases. Plain Python and psycopg2: no Django, so it runs against
any copy of the database, wherever the site's code is.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

PUBLICATIONS = """
SELECT concat_ws('/', pr.slug, c.year, b.slug, 'lan-' || p.revision) AS publication,
       count(r.id) AS rows,
       encode(sha256(convert_to(coalesce(string_agg(concat_ws('|',
           a.slug, coalesce(r.rank::text, ''), r.total, r.score, r.percent, r.band,
           r.not_ranked_reason, r.groups::text, r.criteria::text),
         E'\\n' ORDER BY a.slug), ''), 'UTF8')), 'hex')
FROM rankings_publication p
JOIN rankings_assessmentcycle c ON c.id = p.cycle_id
JOIN agencies_province pr ON pr.id = c.province_id
JOIN agencies_block b ON b.id = c.block_id
LEFT JOIN rankings_result r ON r.publication_id = p.id
LEFT JOIN agencies_agency a ON a.id = r.agency_id
GROUP BY p.id, pr.slug, c.year, b.slug, p.revision
ORDER BY 1
"""

TABLES = """
SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename
"""


@dataclass
class State:
    """What must survive a backup: each publication's checksum, each table's row count."""

    publications: dict[str, tuple[int, str]]
    tables: dict[str, int]
    seconds: float

    @property
    def results(self) -> int:
        return sum(rows for rows, _ in self.publications.values())


def read_state(cursor) -> State:
    started = time.perf_counter()
    cursor.execute(PUBLICATIONS)
    publications = {name: (rows, digest) for name, rows, digest in cursor.fetchall()}
    cursor.execute(TABLES)
    tables = {}
    for (table,) in cursor.fetchall():
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        tables[table] = cursor.fetchone()[0]
    return State(publications, tables, time.perf_counter() - started)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def run(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - started


def differences(source: State, restored: State) -> list[str]:
    found = []
    for name in sorted(source.publications.keys() | restored.publications.keys()):
        before, after = source.publications.get(name), restored.publications.get(name)
        if before != after:
            found.append(f"publication {name}: {before} -> {after}")
    for table in sorted(source.tables.keys() | restored.tables.keys()):
        before, after = source.tables.get(table), restored.tables.get(table)
        if before != after:
            found.append(f"table {table}: {before} rows -> {after}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="pg_restore parallel jobs")
    parser.add_argument("--keep", action="store_true", help="keep the restored database")
    parser.add_argument("--dump", type=Path, help="write the dump here and keep it")
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme not in ("postgres", "postgresql", "pgsql"):
        print("DATABASE_URL must name a PostgreSQL database (postgres://…/egov).", file=sys.stderr)
        return 2
    database = urlsplit(url).path.lstrip("/")
    target = f"{database}_restore_check_{time.strftime('%Y%m%d%H%M%S')}"[:63]
    workdir = tempfile.TemporaryDirectory(prefix="backup-check-")
    dump = args.dump or Path(workdir.name) / f"{database}.dump"

    source = psycopg2.connect(url)
    source.set_session(isolation_level="REPEATABLE READ", readonly=True)
    try:
        with source.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot(), pg_database_size(current_database())")
            snapshot, size = cursor.fetchone()
            before = read_state(cursor)
            print(
                f"source {database}: {size / 2**20:,.0f} MB, {len(before.publications)} "
                f"publications, {before.results:,} published results, {len(before.tables)} "
                f"tables; checksums in {before.seconds:.1f} s"
            )
            dumped = run(
                ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={dump}", url]
            )
        print(f"pg_dump -Fc: {dump.stat().st_size / 2**20:,.0f} MB in {dumped:.1f} s")
    finally:
        source.rollback()
        source.close()

    admin = psycopg2.connect(with_database(url, "postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target)))
    try:
        restored_url = with_database(url, target)
        command = ["pg_restore", "--no-owner", "--no-privileges", f"--jobs={args.jobs}"]
        restore = run([*command, f"--dbname={restored_url}", str(dump)])
        print(f"pg_restore --jobs={args.jobs} into {target}: {restore:.1f} s")
        with psycopg2.connect(restored_url) as restored, restored.cursor() as cursor:
            after = read_state(cursor)
        restored.close()
        wrong = differences(before, after)
        for line in wrong:
            print("MISMATCH", line)
        print(
            f"{len(after.publications) - sum(1 for w in wrong if w.startswith('publication'))}"
            f"/{len(before.publications)} publication checksums and "
            f"{len(after.tables) - sum(1 for w in wrong if w.startswith('table'))}"
            f"/{len(before.tables)} table counts agree; restore time {restore:.1f} s"
        )
    finally:
        if not args.keep:
            with admin.cursor() as cursor:
                cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(target)))
        admin.close()
        workdir.cleanup()
    print("OK: the backup restores every published ranking" if not wrong else "FAILED")
    return 0 if not wrong else 1


if __name__ == "__main__":
    sys.exit(main())
