"""English pages carry no untranslated interface text (issue #23), checked without a browser:
the demo's pages in English, parsed, with every run of text outside an element marked
`lang="vi"` free of Vietnamese letters. Agency and province names, decision numbers and
signers are marked; block, band, group, criterion and criteria-set names are English.

The browser test (tests/browser/test_english_mode.py) walks every page a visitor or each
staff role reaches and looks only at visible text; this one is quick and needs no Chromium.
"""

import re
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import call_command

VIETNAMESE = re.compile(r"[À-ÖØ-öø-ỹĐđ]")  # not × and ÷
# Text the check does not read: code and values (a <title> cannot hold markup).
SKIPPED = {"script", "style", "title", "textarea", "template", "option"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

PAGES = [
    "/",
    "/vinh-phuc/",
    "/vinh-phuc/2020/districts/",
    "/vinh-phuc/2023/departments/",
    "/vinh-phuc/don-vi/lap-thach/",
    "/vinh-phuc/don-vi/so-tttt/",
    "/vinh-phuc/2020/so-sanh/?agency=lap-thach&agency=yen-lac",
    "/vinh-phuc/xu-huong/districts/",
    "/vinh-phuc/don-vi/lap-thach/mo-phong/",
    "/phuong-phap/",
    "/phuong-phap/vinh-phuc-districts-2020/",
    "/phuong-phap/vinh-phuc-departments-2023/",
    "/thu-bao/vinh-phuc/",
    "/nhung/en/vinh-phuc/2020/districts/",
    "/nhung/en/vinh-phuc/don-vi/lap-thach/",
]


class Unmarked(HTMLParser):
    """Collects text with Vietnamese letters that no enclosing element marks lang="vi"."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []  # (tag, inside Vietnamese or skipped)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        lang = dict(attrs).get("lang")
        quiet = self.stack[-1][1] if self.stack else False
        if lang is not None:
            quiet = lang.startswith("vi")
        if tag in SKIPPED:
            quiet = True
        self.stack.append((tag, quiet))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        quiet = self.stack[-1][1] if self.stack else False
        if not quiet and VIETNAMESE.search(data):
            self.found.append(" ".join(data.split())[:100])


def unmarked(html: str) -> list[str]:
    parser = Unmarked()
    parser.feed(html)
    return parser.found


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=StringIO())
        yield
        call_command("flush", "--noinput", stdout=StringIO())


def test_the_parser_sees_what_is_not_marked():
    html = '<p>Rankings of <span lang="vi">Vĩnh Phúc</span>, khối sở</p><title>Sở Y tế</title>'
    assert unmarked(html) == [", khối sở"]


@pytest.mark.django_db
def test_english_pages_mark_every_vietnamese_word(client, demo):
    client.cookies["django_language"] = "en"
    found = {}
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="en">' in html, url
        if texts := unmarked(html):
            found[url] = texts[:6]
    assert found == {}


@pytest.mark.django_db
def test_vietnamese_pages_mark_the_english_in_them(client, demo):
    html = client.get("/vinh-phuc/2020/districts/").content.decode()
    assert '<html lang="vi">' in html
    assert '<option value="en" lang="en">English</option>' in html
    assert '<span lang="vi">' not in html  # the page is Vietnamese already
    assert "ngày 22/11/2021" in html
