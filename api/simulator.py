"""POST /api/v1/simulator/: the what-if simulator's one calculation, nothing saved.

The body names the agency and the criteria whose raw inputs change; the answer is the
agency's points, total, percent, band and rank with them, among its published peers, and
the cheapest way to the next rank and band. Inputs are checked by the page's own form
(rankings.public.simulator_views), so both refuse the same values with the same words.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Agency
from api.parsers import JSONParser
from api.views import errors
from rankings.public import simulator, simulator_text
from rankings.public.simulator_views import parse_form
from scoring import milli_to_decimal

RAW = {"max_digits": 15, "decimal_places": 3, "min_value": 0}  # Score.value's column
MAX_CHANGES = 500  # no criteria set has more criteria; the set's own count is checked too


class ChangeSerializer(serializers.Serializer):
    criterion = serializers.CharField(max_length=20, help_text="Criterion code, e.g. 1.2.")
    value = serializers.CharField(
        max_length=40, required=False, allow_null=True, allow_blank=True,
        help_text="a of a ratio, or the value (decimal comma or point); empty: no input.",
    )  # fmt: skip
    denominator = serializers.CharField(
        max_length=40, required=False, allow_null=True, allow_blank=True,
        help_text="b of a ratio (greater than 0).",
    )  # fmt: skip
    choice = serializers.CharField(
        max_length=40, required=False, allow_null=True, allow_blank=True,
        help_text="The chosen key of a choice criterion.",
    )  # fmt: skip


class SimulationRequest(serializers.Serializer):
    agency = serializers.IntegerField(min_value=1, help_text="Agency id (as /agencies/).")
    source = serializers.ChoiceField(  # type: ignore[assignment]  # a declared field, not Field.source
        choices=[simulator.PUBLISHED, simulator.DRAFT],
        default=simulator.PUBLISHED,
        help_text="Start from the published inputs, or (the agency's own staff) its draft.",
    )
    changes = ChangeSerializer(  # type: ignore[call-arg]  # many=True passes max_length to the list
        many=True, max_length=MAX_CHANGES, required=False, default=list
    )


class FiguresSerializer(serializers.Serializer):
    score = serializers.DecimalField(max_digits=12, decimal_places=3)
    total = serializers.DecimalField(max_digits=12, decimal_places=3)
    percent = serializers.DecimalField(max_digits=7, decimal_places=3)
    rank = serializers.IntegerField(allow_null=True)
    ranked = serializers.IntegerField(help_text="Agencies ranked in the block.")
    band = serializers.CharField(allow_null=True)
    not_ranked_reason = serializers.CharField(allow_null=True)
    display = serializers.DictField(child=serializers.CharField(), help_text="As printed.")


class CriterionResultSerializer(serializers.Serializer):
    criterion = serializers.CharField()
    points_before = serializers.DecimalField(max_digits=12, decimal_places=3)
    points_after = serializers.DecimalField(max_digits=12, decimal_places=3)
    max_points = serializers.DecimalField(max_digits=12, decimal_places=3)
    changed = serializers.BooleanField()


class StepSerializer(serializers.Serializer):
    criterion = serializers.CharField()
    rule = serializers.CharField()
    value = serializers.DecimalField(max_digits=18, decimal_places=3, allow_null=True)
    denominator = serializers.DecimalField(max_digits=18, decimal_places=3, allow_null=True)
    choice = serializers.CharField(allow_null=True)
    points_before = serializers.DecimalField(max_digits=12, decimal_places=3)
    points_after = serializers.DecimalField(max_digits=12, decimal_places=3)
    text = serializers.CharField()


class PlanSerializer(serializers.Serializer):
    goal = serializers.ChoiceField(choices=["rank", "band"])
    available = serializers.BooleanField()
    target_rank = serializers.IntegerField(allow_null=True)
    target_band = serializers.CharField(allow_null=True)
    target_score = serializers.DecimalField(max_digits=12, decimal_places=3, allow_null=True)
    needed = serializers.DecimalField(max_digits=12, decimal_places=3, allow_null=True)
    reached = serializers.BooleanField(allow_null=True)
    headline = serializers.CharField()
    steps = StepSerializer(many=True)
    check = serializers.CharField()


class SimulationSerializer(serializers.Serializer):
    agency = serializers.IntegerField()
    year = serializers.IntegerField()
    source = serializers.CharField()  # type: ignore[assignment]  # a declared field
    publication = serializers.CharField(help_text="The published ranking the peers come from.")
    before = FiguresSerializer()
    after = FiguresSerializer()
    criteria = CriterionResultSerializer(many=True)
    plans = PlanSerializer(many=True)


EXAMPLE = OpenApiExample(
    "Raise a ratio",
    value={"agency": 12, "changes": [{"criterion": "2.3.2", "value": "71", "denominator": "71"}]},
    request_only=True,
)


class SimulatorView(APIView):
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]  # a form body cannot carry the list of changes

    @extend_schema(
        request=SimulationRequest,
        examples=[EXAMPLE],
        responses={200: SimulationSerializer, **errors(400, 403, 404)},
    )
    def post(self, request):
        """What if the agency's raw inputs were these: its figures and rank, nothing saved.

        Peers keep their published inputs; criteria scored against the best peer are
        re-normalised. `source=draft` starts from the agency's draft self-assessment and
        is for the agency's own staff (403 otherwise). At most one change per criterion.
        """
        query = SimulationRequest(data=request.data)
        query.is_valid(raise_exception=True)
        agency = get_object_or_404(
            Agency.objects.select_related("province", "block"), pk=query.validated_data["agency"]
        )
        source = query.validated_data["source"]
        try:
            base = simulator.simulator_base(agency=agency, user=request.user, source=source)
        except simulator.Unavailable as reason:
            raise NotFound(str(reason)) from None
        sim = _simulate(base, query.validated_data["changes"])
        return Response(SimulationSerializer(_body(sim)).data)


def _simulate(base, changes: list[dict]):
    """Changes checked by the page's form, then simulated; ValidationError (400) otherwise."""
    codes = [c["criterion"] for c in changes]
    known = {c.code for c in base.criteria}
    problems = [
        _("Tiêu chí không có trong bộ tiêu chí: %(c)s") % {"c": c} for c in codes if c not in known
    ]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    problems += [_("Tiêu chí %(c)s được thay đổi nhiều lần.") % {"c": c} for c in repeated]
    if len(codes) > len(known):
        problems.append(_("Nhiều thay đổi hơn số tiêu chí (%(n)s).") % {"n": len(known)})
    if problems:
        raise ValidationError({"changes": problems})
    params = {}
    for change in changes:
        code = change["criterion"]
        for prefix, field in (("v", "value"), ("d", "denominator"), ("c", "choice")):
            if field in change:
                params[f"{prefix}-{code}"] = change[field] or ""
    _form, parsed, problems = parse_form(params, base)
    if problems:
        raise ValidationError({"changes": problems})
    try:
        return simulator.simulation(base, parsed)
    except simulator.InvalidChanges as error:
        raise ValidationError({"changes": error.problems}) from None


