import time

from django.core.management.base import BaseCommand, CommandError

from agencies.models import Province
from rankings.cycles.year_recompute import RecomputeRefused, year_recompute
from rankings.jobs.kinds import recompute_request


class Command(BaseCommand):
    help = (
        "Recompute points and draft results of every cycle of a year (whatever its state; "
        "published revisions are never touched), in one transaction. On PostgreSQL in bulk "
        "(COPY, one engine call per criteria set); elsewhere cycle by cycle."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="The year, e.g. 2024.")
        parser.add_argument(
            "--province", help="Only this province's cycles (its slug, e.g. vinh-phuc)."
        )
        parser.add_argument(
            "--job",
            action="store_true",
            help="Queue it as a job (rankings.jobs) for the worker, shown to the province's "
            "staff, and return at once (without a broker it runs here as a job).",
        )

    def handle(self, *args, year, province, job=False, **options):
        found = Province.objects.filter(slug=province).first() if province else None
        if province is not None and found is None:
            raise CommandError(f"no province with slug {province!r}")
        if job:
            queued = recompute_request(year=year, province=found)
            queued.refresh_from_db()
            self.stdout.write(
                f"Job {queued.pk}: {queued.status}"
                + (f" ({queued.error})" if queued.error else f" {queued.result or ''}")
            )
            return
        scope = f"{year}" + (f" in {province}" if province else "")
        started = time.perf_counter()
        try:
            summary = year_recompute(year=year, province=province)
        except RecomputeRefused as refused:
            shown = "\n".join(f"  {problem}" for problem in refused.problems[:20])
            more = len(refused.problems) - 20
            raise CommandError(
                f"nothing written: the stored scores of {refused.cycle} (cycle "
                f"{refused.cycle.pk}) are refused by the engine:\n{shown}"
                + (f"\n  … and {more:,} more" if more > 0 else "")
            ) from refused
        if not summary.cycles:
            self.stdout.write(f"No cycle in {scope}: nothing to recompute.")
            return
        how = "in bulk" if summary.bulk else "cycle by cycle"
        self.stdout.write(
            f"Recomputed {summary.cycles} cycles of {scope} {how}: {summary.results:,} draft "
            f"results, {summary.scores_updated:,} points changed "
            f"({time.perf_counter() - started:.1f} s)."
        )
