"""The simulator's figures and proposals in words, shared by its page and its API.

One function writes each sentence, so the page (server-rendered, without JavaScript) and
the JSON the script reads say the same thing in the same language and number format.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from rankings import formatting, wording
from rankings.public.simulator import Simulation
from scoring import milli_to_decimal
from scoring.whatif import RawInput, Standing
from scoring.whatif_plan import Plan, Step


@dataclass(frozen=True)
class Figures:
    """One standing as the page prints it."""

    total: str
    percent: str
    band: str
    rank: str


@dataclass(frozen=True)
class PlanText:
    goal: str
    headline: str
    steps: list[str]
    check: str
    reached: bool | None  # None: no proposal (already there, or not ranked)


def band_words(sim: Simulation) -> dict[str, str]:
    """Band labels in the page's language (a query in English, none in Vietnamese)."""
    return wording.band_words(criteria_set=sim.base.cycle.criteria_set)


def figures(sim: Simulation, standing: Standing, words: dict[str, str]) -> Figures:
    rules = sim.base.rules
    rank = (
        f"{standing.rank}/{standing.ranked}"
        if standing.rank is not None
        else _("Không xếp hạng") + f" ({standing.not_ranked_reason})"
    )
    return Figures(
        total=formatting.points(milli_to_decimal(standing.score), rules.precision),
        percent=formatting.percent(standing.percent, rules.percent_precision),
        band=words.get(standing.band or "", standing.band or "—"),
        rank=rank,
    )


def plan_texts(sim: Simulation, words: dict[str, str]) -> list[PlanText]:
    """The proposals for the next rank and the next band, in words."""
    return [_plan_text(sim, goal, sim.plans.get(goal), words) for goal in ("rank", "band")]


def _plan_text(sim: Simulation, goal: str, plan: Plan | None, words: dict[str, str]) -> PlanText:
    precision = sim.base.rules.precision
    if plan is None:
        return PlanText(goal, _none_text(sim, goal), [], "", None)
    needed = formatting.points(milli_to_decimal(plan.needed), 3)
    score = formatting.points(milli_to_decimal(plan.target_score), precision)
    if goal == "rank":
        headline = _(
            "Lên hạng %(r)s (bằng %(s)s điểm của đơn vị xếp trên): cần thêm ít nhất %(n)s điểm."
        ) % {"r": plan.target_rank, "s": score, "n": needed}
    else:
        band = words.get(plan.target_band or "", plan.target_band)
        headline = _("Đạt xếp loại %(b)s (từ %(s)s điểm): cần thêm ít nhất %(n)s điểm.") % {
            "b": band,
            "s": score,
            "n": needed,
        }
    names = {c.code: c for c in sim.base.criteria}
    steps = [_step_text(step, names[step.criterion]) for step in plan.steps]
    shown = figures(sim, plan.result, words)
    check = _(
        "Kiểm tra bằng cách tính lại cả khối: %(t)s điểm (%(p)s), hạng %(r)s, xếp loại %(b)s."
    ) % {"t": shown.total, "p": shown.percent, "r": shown.rank, "b": shown.band}
    if not plan.reached:
        check += " " + _("Chưa đạt được dù lấy hết điểm còn lại của các tiêu chí.")
    return PlanText(goal, headline, steps, check, plan.reached)


def _none_text(sim: Simulation, goal: str) -> str:
    after = sim.after
    if after.rank is None:
        return _("Đơn vị không được xếp hạng: %(r)s.") % {"r": after.not_ranked_reason}
    if goal == "rank":
        return _("Đơn vị đang đứng đầu khối.")
    return _("Đơn vị đã ở xếp loại cao nhất.")


def _step_text(step: Step, criterion) -> str:
    before = formatting.points(milli_to_decimal(step.points_before), 3)
    after = formatting.points(milli_to_decimal(step.points_after), 3)
    return _("Tiêu chí %(c)s (%(n)s): %(raw)s, từ %(a)s lên %(b)s điểm.") % {
        "c": step.criterion,
        "n": wording.local_name(criterion),
        "raw": raw_text(step.rule.value, step.raw, criterion),
        "a": before,
        "b": after,
    }


def raw_text(rule: str, raw: RawInput, criterion) -> str:
    """The raw input a rule needs, in words: "a/b = 71/71", "chọn “Chủ tịch”"."""
    value = formatting.raw_value(raw.value)
    if rule == "ratio":
        return _("a/b = %(a)s/%(b)s") % {"a": value, "b": formatting.raw_value(raw.denominator)}
    if rule == "choice":
        label = wording.choice_label(criterion.params, raw.choice or "")
        return _("chọn “%(k)s”") % {"k": label}
    if rule == "direct":
        return _("chấm %(v)s điểm") % {"v": value}
    if rule == "capped":
        return _("số lượng %(v)s") % {"v": value}
    if rule == "relative":
        return _("giá trị %(v)s (so với đơn vị cao nhất khối)") % {"v": value}
    return _("giá trị %(v)s") % {"v": value}
