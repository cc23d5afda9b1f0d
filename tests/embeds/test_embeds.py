"""Embeds: the top N of a published ranking and an agency card, in the URL's language,
cached, cookie-less, framable only by `EMBED_ALLOWED_ORIGINS`, offered on the public pages.

The named world (tests/world.py), 2021 districts: Bình 33.000 (82,5%, Tốt) 1; An 30.000
(75,0%, Khá) 2, down one place and 2.000 points on 2020; Cát 20.000 (50,0%) 3.
"""

import html
import re

import pytest

pytestmark = pytest.mark.django_db

BOARD = "/nhung/vi/mau/2021/districts/"
CARD = "/nhung/vi/mau/don-vi/an/"
PORTAL = "https://mau.gov.vn"


def rows(page: str) -> list[str]:
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r'<th scope="row"><a [^>]*>([^<]+)</a>', body)


def test_the_leaderboard_embed_is_the_top_n_in_a_table(client, world):
    page = client.get(BOARD + "?n=2")
    text = page.content.decode()
    assert page.status_code == 200
    assert rows(text) == ["UBND huyện Bình", "UBND huyện An"]
    assert "<caption>Xếp hạng khối huyện tỉnh Tỉnh Mẫu năm 2021 (2 đơn vị đứng đầu)" in text
    assert '<th scope="col" class="num">Hạng</th>' in text
    assert "33,000" in text and "82,5%" in text and "<td>Tốt</td>" in text
    assert (
        'href="/mau/2021/districts/" target="_blank" rel="noopener">Xem bảng đầy đủ (3 đơn vị)'
        in text
    )
    assert len(rows(client.get(BOARD).content.decode())) == 3  # 10 by default: all three


@pytest.mark.parametrize("n", ["0", "51", "abc", "-1", "2.5"])
def test_a_bad_n_is_a_clear_400(client, world, n):
    page = client.get(f"{BOARD}?n={n}")
    assert page.status_code == 400
    assert "Tham số n (số đơn vị hiển thị) phải là số nguyên từ 1 đến 50." in page.content.decode()


def test_the_agency_card_has_rank_total_percent_band_and_change(client, world):
    text = client.get(CARD).content.decode()
    assert "UBND huyện An" in text and "năm 2021" in text
    assert "<dd>2/3</dd>" in text
    assert "30,000 <small>/ 40</small>" in text and "<dd>75,0%</dd>" in text
    assert "<dd>Khá</dd>" in text
    # An: 1st in 2020, 2nd in 2021; the arrow for the eye, the words for a screen reader.
    assert (
        '<span class="rank-move down"><span aria-hidden="true">▼1</span>'
        '<span class="visually-hidden">giảm 1 bậc, năm trước hạng 1</span></span>'
        " <small>−2,000 điểm</small>"
    ) in text


def test_the_language_is_the_urls_not_the_cookie(client, world):
    client.cookies["django_language"] = "vi"
    english = client.get("/nhung/en/mau/don-vi/an/")
    text = english.content.decode()
    assert '<html lang="en">' in text and "<dt>Rank</dt>" in text and "75.0%" in text
    assert english["Content-Language"] == "en"
    client.cookies["django_language"] = "en"
    vietnamese = client.get(CARD).content.decode()
    assert '<html lang="vi">' in vietnamese and "<dt>Thứ hạng</dt>" in vietnamese


def test_embeds_set_no_cookie_and_are_served_from_the_cache(
    client, world, django_assert_num_queries
):
    for url in (BOARD, CARD):
        first = client.get(url)
        assert first.status_code == 200 and not first.cookies, first.cookies
        with django_assert_num_queries(0):
            second = client.get(url)
        assert second.content == first.content and not second.cookies
    assert not client.cookies, "no session, CSRF or language cookie"


def test_embed_queries_are_pinned(client, world, django_assert_max_num_queries, settings):
    settings.PAGE_CACHE_SECONDS = 0
    with django_assert_max_num_queries(6):  # cycle, publication, groups, results, bands (2)
        assert client.get(BOARD.replace("/vi/", "/en/")).status_code == 200
    with django_assert_max_num_queries(9):  # the agency page's profile selector
        assert client.get(CARD).status_code == 200


def test_only_embeds_may_be_framed_and_only_by_the_allowed_origins(client, world, settings):
    settings.EMBED_ALLOWED_ORIGINS = [PORTAL]
    for url in (BOARD, CARD, BOARD + "?n=0"):
        response = client.get(url)
        assert f"frame-ancestors 'self' {PORTAL}" in response["Content-Security-Policy"], url
        assert "X-Frame-Options" not in response, url
    page = client.get("/mau/2021/districts/")
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"


def test_a_cached_embed_keeps_its_framing_policy(client, world, settings):
    settings.EMBED_ALLOWED_ORIGINS = [PORTAL]
    client.get(BOARD)
    hit = client.get(BOARD)
    assert f"frame-ancestors 'self' {PORTAL}" in hit["Content-Security-Policy"]
    assert "X-Frame-Options" not in hit


def test_unknown_or_unpublished_is_404(client, world):
    assert client.get("/nhung/vi/mau/2030/districts/").status_code == 404
    assert client.get("/nhung/vi/mau/don-vi/khong-co/").status_code == 404
    assert client.get("/nhung/fr/mau/don-vi/an/").status_code == 404


@pytest.mark.parametrize(
    ("page", "embed", "title"),
    [
        ("/mau/2021/districts/", "/nhung/vi/mau/2021/districts/", "Bảng xếp hạng Khối huyện"),
        ("/mau/don-vi/an/", "/nhung/vi/mau/don-vi/an/", "Kết quả xếp hạng của UBND huyện An"),
    ],
)
def test_public_pages_offer_the_iframe_code(client, world, settings, page, embed, title):
    text = client.get(page).content.decode()
    box = re.search(
        r'<label for="([\w-]+)">Mã nhúng</label>\s*<textarea id="\1"[^>]*>([^<]*)</textarea>', text
    )
    assert box, "a labelled code box"
    code = html.unescape(box.group(2))
    assert code.startswith(f'<iframe src="{settings.SITE_URL}{embed}" title="{title}')
    assert 'data-copy="' in text and 'role="status"' in text


def test_a_signed_in_reader_gets_no_cookie_from_an_embed(client, world, django_user_model):
    user = django_user_model.objects.create_user("ban-doc", password="mat-khau-dai-12345")
    client.force_login(user)
    for url in (BOARD, CARD):
        response = client.get(url)
        assert response.status_code == 200 and not response.cookies, (url, response.cookies)


def test_the_iframe_code_escapes_a_title_once(client, world):
    from agencies.models import Agency

    Agency.objects.filter(pk=world.an.pk).update(name='UBND "An" & People\'s <b>')
    text = client.get("/mau/don-vi/an/").content.decode()
    code = html.unescape(re.search(r'<textarea id="embed-agency-code"[^>]*>([^<]*)<', text)[1])
    assert 'title="Kết quả xếp hạng của UBND &quot;An&quot; &amp; People\'s &lt;b&gt;"' in code
