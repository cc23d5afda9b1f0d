import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from rankings.cycles import notifications
from rankings.models import AssessmentCycle, CycleState


class Command(BaseCommand):
    help = "Remind agencies whose self-assessment deadline is N days away (run daily)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3)

    def handle(self, *args, days: int, **options):
        due = timezone.localdate() + datetime.timedelta(days=days)
        cycles = AssessmentCycle.objects.filter(state=CycleState.OPEN, submission_deadline=due)
        sent = sum(
            notifications.deadline_near(c, days_left=days)
            for c in cycles.select_related("province", "block")
        )
        self.stdout.write(f"{sent} reminders for {len(cycles)} cycles due {due:%d/%m/%Y}.")
