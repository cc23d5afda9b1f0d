"""`/api/v1/rankings/`'s JSON from plain rows: the same bytes as `RankingSerializer` over
`presenters.ranking(leaderboard(...))`, at a small multiple of a raw cursor + orjson.

The ranking's rows are read with `values_list` in one query (the agency joined, each
top-level group's points as text), last year's ranks, totals and percents in one more, and
every number is written by one formatter per figure of the criteria set, made once per
request. The header, the rules, the decision and the statistics (one object each) still go
through their serializers; only the rows, which grow with the block, skip them. Issue #21.

Queries: the latest publication, the top-level groups, the rows (plus the whole block's
ranks and totals when `q` or `band` narrows them), the baseline's publication with its
cycle, the baseline's rows, and the criteria comparison when the baseline's set differs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from functools import cache

import orjson
import pandas as pd
from django.db.models import BooleanField, Case, Value, When

from api import presenters, serializers
from api.selectors import JSONKeyText
from rankings.models import AssessmentCycle, CriterionGroup, Publication, Result
from rankings.printed import Rule, printed
from rankings.public.filters import ResultFilter
from rankings.public.selectors.leaderboard import Leaderboard, block_stats, comparability

ROUNDING = {"half_up": ROUND_HALF_UP, "truncate": ROUND_DOWN}

# The order `ResultFilter` leaves a block in when no `ordering` is asked for: `Result`'s
# own (`cycle`, `publication`, `rank`, `agency`) within one publication, the agency's
# ordering spelled out so the query joins the agency's province and block only.
DEFAULT_ORDER = ("rank", "agency__province__name", "agency__block__order", "agency__block__slug")

ROW_COLUMNS = (
    "rank",
    "agency_id",
    "agency__slug",
    "agency__name",
    "agency__short_name",
    "agency__admin_unit_code",
    "score",
    "total",
    "percent",
    "band",
    "not_ranked_reason",
    "valued",
)

# The statistics read the stats, the year before's stats and the comparison only: a
# `Leaderboard` without rows carries them through `presenters._statistics` unchanged.
_NO_ROWS = pd.DataFrame()


@dataclass(frozen=True)
class HeaderWriters:
    """The header's serializers, made once: a `ModelSerializer` works out its fields on
    each new instance, which cost more than the statistics themselves. `to_representation`
    only reads them, so one instance serves every request (and thread)."""

    rules: serializers.RulesSerializer
    publication: serializers.PublicationSerializer
    statistics: serializers.Statistics


@cache
def _writers() -> HeaderWriters:
    writers = HeaderWriters(
        serializers.RulesSerializer(), serializers.PublicationSerializer(), serializers.Statistics()
    )
    for serializer in (writers.rules, writers.publication, writers.statistics):
        _ = serializer.fields  # bound now, not by two threads at once later
    return writers


def writer(rule: Rule) -> Callable[[Decimal | None], str | None]:
    """`format(rule(value), "f")` for a stored Decimal, or None: `Rule.__call__` without
    its checks and its context (a stored number has at most 9 digits)."""
    exponent = Decimal(1).scaleb(-rule.places)
    rounding = ROUNDING[str(rule.rounding)]

    def write(value: Decimal | None) -> str | None:
        if value is None:
            return None
        return format(value.quantize(exponent, rounding=rounding), "f")

    return write


def point_text(text: str | None) -> str:
    """A group's stored points as `presenters.fixed(…, 3)` writes them ("0.000" if none)."""
    if text is None:
        return "0.000"
    return presenters.fixed_text(text, presenters.STORED_PLACES)


def _valued() -> Case:
    """Whether a result has values (a listed agency without them has `groups` = {})."""
    return Case(
        When(groups={}, then=Value(False)), default=Value(True), output_field=BooleanField()
    )


