"""Public pages: one number format, a compare picker, last year's rank in words, phone-first."""

from decimal import Decimal as D

import pytest
from django.utils import translation

from rankings import formatting

LEADERBOARD_2021 = "/mau/2021/districts/"
# The comparison (agencies, cycle, publication, results, groups) and the picker (cycles,
# publications, results), with the page cache's publication generation.
QUERIES_COMPARE = 9


@pytest.mark.parametrize(
    ("function", "value", "args", "vietnamese", "english"),
    [
        (formatting.points, D("106.331"), (3,), "106,331", "106.331"),
        (formatting.percent, D("77.000"), (1,), "77,0%", "77.0%"),
        (formatting.percent, D("65.56"), (1,), "65,5%", "65.5%"),  # cut, as decisions print
        (formatting.percent, D("66.000"), (0,), "66%", "66%"),
        (formatting.count, D("4000.000"), (), "4.000", "4,000"),
        (formatting.count, D("180.000"), (), "180", "180"),
        (formatting.count, D("2.500"), (), "2,5", "2.5"),  # not a count: decimals kept
        (formatting.raw_value, D("0.800"), (), "0,8", "0.8"),
        (formatting.raw_value, D("336"), (), "336", "336"),
        (formatting.signed, D("-1.2"), (3,), "−1,200", "−1.200"),
        (formatting.exact, D("138.000"), (3,), "138", "138"),
        (formatting.points, None, (), "—", "—"),
        (formatting.count, float("nan"), (), "—", "—"),
    ],
)
def test_one_number_format_in_both_languages(function, value, args, vietnamese, english):
    with translation.override("vi"):
        assert function(value, *args) == vietnamese
    with translation.override("en"):
        assert function(value, *args) == english


@pytest.mark.django_db
def test_last_years_rank_is_written_not_only_announced(client, world):
    page = client.get(LEADERBOARD_2021).content.decode()
    # Bình: 2nd in 2020, 1st in 2021 (tests/world.py); An: 1st, then 2nd.
    # The arrow is for the eye; a screen reader reads the change and last year's rank in
    # words, once (the visible "năm trước 2" repeats them, so it is hidden from it).
    assert (
        '<span class="rank-move up"><span aria-hidden="true">▲1</span>'
        '<span class="visually-hidden">tăng 1 bậc, năm trước hạng 2</span></span> '
        '<small class="previous-rank" aria-hidden="true">năm trước 2</small>'
    ) in page
    assert (
        '<span class="rank-move down"><span aria-hidden="true">▼1</span>'
        '<span class="visually-hidden">giảm 1 bậc, năm trước hạng 1</span></span> '
        '<small class="previous-rank" aria-hidden="true">năm trước 1</small>'
    ) in page
    assert 'aria-label="năm trước' not in page


@pytest.mark.django_db
def test_leaderboard_keeps_rank_agency_total_change_on_a_phone(client, world):
    page = client.get(LEADERBOARD_2021).content.decode()
    # Percent and band columns give way on narrow screens and reappear under the name.
    assert '<th scope="col" class="num hide-narrow">% tối đa</th>' in page
    # The copy under the name is for the eye; the cells stay in the accessibility tree.
    assert '<small class="show-narrow" aria-hidden="true">Tốt · 82,5%</small>' in page
    assert '<div class="table-wrap board-table">' in page


@pytest.mark.django_db
def test_compare_picker_offers_each_block_and_keeps_the_choice(client, world):
    response = client.get("/mau/2020/so-sanh/?agency=an")
    page = response.content.decode()
    assert response.status_code == 200  # one chosen: the picker's start, not an error
    assert "Chọn từ hai đến sáu đơn vị cùng một khối" in page
    assert page.count('<form method="get" action="/mau/2020/so-sanh/">') == 2  # two blocks
    assert 'value="an" id="pick-districts-an" checked' in page
    assert 'value="binh" id="pick-districts-binh">' in page
    assert 'value="so-mot" id="pick-departments-so-mot">' in page


@pytest.mark.django_db
def test_compare_picker_query_count_is_pinned(client, world, django_assert_num_queries):
    client.get("/mau/2020/so-sanh/?agency=an&agency=cat")  # warm the generation memo
    from rankings.public import page_cache

    page_cache.clear()
    with django_assert_num_queries(QUERIES_COMPARE):
        response = client.get("/mau/2020/so-sanh/?agency=an&agency=cat")
    assert response.status_code == 200 and "UBND huyện Cát" in response.content.decode()


@pytest.mark.django_db
def test_each_profile_links_to_the_picker(client, world):
    page = client.get("/mau/don-vi/an/").content.decode()
    assert 'href="/mau/2021/so-sanh/?agency=an#picker"' in page
    board = client.get(LEADERBOARD_2021).content.decode()
    assert 'href="/mau/2021/so-sanh/#picker"' in board


@pytest.mark.django_db
def test_counts_print_without_decimals(client, world):
    page = client.get(LEADERBOARD_2021).content.decode()
    assert "<dt>Số đơn vị</dt><dd>3</dd>" in page
