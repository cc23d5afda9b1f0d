"""`/api/v1/rankings/` from plain rows (api/ranking_json.py) gives the bytes and headers the
serializers gave (issue #21), in a fixed number of queries.

The reference is the view as it was: `leaderboard()` → `presenters.ranking` →
`RankingSerializer` → DRF's `JSONRenderer`, patched back in for the comparison. On the
demo (`seed_demo`): Vĩnh Phúc departments and districts 2019 to 2021, Sơn La districts 2019
and 2020, with filters, orderings, a correction and a baseline of another criteria set.
"""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.response import Response

from api import presenters, serializers
from api.ranking_json import point_text, writer
from api.views import RankingView, published_block
from rankings.models import AssessmentCycle, Result
from rankings.printed import Rule
from rankings.public.selectors import leaderboard as leaderboard_selectors

pytestmark = pytest.mark.django_db

QUERIES = [
    "",
    "&q=lap",
    "&band=T%E1%BB%91t",
    "&ordering=-total",
    "&ordering=name",
    "&ordering=-rank",
]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from rankings.seed.demo import seed_demo

    with django_db_blocker.unblock():
        seed_demo()
        yield
        from tests.cleanup import delete_everything

        delete_everything()


def serialized_get(self, request):
    """`RankingView.get` before issue #21: the selector, the presenter, the serializer."""
    _query, cycle = published_block(request, serializers.BlockQuery)
    if current := self.conditional(request, leaderboard_selectors_publications(cycle)):
        return current
    board = leaderboard_selectors.leaderboard(cycle=cycle, params=request.query_params)
    return Response(serializers.RankingSerializer(presenters.ranking(board)).data)


def leaderboard_selectors_publications(cycle):
    from api import selectors

    return selectors.ranking_publications(cycle=cycle)


def urls() -> list[str]:
    cycles = AssessmentCycle.objects.filter(publications__isnull=False).distinct()
    places = sorted(
        f"province={c.province.slug}&year={c.year}&block={c.block.slug}"
        for c in cycles.select_related("province", "block")
    )
    return [f"/api/v1/rankings/?{place}{query}" for place in places for query in QUERIES]


HEADERS = ["Content-Type", "ETag", "Last-Modified", "Cache-Control", "Allow", "Vary"]


def both(client, url: str, monkeypatch, **headers):
    new = client.get(url, headers=headers)
    with monkeypatch.context() as patched:
        patched.setattr(RankingView, "get", serialized_get)
        old = client.get(url, headers=headers)
    return old, new


def test_same_bytes_and_headers_as_the_serializers(client, demo, monkeypatch):
    checked = 0
    for url in urls():
        old, new = both(client, url, monkeypatch)
        assert new.status_code == old.status_code == 200, (url, new.content)
        assert new.content == old.content, url
        for name in HEADERS:
            assert new.get(name) == old.get(name), (url, name)
        checked += len(json.loads(new.content)["rows"])
    assert checked > 150  # every published block, six ways each: rows really compared


def test_same_bytes_in_english(client, demo, monkeypatch):
    url = "/api/v1/rankings/?province=vinh-phuc&year=2021&block=districts"
    old, new = both(client, url, monkeypatch, accept_language="en")
    assert new.content == old.content and new["ETag"] == old["ETag"]


def test_changes_and_groups_are_in_the_rows(client, demo):
    """The comparison has content: last year's ranks, changes and group points are there."""
    url = "/api/v1/rankings/?province=vinh-phuc&year=2021&block=districts"
    rows = json.loads(client.get(url).content)["rows"]
    assert any(row["previous_rank"] is not None for row in rows)
    assert any(row["rank_change"] not in (None, 0) for row in rows)
    assert any(row["percent_change"] is not None for row in rows)
    assert all(len(row["groups"]) >= 2 for row in rows)


def test_a_correction_and_an_unvalued_agency_stay_the_same(client, demo, monkeypatch):
    """A listed agency without values (not ranked, no groups) and a corrected revision."""
    cycle = AssessmentCycle.objects.get(
        province__slug="vinh-phuc", year=2021, block__slug="districts"
    )
    publication = cycle.publications.order_by("-revision").first()
    result = Result.objects.filter(publication=publication).order_by("-rank").first()
    Result.objects.filter(pk=result.pk).update(
        groups={}, rank=None, not_ranked_reason="Không nộp báo cáo"
    )
    try:
        url = "/api/v1/rankings/?province=vinh-phuc&year=2021&block=districts"
        old, new = both(client, url, monkeypatch)
        assert new.content == old.content
        row = next(
            r for r in json.loads(new.content)["rows"] if r["agency"]["id"] == result.agency_id
        )
        assert row["rank"] is None and set(row["groups"].values()) == {"0.000"}
        assert row["change"] is None and row["percent_change"] is None
    finally:
        Result.objects.filter(pk=result.pk).update(
            groups=result.groups, rank=result.rank, not_ranked_reason=result.not_ranked_reason
        )


def test_query_count_is_fixed(client, demo, django_assert_num_queries):
    """Cycle, version, publication, groups, rows, the baseline's publication and rows, and
    the two years' criteria compared (each demo year has its own set); one more for the
    whole block when `q` or `band` narrows the rows; a first year has no baseline to read.
    The serializers' path took 13 (the baseline read as a whole leaderboard, bands twice)."""
    base = "/api/v1/rankings/?province=vinh-phuc&block=districts"
    for query, count in [
        ("&year=2021", 8),
        ("&year=2021&ordering=-total", 8),
        ("&year=2021&q=lap", 9),
        ("&year=2019", 6),
    ]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(base + query).status_code == 200
        assert len(captured) == count, (query, [q["sql"][:90] for q in captured])
    with django_assert_num_queries(8):
        client.get(base + "&year=2020")


def test_a_304_still_costs_two_queries(client, demo):
    url = "/api/v1/rankings/?province=vinh-phuc&year=2021&block=districts"
    etag = client.get(url)["ETag"]
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 304 and len(captured) == 2


@pytest.mark.parametrize("rounding", ["half_up", "truncate"])
@pytest.mark.parametrize("places", [0, 1, 2, 3])
def test_writer_is_the_rule(rounding, places):
    rule = Rule(places, rounding)
    write = writer(rule)
    for text in ["0.000", "59.984", "59.985", "0.500", "-4.650", "-0.005", "99.999", "1000.000"]:
        value = Decimal(text)
        assert write(value) == format(rule(value), "f"), (text, places, rounding)
    assert write(None) is None


def test_point_text_is_fixed():
    for text in ["32.884", "17.5", "26", "0", "0.000"]:
        assert point_text(text) == format(presenters.fixed(text, 3), "f")
    assert point_text(None) == "0.000"