def ranking_json(cycle: AssessmentCycle, params: Mapping[str, str]) -> bytes:
    """The `/api/v1/rankings/` body of `cycle`'s latest revision, rows chosen by `params`."""
    publication = cycle.publications.order_by("-revision").first()
    assert publication is not None  # `published_block` found the cycle by its publications
    criteria_set = cycle.criteria_set
    groups = list(
        CriterionGroup.objects.filter(criteria_set=criteria_set, parent__isnull=True)
        .order_by("order", "code")
        .values_list("code", "name", "name_en")
    )
    points = {f"point_{n}": JSONKeyText("groups", code) for n, (code, *_) in enumerate(groups)}
    published = Result.objects.filter(cycle=cycle, publication=publication)
    chosen = ResultFilter(params, queryset=published)
    shown_query = chosen.qs
    if not chosen.form.cleaned_data.get("ordering"):
        shown_query = shown_query.order_by(*DEFAULT_ORDER, "agency__name")
    shown = list(
        shown_query.annotate(valued=_valued(), **points).values_list(*ROW_COLUMNS, *points)
    )
    if chosen.form.cleaned_data.get("q") or chosen.form.cleaned_data.get("band"):
        everyone = list(
            published.annotate(valued=_valued()).order_by().values_list("rank", "total", "valued")
        )
    else:
        everyone = [(row[0], row[7], row[11]) for row in shown]
    ranked = sum(rank is not None for rank, _, _ in everyone)
    stats = block_stats(
        [total for _, total, valued in everyone if valued], criteria_set.max_points, ranked=ranked
    )
    previous, before = _baseline(cycle)
    compared = None
    if previous is not None:
        compared = comparability(previous.cycle, cycle).with_sizes(previous.stats.ranked, ranked)
    board = Leaderboard(
        cycle=cycle,
        publication=publication,
        groups=[],
        rows=_NO_ROWS,
        stats=stats,
        previous=previous,
        comparable=compared is not None and compared.points,
        bands=[],
        highest=None,
        lowest=None,
        listed=len(everyone),
        comparability=compared,
    )
    if compared is None or not compared.ranks:
        before = {}
    shared = Counter(rank for rank, _, _ in everyone)
    rules = printed(criteria_set)
    body = {
        **presenters.place(cycle),
        "criteria_set": _writers().rules.to_representation(criteria_set),
        "publication": _writers().publication.to_representation(publication),
        "groups": [{"code": code, "name": name, "name_en": en} for code, name, en in groups],
        "statistics": _writers().statistics.to_representation(presenters._statistics(board)),
        "rows": _rows(
            shown, [code for code, *_ in groups], before, shared, board.comparable, rules
        ),
    }
    return (
        orjson.dumps(body).replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
    )


def _rows(shown, codes, before, shared, comparable: bool, rules) -> list[dict]:
    """The rows as `RankingRow` writes them, in `shown`'s order."""
    total, percent = writer(rules.total), writer(rules.percent)
    first_point = len(ROW_COLUMNS)
    rows = []
    for row in shown:
        rank, pk, slug, name, short, code, score, exact, share, band, why, valued = row[:12]
        prior = before.get(pk)
        previous_rank = rank_change = change = percent_change = None
        if prior is not None:
            previous_rank, previous_score, previous_percent = prior
            if previous_rank is not None and rank is not None:
                rank_change = previous_rank - rank
            if valued:
                if comparable:
                    change = total(score - previous_score)
                percent_change = percent(share - previous_percent)
        rows.append(
            {
                "rank": rank,
                "tied": rank is not None and shared[rank] > 1,
                "agency": {
                    "id": pk,
                    "slug": slug,
                    "name": name,
                    "short_name": short,
                    "admin_unit_code": code,
                },
                "groups": {
                    group: point_text(text)
                    for group, text in zip(codes, row[first_point:], strict=True)
                },
                "total": total(score),
                "percent": percent(share),
                "band": band or None,
                "not_ranked_reason": why or None,
                "previous_rank": previous_rank,
                "rank_change": rank_change,
                "change": change,
                "percent_change": percent_change,
                "total_exact": format(exact, "f"),
            }
        )
    return rows


def _baseline(cycle: AssessmentCycle) -> tuple[Leaderboard | None, dict[int, tuple]]:
    """The baseline year's figures (a `Leaderboard` without rows) and its rows by agency:
    (rank, published total, percent). Two queries, none without a baseline."""
    publication = (
        Publication.objects.filter(
            cycle__province=cycle.province_id,
            cycle__block=cycle.block_id,
            cycle__year__lt=cycle.year,
        )
        .select_related("cycle__province", "cycle__block", "cycle__criteria_set")
        .order_by("-cycle__year", "-revision")
        .first()
    )
    if publication is None:
        return None, {}
    before = publication.cycle
    rows = list(
        Result.objects.filter(cycle=before, publication=publication)
        .annotate(valued=_valued())
        .order_by()  # not `Result`'s ordering, which joins seven tables to sort
        .values_list("agency_id", "rank", "score", "percent", "total", "valued")
    )
    stats = block_stats(
        [row[4] for row in rows if row[5]],
        before.criteria_set.max_points,
        ranked=sum(row[1] is not None for row in rows),
    )
    previous = Leaderboard(
        cycle=before,
        publication=publication,
        groups=[],
        rows=_NO_ROWS,
        stats=stats,
        previous=None,
        comparable=False,
        bands=[],
        highest=None,
        lowest=None,
        listed=len(rows),
    )
    return previous, {row[0]: row[1:4] for row in rows}
