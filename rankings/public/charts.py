"""Chart builders: pure functions from a table frame to a plotly Figure.

Charts are pictures of numbers whose exact values sit in the table beside them, so the
figures take floats here and nowhere else.
"""

import pandas as pd
import plotly.graph_objects as go

FONT = "system-ui, -apple-system, Segoe UI, Roboto, Noto Sans, Arial, sans-serif"
BLUE, ORANGE, GREY = "#0b5cab", "#b45309", "#4a5563"


def _layout(fig: go.Figure, *, y_title: str) -> go.Figure:
    fig.update_layout(
        font={"family": FONT, "size": 13},
        margin={"l": 56, "r": 24, "t": 16, "b": 48},
        height=340,
        legend={"orientation": "h", "y": -0.2},
        yaxis={"title": {"text": y_title}, "gridcolor": "#e5e7eb"},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
    )
    return fig


def _segments(years: list[str], breaks: frozenset[int]) -> list[slice]:
    """Runs of consecutive years that may be joined by a line: a break year (one that does
    not compare with the year before, e.g. across the 2025 reform) starts a new run."""
    starts = [0] + [i for i, year in enumerate(years) if i and int(year) in breaks]
    return [slice(a, b) for a, b in zip(starts, [*starts[1:], len(years)], strict=True)]


def _lines(fig, years, values, *, breaks, name, **style) -> None:
    """One line per comparable run, sharing one legend entry."""
    for number, run in enumerate(_segments(years, breaks)):
        fig.add_trace(
            go.Scatter(
                x=years[run],
                y=values[run],
                name=name,
                legendgroup=name,
                showlegend=number == 0,
                mode="lines+markers",
                **style,
            )
        )


def _mark(fig: go.Figure, years: list[str], notes: dict[int, str]) -> None:
    """A dashed line before each year in `notes` (a method change, a gap) with its note,
    so the reader sees where the years stop comparing in points."""
    for position, year in enumerate(years):
        note = notes.get(int(year))
        if note and position:
            fig.add_vline(
                x=position - 0.5,
                line={"color": GREY, "dash": "dash", "width": 1},
                annotation={"text": note, "font": {"size": 11, "color": GREY}},
                annotation_position="top",
            )


def history_chart(
    frame,
    *,
    labels: dict[str, str],
    breaks: frozenset[int] = frozenset(),
    notes: dict[int, str] | None = None,
) -> go.Figure:
    """Percent of maximum and rank by year (rank on a reversed second axis); the lines
    break before each year in `breaks`, and each year in `notes` is marked with its note."""
    years = [str(y) for y in frame["year"]]
    fig = go.Figure()
    _lines(
        fig,
        years,
        [float(v) for v in frame["percent"]],
        breaks=breaks,
        name=labels["percent"],
        line={"color": BLUE, "width": 3},
    )
    _lines(
        fig,
        years,
        [None if pd.isna(v) else int(v) for v in frame["rank"]],  # None, NaN or pd.NA
        breaks=breaks,
        name=labels["rank"],
        yaxis="y2",
        line={"color": ORANGE, "dash": "dot", "width": 2},
    )
    _layout(fig, y_title=labels["percent"])
    fig.update_layout(
        xaxis={"type": "category"},
        yaxis={"range": [0, 100]},
        yaxis2={
            "title": {"text": labels["rank"]},
            "overlaying": "y",
            "side": "right",
            # Rank 1 at the top, the block's size at the bottom.
            "range": [int(frame["count"].max()) + 0.5, 0.5],
            "dtick": 1,
        },
    )
    _mark(fig, years, notes or {})
    return fig


def groups_chart(groups: list[tuple[str, float, float]], *, labels: dict[str, str]) -> go.Figure:
    """The agency's group subtotals next to the block average."""
    names = [name for name, _, _ in groups]
    fig = go.Figure(
        [
            go.Bar(x=names, y=[p for _, p, _ in groups], name=labels["agency"], marker_color=BLUE),
            go.Bar(x=names, y=[m for _, _, m in groups], name=labels["mean"], marker_color=GREY),
        ]
    )
    _layout(fig, y_title=labels["points"])
    fig.update_layout(barmode="group")
    return fig


def trend_chart(
    frame,
    distributions: dict[str, list[float]],
    *,
    labels: dict[str, str],
    breaks: frozenset[int] = frozenset(),
    notes: dict[int, str] | None = None,
) -> go.Figure:
    """Block average by year over the distribution of totals (a box per year); the mean's
    line breaks before each year in `breaks`, and each year in `notes` is marked.

    The caller chooses the scale: `frame["mean"]` and `distributions` in points, or all in
    percent of maximum when the years' maxima differ (`labels["points"]` names it)."""
    years = [str(y) for y in frame["year"]]
    fig = go.Figure()
    for year in years:
        fig.add_trace(
            go.Box(
                y=distributions[year],
                name=year,
                marker_color="#93c5fd",
                boxpoints="all",
                jitter=0.3,
                pointpos=0,
                showlegend=False,
                hoverinfo="y",
            )
        )
    _lines(
        fig,
        years,
        [float(v) for v in frame["mean"]],
        breaks=breaks,
        name=labels["mean"],
        line={"color": BLUE, "width": 3},
    )
    _layout(fig, y_title=labels["points"])
    fig.update_layout(xaxis={"type": "category"})
    _mark(fig, years, notes or {})
    return fig
