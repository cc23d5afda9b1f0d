"""Chart figures and their one-sentence text summaries for the pages."""

from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from rankings.public import charts, tables
from rankings.public.selectors.baseline import CRITERIA, GAP, STRUCTURE
from rankings.templatetags import ranking_format
from rankings.wording import local_name

# Years whose line does not join the year before's: another administrative structure, or
# another criteria set (a method change), even drawn in percent of maximum.
BREAKING = (STRUCTURE, CRITERIA)


def _pct(value, places) -> str:
    return f"{number_format(value, decimal_pos=places, use_l10n=True)}%"


def agency_charts(profile) -> dict:
    if not profile.history:
        return {}
    history = tables.history_table(profile).frame
    breaks = frozenset(
        point.cycle.year for point in profile.history if point.not_comparable_reason in BREAKING
    )
    history_figure = charts.history_chart(
        history,
        labels={"percent": _("% điểm tối đa"), "rank": _("Thứ hạng")},
        breaks=breaks,
        notes=_chart_notes(profile.history),
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
    english = (translation.get_language() or "").startswith("en")
    groups = [(local_name(g), float(p), float(m)) for g, p, m, _gap in profile.groups]
    weakest = min(profile.groups, key=lambda row: row[3], default=None)
    groups_summary = ""
    if weakest is not None:
        groups_summary = _("Nhóm thấp nhất so với trung bình khối: %(name)s (%(gap)s điểm).") % {
            "name": local_name(weakest[0]),
            "gap": number_format(weakest[3], decimal_pos=3, use_l10n=True),
        }
    return {
        "history_figure": history_figure.to_json(),
        "history_summary": "; ".join(steps) + ".",
        "groups_figure": charts.groups_chart(
            groups,
            labels={
                # An SVG legend cannot be marked lang="vi": English pages say "this agency".
                "agency": _("Đơn vị này") if english else profile.agency.short_name,
                "mean": _("Trung bình khối"),
                "points": _("Điểm"),
            },
        ).to_json(),
        "groups_summary": groups_summary,
    }


def _chart_notes(years) -> dict[int, str]:
    """The note marked on a chart before each year that changes method or follows a gap."""
    notes = {}
    for year in years:
        if year.not_comparable_reason == CRITERIA:
            notes[year.cycle.year] = _("Đổi bộ tiêu chí")
        elif year.not_comparable_reason == GAP:
            notes[year.cycle.year] = _("Có năm không công bố")
        elif year.not_comparable_reason == STRUCTURE:
            notes[year.cycle.year] = _("Sắp xếp ĐVHC")
    return notes


def trend_in_percent(trend) -> bool:
    """Whether the trend is drawn in percent of maximum: its years' maxima differ."""
    return len({year.stats.max_points for year in trend.years}) > 1


def trend_charts(trend) -> dict:
    frame = tables.trend_table(trend).frame
    in_percent = trend_in_percent(trend)
    if in_percent:  # never one line across different maxima: 131.7 → 826.1 is no trend
        frame = frame.assign(mean=[year.stats.mean_percent for year in trend.years])
    distributions = {
        str(y.cycle.year): [
            float(t * 100 / y.stats.max_points) if in_percent else float(t) for t in y.totals
        ]
        for y in trend.years
    }
    breaks = frozenset(y.cycle.year for y in trend.years if y.not_comparable_reason in BREAKING)
    figure = charts.trend_chart(
        frame,
        distributions,
        labels={
            "mean": _("Trung bình (% điểm tối đa)") if in_percent else _("Điểm trung bình"),
            "points": _("% điểm tối đa") if in_percent else _("Điểm"),
        },
        breaks=breaks,
        notes=_chart_notes(trend.years),
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
    if in_percent:  # the summary speaks the chart's unit
        summary = "; ".join(_percent_step(year) for year in trend.years)
    return {
        "trend_figure": figure.to_json(),
        "trend_summary": summary + ".",
        "trend_in_percent": in_percent,
    }


def _percent_step(year) -> str:
    """One year of a trend drawn in percent of maximum, for the chart's text summary."""
    return _("%(year)s: trung bình %(mean)s điểm tối đa (%(points)s/%(max)s)") % {
        "year": year.cycle.year,
        "mean": ranking_format.percent_rule(year.stats.mean_percent, year.cycle.criteria_set),
        "points": ranking_format.statistic(year.stats.mean, year.cycle.criteria_set),
        "max": ranking_format.exact(year.stats.max_points, 3),
    }
