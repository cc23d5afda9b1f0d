"""Atom feeds of publications and corrections (rankings.feeds): valid Atom for the whole
site, a province and an agency; each entry says its revision and a correction's reason."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest

from rankings.cycles import services

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def correct(world):
    return services.cycle_publish(
        cycle=world.cycle_2021,
        decision_number="250/QĐ-UBND",
        decision_date=datetime.date(2022, 8, 1),
        reason="Cát bổ sung minh chứng tiêu chí 2.1",
    )


def parsed(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return valid_atom(response.content)


def valid_atom(content: bytes) -> ET.Element:
    """RFC 4287's required elements, and RFC 3339 dates, for the feed and each entry."""
    feed = ET.fromstring(content)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{name}") is not None and feed.find(f"{ATOM}{name}").text, name
    assert feed.find(f"{ATOM}author/{ATOM}name").text
    rels = {link.get("rel") for link in feed.findall(f"{ATOM}link")}
    assert {"self", "alternate"} <= rels
    assert RFC3339.match(feed.find(f"{ATOM}updated").text)
    for entry in feed.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{name}").text, name
        assert RFC3339.match(entry.find(f"{ATOM}updated").text)
        datetime.datetime.fromisoformat(entry.find(f"{ATOM}updated").text)
        assert entry.find(f"{ATOM}link").get("href").startswith("http")
        assert entry.find(f"{ATOM}author/{ATOM}name").text
    ids = [entry.find(f"{ATOM}id").text for entry in feed.findall(f"{ATOM}entry")]
    assert len(ids) == len(set(ids)), "entry ids are unique"
    return feed


def entries(feed: ET.Element) -> list[dict]:
    return [
        {
            "title": entry.find(f"{ATOM}title").text,
            "summary": entry.find(f"{ATOM}summary").text,
            "link": entry.find(f"{ATOM}link").get("href"),
            "id": entry.find(f"{ATOM}id").text,
        }
        for entry in feed.findall(f"{ATOM}entry")
    ]


def test_the_site_feed_lists_every_publication_newest_first(client, world):
    correct(world)
    found = entries(parsed(client, "/cong-bo.atom"))
    assert len(found) == 4  # districts 2020, 2021 and its correction; departments 2020
    newest = found[0]
    assert newest["title"] == (
        "Đính chính lần 1 xếp hạng Khối huyện Tỉnh Mẫu năm 2021 (250/QĐ-UBND)"
    )
    assert "Lần công bố 2." in newest["summary"]
    assert "Lý do đính chính: Cát bổ sung minh chứng tiêu chí 2.1" in newest["summary"]
    assert newest["link"] == "http://testserver/mau/2021/districts/#correction-2"
    assert newest["id"].startswith("tag:127.0.0.1,")
    first = next(e for e in found if "năm 2021" in e["title"] and e is not newest)
    assert first["title"].startswith("Công bố xếp hạng Khối huyện Tỉnh Mẫu năm 2021")
    assert first["link"] == "http://testserver/mau/2021/districts/"
    assert "Lý do" not in first["summary"]


def test_the_province_and_agency_feeds_hold_only_theirs(client, world):
    correct(world)
    province = entries(parsed(client, "/mau/cong-bo.atom"))
    assert len(province) == 4
    agency = entries(parsed(client, "/mau/don-vi/an/cong-bo.atom"))
    assert len(agency) == 3 and all("Khối huyện" in e["title"] for e in agency)
    department = entries(parsed(client, "/mau/don-vi/so-mot/cong-bo.atom"))
    assert [e["title"][:30] for e in department] == ["Công bố xếp hạng Khối sở Tỉnh "]
    assert client.get("/khong-co/cong-bo.atom").status_code == 404
    assert client.get("/mau/don-vi/khong-co/cong-bo.atom").status_code == 404


def test_feeds_in_english(client, world):
    correct(world)
    client.cookies["django_language"] = "en"
    feed = parsed(client, "/mau/cong-bo.atom")
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    newest = entries(feed)[0]
    assert newest["title"].startswith("Correction 1 of the ranking: Districts")
    assert newest["summary"].startswith("Revision 2. Decision No. 250/QĐ-UBND dated 1 August 2022.")


@pytest.mark.parametrize(
    "url", ["/cong-bo.atom", "/mau/cong-bo.atom", "/mau/don-vi/an/cong-bo.atom"]
)
def test_feed_queries_are_pinned(client, world, django_assert_max_num_queries, url):
    correct(world)
    with django_assert_max_num_queries(2):
        client.get(url)


@pytest.mark.parametrize(
    ("page", "feed"),
    [
        ("/", "/cong-bo.atom"),
        ("/mau/", "/mau/cong-bo.atom"),
        ("/mau/2021/districts/", "/mau/cong-bo.atom"),
        ("/mau/don-vi/an/", "/mau/don-vi/an/cong-bo.atom"),
    ],
)
def test_pages_name_their_feed_in_the_head(client, world, page, feed):
    head = client.get(page).content.decode().split("</head>")[0]
    assert f'<link rel="alternate" type="application/atom+xml" href="{feed}"' in head
