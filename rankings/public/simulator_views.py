"""The what-if simulator page of an agency: a GET form that recomputes, nothing saved.

Without JavaScript the form is submitted and the page rendered again with the figures;
static/js/simulator.js posts the same inputs to the API (api/simulator.py) and updates
the figures in place. Not in the page cache: every query string is a new simulation.
"""

from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language

from agencies.models import Agency
from rankings.cycles.forms import SelfAssessmentForm
from rankings.public import simulator, simulator_text
from scoring.whatif import RawInput

# The raw inputs each rule reads, as the self-assessment form names its fields.
RULE_FIELDS = {
    "direct": ("v",),
    "ratio": ("v", "d"),
    "steps": ("v",),
    "choice": ("c",),
    "capped": ("v",),
    "relative": ("v",),
}
DRAFT_PARAM = "nguon"  # ?nguon=nhap: start from the agency's draft self-assessment


def agency_simulator(request, province, slug):
    unit = get_object_or_404(
        Agency.objects.select_related("province", "block"), province__slug=province, slug=slug
    )
    draft = request.GET.get(DRAFT_PARAM) == "nhap"
    source = simulator.DRAFT if draft else simulator.PUBLISHED
    try:
        base = simulator.simulator_base(agency=unit, user=request.user, source=source)
    except simulator.Unavailable as reason:
        context = {"agency": unit, "unavailable": str(reason)}
        return render(request, "rankings/agency_simulator.html", context, status=404)
    form, changes, problems = parse_form(request.GET, base)
    result = None
    if not problems:
        try:
            result = simulator.simulation(base, changes)
        except simulator.InvalidChanges as error:
            problems = error.problems
    context = {
        "agency": unit,
        "base": base,
        "form": form,
        "rows": rows(form, base, result),
        "problems": problems,
        "draft": draft,
        "can_draft": simulator.is_agency_staff(request.user, unit),
        **(texts(result) if result else starting_figures(base)),
    }
    status = 400 if problems else 200
    return render(request, "rankings/agency_simulator.html", context, status=status)


def texts(result) -> dict:
    words = simulator_text.band_words(result)
    return {
        "sim": result,
        "before": simulator_text.figures(result, result.before, words),
        "after": simulator_text.figures(result, result.after, words),
        "plans": simulator_text.plan_texts(result, words),
    }


def starting_figures(base) -> dict:
    """Only the starting figures, beside refused inputs: nothing simulated to show."""
    start = simulator.simulation(base, {})
    return {"before": simulator_text.figures(start, start.before, simulator_text.band_words(start))}


def rows(form, base, result) -> list[dict]:
    """Per criterion: the model, its input fields (bound or not) and the points."""
    lines = {line.criterion.code: line for line in result.lines} if result else {}
    found = []
    for criterion in base.criteria:
        code = criterion.code
        fields = RULE_FIELDS.get(criterion.rule, ("v",))
        found.append(
            {
                "criterion": criterion,
                "fields": [form[f"{p}-{code}"] for p in fields],
                "line": lines.get(code),
            }
        )
    return found


def parse_form(params, base) -> tuple[SelfAssessmentForm, dict[str, RawInput], list[str]]:
    """The form, the changed inputs and the problems.

    Inputs not sent keep their starting value, so a link naming one input changes that one.
    """
    names = [f"{p}-{c.code}" for c in base.criteria for p in ("v", "d", "c")]
    sent = {name: params[name] for name in names if name in params}
    start = initial(base)
    if not sent:
        return SelfAssessmentForm(None, criteria=base.criteria, initial=start), {}, []
    form = SelfAssessmentForm({**start, **sent}, criteria=base.criteria)
    if not form.is_valid():
        return form, {}, form.problems()
    changes = {}
    for criterion in base.criteria:
        raw = _submitted(form.cleaned_data, criterion)
        if raw != base.start.get(criterion.code, RawInput()):
            changes[criterion.code] = raw
    return form, changes, []


def _submitted(data, criterion) -> RawInput:
    fields = RULE_FIELDS.get(criterion.rule, ("v",))
    code = criterion.code
    return RawInput(
        value=data.get(f"v-{code}") if "v" in fields else None,
        denominator=data.get(f"d-{code}") if "d" in fields else None,
        choice=(data.get(f"c-{code}") or None) if "c" in fields else None,
    )


def initial(base) -> dict:
    """The form's starting values: the agency's published (or draft) raw inputs."""
    values = {}
    for code, raw in base.start.items():
        values[f"v-{code}"] = _plain(raw.value)
        values[f"d-{code}"] = _plain(raw.denominator)
        values[f"c-{code}"] = raw.choice or ""
    return values


def _plain(value) -> str:
    """A raw input as typed: 12.500 -> 12,5 (the form reads the decimal comma)."""
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return text if (get_language() or "vi").startswith("en") else text.replace(".", ",")
