"""Remove data created outside a test transaction (module-scoped fixtures)."""

from agencies.models import Agency, Block, Province
from rankings.models import AssessmentCycle, CriteriaSet, Publication, Result, Score


def delete_everything() -> None:
    from django.contrib.auth import get_user_model

    for model in (
        Result,
        Score,
        Publication,
        AssessmentCycle,
        CriteriaSet,
        Agency,
        Province,
        Block,
    ):
        model.objects.all().delete()
        history = getattr(model, "history", None)
        if history is not None:  # simple_history rows outlive their objects
            history.model.objects.all().delete()
    from rankings.models import Evidence

    Evidence.history.model.objects.all().delete()
    get_user_model().objects.all().delete()
