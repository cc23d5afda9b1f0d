"""`{% leaderboard_body board band_words %}`: the leaderboard table's rows (issue #21)."""

from django import template

from rankings.public.leaderboard_body import leaderboard_body as render_body

register = template.Library()


@register.simple_tag
def leaderboard_body(board, band_words=None):
    """The inside of the leaderboard's `<tbody>`, written in Python (rankings/public/
    leaderboard_body.py) with the HTML the template loop wrote."""
    return render_body(board, band_words or None)
