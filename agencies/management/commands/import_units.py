import time

from django.core.management.base import BaseCommand, CommandError

from agencies.units import UnitError, units_import


class Command(BaseCommand):
    help = (
        "Load Vietnam's official administrative units from vietnam-provinces: the legacy era "
        "(63 provinces, 696 districts, 10,051 communes), the current one (34 provinces, 3,321 "
        "communes) and the 1 July 2025 old → new links. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--era",
            choices=["legacy", "current", "all"],
            default="all",
            help="Which era to load (default: all, with the links between them).",
        )
        parser.add_argument(
            "--province",
            type=int,
            metavar="CODE",
            help="Only this province: a legacy code with --era legacy or all (all also loads "
            "the current province it became part of), a current code with --era current.",
        )

    def handle(self, *args, era: str, province: int | None, **options):
        started = time.perf_counter()
        try:
            summary = units_import(era=era, province=province)
        except UnitError as error:
            raise CommandError(str(error)) from error
        seconds = time.perf_counter() - started
        levels = ", ".join(
            f"{count} {era_} {level}" for (era_, level), count in summary.by_level.items()
        )
        self.stdout.write(f"Read {summary.units} units ({levels}).")
        if not summary.changed:
            self.stdout.write(
                f"Nothing to change: all {summary.units} units and {summary.links} links are "
                f"already up to date ({seconds:.1f}s)."
            )
            return
        unchanged = summary.units - summary.created - summary.updated
        links_unchanged = summary.links - summary.links_created - summary.links_updated
        self.stdout.write(
            self.style.SUCCESS(
                f"Units: {summary.created} created, {summary.updated} updated, "
                f"{unchanged} unchanged. Links old → new: {summary.links_created} created, "
                f"{summary.links_updated} updated, {links_unchanged} unchanged "
                f"({seconds:.1f}s)."
            )
        )
        if summary.links_skipped:
            self.stdout.write(
                f"{summary.links_skipped} links skipped: one end is not loaded (another "
                "province or era), or the package's conversion table names a code its unit "
                "lists lack."
            )
