"""Chart figures and their one-sentence text summaries for the pages."""

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from rankings.public import charts, tables
from rankings.public.selectors.leaderboard import STRUCTURE
from rankings.templatetags import ranking_format


def _pct(value, places) -> str:
    return f"{number_format(value, decimal_pos=places, use_l10n=True)}%"


def agency_charts(profile) -> dict:
    if not profile.history:
        return {}
    history = tables.history_table(profile).frame
    breaks = frozenset(
        point.cycle.year for point in profile.history if point.not_comparable_reason == STRUCTURE
    )
    history_figure = charts.history_chart(
        history, labels={"percent": _("% điểm tối đa"), "rank": _("Thứ hạng")}, breaks=breaks
    )
    steps = [
        _("%(year)s: hạng %(rank)s, %(percent)s")
        % {
            "year": point.cycle.year,
            "rank": point.result.rank or "—",
            "percent": _pct(point.result.percent, point.cycle.criteria_set.percent_precision),
        }
        for point in profile.history
    ]
    groups = [(g.name, float(p), float(m)) for g, p, m, _gap in profile.groups]
    weakest = min(profile.groups, key=lambda row: row[3], default=None)
    groups_summary = ""
    if weakest is not None:
        groups_summary = _("Nhóm thấp nhất so với trung bình khối: %(name)s (%(gap)s điểm).") % {
            "name": weakest[0].name,
            "gap": number_format(weakest[3], decimal_pos=3, use_l10n=True),
        }
    return {
        "history_figure": history_figure.to_json(),
        "history_summary": "; ".join(steps) + ".",
        "groups_figure": charts.groups_chart(
            groups,
            labels={
                "agency": profile.agency.short_name,
                "mean": _("Trung bình khối"),
                "points": _("Điểm"),
            },
        ).to_json(),
        "groups_summary": groups_summary,
    }


def trend_charts(trend) -> dict:
    frame = tables.trend_table(trend).frame
    distributions = {str(y.cycle.year): [float(t) for t in y.totals] for y in trend.years}
    breaks = frozenset(y.cycle.year for y in trend.years if y.not_comparable_reason == STRUCTURE)
    figure = charts.trend_chart(
        frame,
        distributions,
        labels={"mean": _("Điểm trung bình"), "points": _("Điểm")},
        breaks=breaks,
    )
    summary = "; ".join(
        _("%(year)s: trung bình %(mean)s, cao nhất %(high)s, thấp nhất %(low)s")
        % {
            "year": year.cycle.year,
            "mean": ranking_format.statistic(year.stats.mean, year.cycle.criteria_set),
            "high": ranking_format.total(year.stats.highest, year.cycle.criteria_set),
            "low": ranking_format.total(year.stats.lowest, year.cycle.criteria_set),
        }
        for year in trend.years
    )
    return {"trend_figure": figure.to_json(), "trend_summary": summary + "."}
