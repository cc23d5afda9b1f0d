import time

from django.core.management.base import BaseCommand, CommandError

from agencies.units import UnitError, unit_agencies_create


class Command(BaseCommand):
    help = (
        "Create the district and commune People's Committee agencies of a legacy province, "
        "the current province it became part of (from 1 July 2025) with its communes, and "
        "the succession links between them. Reuses agencies that carry a unit's code. "
        "Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--province",
            type=int,
            required=True,
            metavar="CODE",
            help="Legacy (pre-2025) province code, e.g. 26 for Vĩnh Phúc.",
        )

    def handle(self, *args, province: int, **options):
        started = time.perf_counter()
        try:
            summary, current = unit_agencies_create(province=province)
        except UnitError as error:
            raise CommandError(str(error)) from error
        created = sum(summary.created.values())
        reused = ", ".join(f"{count} {kind}" for kind, count in summary.reused.items() if count)
        made = ", ".join(f"{count} {kind}" for kind, count in summary.created.items() if count)
        if summary.provinces_created:
            self.stdout.write(f"Provinces created: {', '.join(summary.provinces_created)}.")
        self.stdout.write(f"Current province(s): {', '.join(p.slug for p in current)}.")
        if not created and not summary.successions_created and not summary.provinces_created:
            self.stdout.write(
                f"Nothing to change: all agencies already exist ({reused or 'none'}); "
                f"{time.perf_counter() - started:.1f}s."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Agencies: created {made or 'none'}; reused {reused or 'none'}. "
                f"Successions: {summary.successions_created} created, "
                f"{summary.successions_updated} updated "
                f"({time.perf_counter() - started:.1f}s)."
            )
        )
