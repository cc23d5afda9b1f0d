"""Models kept in their own modules, gathered for rankings/models.py (app label rankings)."""

from rankings.alerts.models import AlertSubscription
from rankings.jobs.models import Job
from rankings.targets.models import Target

__all__ = ["AlertSubscription", "Job", "Target"]
