import contextlib
import ctypes
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from rankings.imports.national_csv import national_import
from rankings.imports.types import ImportRefused

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter (malloc.h)
MMAP_FROM = 4 << 20  # bytes


def large_blocks_mapped() -> None:
    """Make glibc map every block of 4 MB or more on its own, and unmap it when freed.

    By default glibc raises that threshold (up to 32 MB) each time a large block is freed,
    so the import's column arrays (8 MB for 100,000 lines) soon come from the heap, whose
    freed pages stay mapped: about 10 MB more peak RSS for a national year (277-278 against
    285-288 MB, alternated), at no measurable cost in time. A fixed threshold is what
    `MALLOC_MMAP_THRESHOLD_` in the environment would set. Elsewhere (musl, macOS) nothing
    happens.
    """
    with contextlib.suppress(OSError, AttributeError, TypeError):
        ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, MMAP_FROM)  # the process's own libc


class Command(BaseCommand):
    # The system checks import every URL, view, template tag and the API schema (~30 MB
    # peak RSS, ~5 s at national scale); this command needs the models only, and the
    # deployment runs `manage.py check --deploy` itself.
    requires_system_checks: list[str] = []
    help = (
        "Import a national CSV of one year's final scores, one value a line (columns "
        "province, block, agency, criterion, value, and optionally year, denominator, "
        "choice), all or nothing; then recompute the cycles it touches. UTF-8 only."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The CSV file (UTF-8, with or without BOM).")
        parser.add_argument("--year", type=int, required=True, help="The year, e.g. 2024.")
        parser.add_argument(
            "--reason",
            default="",
            help="Correction reason: needed when the file touches a published cycle.",
        )
        parser.add_argument(
            "--user", help="Username recorded as the author of the scores and audit rows."
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Check and compute everything, then roll back: nothing is written.",
        )

    def handle(self, *args, file, year, reason, user, check, **options):
        if not file.is_file():
            raise CommandError(f"no such file: {file}")
        author = None
        if user is not None:
            author = get_user_model().objects.filter(username=user).first()
            if author is None:
                raise CommandError(f"no user {user!r}")
        large_blocks_mapped()
        started = time.perf_counter()
        try:
            summary = national_import(
                path=file, year=year, user=author, reason=reason, check_only=check
            )
        except ImportRefused as refused:
            lines = [str(refused)]
            lines += [f"  {problem}" for problem in refused.problems]
            more = refused.total - len(refused.problems)
            if more > 0:
                lines.append(f"  … and {more:,} more ({refused.total:,} problems in all)")
            raise CommandError("\n".join(lines)) from refused
        self.stdout.write(
            f"{'Checked' if check else 'Imported'} {file.name}: {summary.values:,} values "
            f"({summary.lines:,} lines) for {summary.cycles} cycles of {year}: "
            f"{summary.created:,} scores created, {summary.updated:,} changed, "
            f"{summary.unchanged:,} unchanged, {summary.empty:,} left empty; "
            f"{summary.results:,} draft results, {summary.points_updated:,} other points "
            f"changed ({'in bulk' if summary.bulk else 'cycle by cycle'}, "
            f"{time.perf_counter() - started:.1f} s)."
            + (" Nothing was written (--check)." if check else "")
        )