def _body(sim) -> dict:
    words = simulator_text.band_words(sim)
    return {
        "agency": sim.base.agency.pk,
        "year": sim.base.cycle.year,
        "source": sim.base.source,
        "publication": sim.base.publication.source_line,
        "before": _figures(sim, sim.before, words),
        "after": _figures(sim, sim.after, words),
        "criteria": [
            {
                "criterion": line.criterion.code,
                "points_before": line.points_before,
                "points_after": line.points_after,
                "max_points": line.criterion.max_points,
                "changed": line.changed,
            }
            for line in sim.lines
        ],
        "plans": [_plan(sim, text) for text in simulator_text.plan_texts(sim, words)],
    }


def _figures(sim, standing, words) -> dict:
    return {
        "score": milli_to_decimal(standing.score),
        "total": milli_to_decimal(standing.total),
        "percent": standing.percent,
        "rank": standing.rank,
        "ranked": standing.ranked,
        "band": standing.band,
        "not_ranked_reason": standing.not_ranked_reason,
        "display": vars(simulator_text.figures(sim, standing, words)),
    }


def _plan(sim, text) -> dict:
    plan = sim.plans.get(text.goal)
    steps = list(zip(plan.steps, text.steps, strict=True)) if plan else []
    return {
        "goal": text.goal,
        "available": plan is not None,
        "target_rank": plan.target_rank if plan else None,
        "target_band": plan.target_band if plan else None,
        "target_score": milli_to_decimal(plan.target_score) if plan else None,
        "needed": milli_to_decimal(plan.needed) if plan else None,
        "reached": text.reached,
        "headline": text.headline,
        "check": text.check,
        "steps": [
            {
                "criterion": step.criterion,
                "rule": step.rule.value,
                "value": step.raw.value,
                "denominator": step.raw.denominator,
                "choice": step.raw.choice,
                "points_before": milli_to_decimal(step.points_before),
                "points_after": milli_to_decimal(step.points_after),
                "text": words_,
            }
            for step, words_ in steps
        ],
    }
