import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from rankings.cycles import notifications
from rankings.models import AssessmentCycle, CycleState, Submission


class Command(BaseCommand):
    help = "Remind agencies whose self-assessment deadline is N days away (run daily)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3)

    def handle(self, *args, days: int, **options):
        due = timezone.localdate() + datetime.timedelta(days=days)
        open_cycles = AssessmentCycle.objects.filter(state=CycleState.OPEN)
        cycles = open_cycles.filter(submission_deadline=due).select_related("province", "block")
        sent = 0
        for cycle in cycles:  # everyone due then, but those given a later deadline
            later = Submission.objects.filter(cycle=cycle, extended_to__gt=due)
            exclude = set(later.values_list("agency_id", flat=True))
            sent += notifications.deadline_near(cycle, days_left=days, exclude=exclude)
        extended = Submission.objects.filter(cycle__in=open_cycles, extended_to=due).select_related(
            "cycle__province", "cycle__block", "agency"
        )
        for submission in extended:  # an agency's own extension ends then
            if submission.deadline() == due:
                sent += notifications.deadline_near(
                    submission.cycle, days_left=days, deadline=due, agency=submission.agency
                )
        self.stdout.write(
            f"{sent} reminders for {len(cycles)} cycles and {len(extended)} extensions "
            f"due {due:%d/%m/%Y}."
        )
