"""The leaderboard's table body written in Python (rankings/public/leaderboard_body.py) is
the HTML the template loop wrote (issue #21), on the demo, in Vietnamese and English.

`BEFORE` (leaderboard_body_before.html) is the page's `<tbody>` loop as it was, word for word;
it is rendered with the same board and compared with the Python loop, and with the page's
own `<tbody>`. The demo (`seed_demo`): Vĩnh Phúc departments and districts 2019 to 2021,
Sơn La districts 2019 and 2020 (ties, bands, last year's ranks, changes in points and in
percent across a new criteria set).
"""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.http import QueryDict
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from rankings import formatting, wording
from rankings.models import AssessmentCycle, Result
from rankings.public.leaderboard_body import leaderboard_body
from rankings.public.selectors.leaderboard import leaderboard

pytestmark = pytest.mark.django_db

# templates/rankings/leaderboard.html's `<tbody>` loop before issue #21, word for word.
BEFORE = (
    "{% load i18n ranking_format ranking_words rank_moves %}"
    "{% with cycle=board.cycle rules=board.criteria_set %}"
    + (Path(__file__).parent / "leaderboard_body_before.html").read_text()
    + "{% endwith %}"
)
QUERIES = ["", "q=lap", "band=T%E1%BB%91t", "ordering=-total", "ordering=name", "q=zzzz"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from rankings.seed.demo import seed_demo

    with django_db_blocker.unblock():
        seed_demo()
        yield
        from tests.cleanup import delete_everything

        delete_everything()


def cycles():
    return list(
        AssessmentCycle.objects.filter(publications__isnull=False)
        .select_related("province", "block", "criteria_set")
        .distinct()
        .order_by("province__slug", "year", "block__slug")
    )


def before(board, band_words) -> str:
    return Template(BEFORE).render(Context({"board": board, "band_words": band_words}))


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_python_loop_writes_what_the_template_loop_wrote(demo, language):
    rows = 0
    with translation.override(language):
        for cycle in cycles():
            band_words = wording.band_words(criteria_set=cycle.criteria_set)
            for query in QUERIES:
                board = leaderboard(cycle=cycle, params=QueryDict(query))
                assert str(leaderboard_body(board, band_words)) == before(board, band_words), (
                    cycle,
                    query,
                )
                rows += len(board.records)
            board = leaderboard(cycle=cycle, params={}, draft=True)  # the staff preview
            assert str(leaderboard_body(board)) == before(board, "")
    assert rows > 150


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_page_body_is_the_template_loop(client, demo, language):
    client.cookies["django_language"] = language
    for cycle in cycles():
        url = f"/{cycle.province.slug}/{cycle.year}/{cycle.block.slug}/"
        html = client.get(url).content.decode()
        assert f'<html lang="{language}"' in html
        body = re.search(r'<table id="leaderboard">.*?<tbody>(.*?)</tbody>', html, re.S)
        with translation.override(language):
            board = leaderboard(cycle=cycle, params={})
            expected = before(board, wording.band_words(criteria_set=cycle.criteria_set))
        assert body is not None and body.group(1) == expected, url
        assert "<tr>" in expected and 'href="' in expected


def test_not_ranked_reasons_and_empty_bands_stay_the_same(demo):
    cycle = AssessmentCycle.objects.select_related("province", "block", "criteria_set").get(
        province__slug="vinh-phuc", year=2021, block__slug="districts"
    )
    publication = cycle.publications.order_by("-revision").first()
    result = Result.objects.filter(publication=publication).order_by("-rank").first()
    Result.objects.filter(pk=result.pk).update(
        groups={}, rank=None, band="", not_ranked_reason='Không nộp <báo cáo> & "đúng hạn"'
    )
    try:
        band_words = wording.band_words(criteria_set=cycle.criteria_set)
        board = leaderboard(cycle=cycle, params={})
        written = str(leaderboard_body(board, band_words))
        assert written == before(board, band_words)
        assert "Không nộp &lt;báo cáo&gt; &amp; &quot;đúng hạn&quot;" in written
    finally:
        Result.objects.filter(pk=result.pk).update(
            groups=result.groups,
            rank=result.rank,
            band=result.band,
            not_ranked_reason=result.not_ranked_reason,
        )


@pytest.mark.parametrize("language", ["vi", "en"])
@given(
    value=st.decimals(min_value=-10000, max_value=10000, places=3, allow_nan=False),
    places=st.integers(0, 4),
)
def test_one_number_writer_is_points(language, value, places):
    with translation.override(language):
        assert formatting.fixed_writer(places)(value) == formatting.points(value, places)


def test_number_writer_edges():
    for text in ["0.000", "-0.000", "-0.0004", "-0.05", "0.09", "1000.5", "-12.345", "7"]:
        for places in range(5):
            value = Decimal(text)
            with translation.override("vi"):
                assert formatting.fixed_writer(places)(value) == formatting.points(value, places)
