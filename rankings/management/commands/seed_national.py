import time

from django.core.management.base import BaseCommand, CommandError

from agencies.models import NATIONAL_SLUG
from rankings.seed.synthetic_catalogue import DEFAULT_YEARS
from rankings.seed.synthetic_national import peak_mb, seed_national
from rankings.seed.synthetic_writes import national_reset, table_counts


def _codes(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise CommandError(f"expected comma-separated numbers, got {text!r}") from None


class Command(BaseCommand):
    help = (
        "Load a national, clearly synthetic data set: all 63 legacy provinces (about 20 "
        "departments each, their districts and communes) ranked 2019–2024, the 34 current "
        "provinces (departments and communes) in 2025; and the national ranking of those "
        "provinces (DTI-like, /toan-quoc/). Deterministic from --seed; cycles that already "
        "exist (the demo's, or an earlier run's) are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42).")
        parser.add_argument(
            "--years",
            type=_codes,
            default=list(DEFAULT_YEARS),
            help="Comma-separated years (default 2019–2025; before 2025 uses the 63 legacy "
            "provinces, 2025 on uses the 34 current ones).",
        )
        parser.add_argument(
            "--provinces",
            type=_codes,
            default=None,
            help="Comma-separated legacy province codes, e.g. 26,14 (default: all 63); 2025 "
            "then covers the current provinces they became part of. The national ranking "
            "of a year covers the provinces of the run that first seeds it.",
        )
        parser.add_argument(
            "--keep-foreign-keys",
            action="store_true",
            help="PostgreSQL: check foreign keys row by row as written (about 2.5× slower) "
            "instead of dropping and re-creating them, validated, inside each year's "
            "transaction, which locks the scores and results tables for that year.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the national cycles (scores, results, publications) first; "
            "agencies, units and the national criteria sets stay.",
        )

    def handle(self, *args, seed, years, provinces, reset, keep_foreign_keys, **options):
        started = time.perf_counter()
        if any(not 2000 <= year <= 2100 for year in years):
            raise CommandError("years must be between 2000 and 2100")
        if reset:
            deleted = national_reset()
            self.stdout.write(
                "Deleted: " + ", ".join(f"{n} {name}" for name, n in deleted.items()) + "."
            )
        try:
            summary = seed_national(
                seed=seed,
                years=years,
                provinces=provinces,
                fast_keys=not keep_foreign_keys,
                log=self.stdout.write,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self._report(summary)
        self.stdout.write("Rows per table:")
        for table, count in table_counts().items():
            self.stdout.write(f"  {table:<28} {count:>10,}")
        self.stdout.write(
            f"Wall time {time.perf_counter() - started:.1f}s, peak memory {peak_mb():.0f} MB."
        )

    def _report(self, summary) -> None:
        """What the run kept, seeded, and ranked nationally."""
        if summary.skipped:
            shown = ", ".join(summary.skipped[:6]) + (" …" if len(summary.skipped) > 6 else "")
            self.stdout.write(
                f"Kept {len(summary.skipped)} existing cycles not from this seed ({shown})."
            )
        if not summary.cycles:
            self.stdout.write("Nothing to seed: every cycle asked for already exists.")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Seeded {summary.cycles} cycles: {summary.scores} scores, "
                    f"{summary.results} results, {summary.publications} publications."
                )
            )
        if summary.national:
            years_text = ", ".join(
                f"{year} {n.provinces} provinces" for year, n in summary.national.items()
            )
            scores = sum(n.scores for n in summary.national.values())
            results = sum(n.results for n in summary.national.values())
            seconds = sum(n.seconds for n in summary.national.values())
            self.stdout.write(
                f"National ranking (/{NATIONAL_SLUG}/): {years_text}; {scores} scores, "
                f"{results} results in {seconds:.2f}s."
            )
