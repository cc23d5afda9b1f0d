"""A rank change in words for screen readers (rankings/templatetags/rank_moves.py)."""

import pandas as pd
import pytest
from django.template import Context, Template
from django.utils import translation

from rankings.templatetags.rank_moves import rank_change_words


@pytest.mark.parametrize(
    "change, previous, vietnamese, english",
    [
        (1, 3, "tăng 1 bậc, năm trước hạng 3", "up 1 place, ranked 3 last year"),
        (2, 5, "tăng 2 bậc, năm trước hạng 5", "up 2 places, ranked 5 last year"),
        (-2, 1, "giảm 2 bậc, năm trước hạng 1", "down 2 places, ranked 1 last year"),
        (-1, None, "giảm 1 bậc", "down 1 place"),
        (0, 4, "giữ nguyên hạng, năm trước hạng 4", "same rank, ranked 4 last year"),
        (None, 4, "", ""),
        (pd.NA, None, "", ""),
    ],
)
def test_the_words_in_both_languages(change, previous, vietnamese, english):
    with translation.override("vi"):
        assert rank_change_words(change, previous) == vietnamese
    with translation.override("en"):
        assert rank_change_words(change, previous) == english


def render(source: str, **context) -> str:
    return Template("{% load rank_moves %}" + source).render(Context(context))


def test_the_arrow_is_for_the_eye_and_the_words_for_a_screen_reader():
    with translation.override("vi"):
        html = render("{% rank_move change previous %}", change=1, previous=3)
    assert html == (
        '<span class="rank-move up"><span aria-hidden="true">▲1</span>'
        '<span class="visually-hidden">tăng 1 bậc, năm trước hạng 3</span></span>'
    )
    assert "aria-label" not in html


def test_last_years_rank_is_worked_out_from_this_years():
    """A profile knows this year's rank and the change (last year's minus this year's)."""
    with translation.override("en"):
        html = render("{% rank_move change rank=rank %}", change=-2, rank=5)
    assert '<span aria-hidden="true">▼2</span>' in html
    assert "down 2 places, ranked 3 last year" in html
    assert render("{% rank_move change %}", change=None) == ""
