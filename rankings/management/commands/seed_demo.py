import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency, Block, Province
from rankings.models import AssessmentCycle, CriteriaSet, Publication, Result
from rankings.seed.demo import demo_exists, seed_demo


class Command(BaseCommand):
    help = "Load the demo world (Vĩnh Phúc 2019–2021, Sơn La 2019–2020); deterministic."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete all rankings and agencies first, then load again.",
        )

    def handle(self, *args, reset: bool, **options):
        if demo_exists() and not reset:
            self.stdout.write("Demo data already loaded (use --reset to load it again).")
            return
        if reset or Province.objects.exists():
            if not reset:
                raise CommandError("The database holds other data; use --reset to replace it.")
            for model in (
                Result,
                Publication,
                AssessmentCycle,
                CriteriaSet,
                Agency,
                Province,
                Block,
            ):
                model.objects.all().delete()
        started = time.perf_counter()
        counts = seed_demo()
        self._ensure_demo_admin()
        self._ensure_demo_users()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded in {time.perf_counter() - started:.1f}s: "
                f"{counts['agencies']} agencies, "
                f"{counts['cycles']} published cycles, {counts['scores']} criterion scores."
            )
        )

    def _ensure_demo_admin(self) -> None:
        from django.conf import settings

        if not settings.DEBUG:
            return  # never create a known password outside the demo
        user_model = get_user_model()
        if not user_model.objects.filter(username="admin").exists():
            user_model.objects.create_superuser("admin", "admin@example.invalid", "admin")
            self.stdout.write("Created the demo superuser admin / admin (DEBUG only).")

    DEMO_PASSWORD = "demo-2026"  # demo accounts exist only with DEBUG on
    DEMO_USERS = [
        ("quantri", "admin", None),
        ("ict", "editor", None),
        ("hoidong", "reviewer", None),
        ("pheduyet", "approver", None),
        ("lapthach-baocao", "reporter", "lap-thach"),
        ("lapthach-thutruong", "head", "lap-thach"),
        ("yenlac-baocao", "reporter", "yen-lac"),
        ("yenlac-thutruong", "head", "yen-lac"),
    ]

    def _ensure_demo_users(self) -> None:
        """One account per role in Vĩnh Phúc, so the whole cycle can be tried in the demo."""
        from django.conf import settings

        from agencies.models import Agency, Province
        from rankings.models import Membership

        if not settings.DEBUG:
            return
        province = Province.objects.get(slug="vinh-phuc")
        user_model = get_user_model()
        for username, role, agency_slug in self.DEMO_USERS:
            user, created = user_model.objects.get_or_create(
                username=username, defaults={"email": f"{username}@example.invalid"}
            )
            if created:
                user.set_password(self.DEMO_PASSWORD)
                user.save()
            agency = (
                Agency.objects.get(province=province, slug=agency_slug) if agency_slug else None
            )
            Membership.objects.get_or_create(user=user, role=role, province=province, agency=agency)
        names = ", ".join(name for name, _role, _agency in self.DEMO_USERS)
        self.stdout.write(f"Demo accounts (password {self.DEMO_PASSWORD}, DEBUG only): {names}.")
