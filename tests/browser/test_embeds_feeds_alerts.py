"""Issue #20's publishing pieces in Chromium: the embed framed by a portal on another
origin (allowed) and refused on a third (not allowed), the iframe code box, the Atom feed
named in a page's head, and an e-mail alert's sign-up and confirmation in both languages.

The demo server runs with EMBED_ALLOWED_ORIGINS=http://localhost:<portal port>. The two
portals are tiny http.servers serving one page with the iframe: http://localhost:<port>
(allowed) and http://127.0.0.1:<other port> (not allowed; a different origin from the demo
too, whose port differs). Confirmation mails are read from the demo server's console log.
"""

import functools
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.axe_check import axe_clean
from tests.live import _free_port, serve_demo
from tests.public.test_feeds import entries, valid_atom

pytestmark = pytest.mark.browser

EMBED = "/nhung/{lang}/vinh-phuc/2020/districts/?n=5"
ALLOWED_PORT = _free_port()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    env = {"EMBED_ALLOWED_ORIGINS": f"http://localhost:{ALLOWED_PORT}"}
    yield from serve_demo(tmp_path_factory, "embeds_alerts", env=env)


@pytest.fixture(scope="module")
def mail_log(tmp_path_factory, demo):
    """The demo server's output (the console e-mail backend writes there)."""
    return next(Path(tmp_path_factory.getbasetemp()).glob("embeds_alerts*/server.log"))


class Portal:
    """A page on another origin that frames an embed."""

    def __init__(self, folder: Path, host: str, port: int):
        handler = functools.partial(QuietHandler, directory=str(folder))
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.url = f"http://{host}:{port}/portal.html"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def portals(tmp_path_factory, demo):
    folder = tmp_path_factory.mktemp("portal")
    frames = "".join(
        f'<h2>{lang}</h2><iframe src="{demo}{EMBED.format(lang=lang)}" title="Bảng xếp hạng"'
        ' width="700" height="330"></iframe>'
        for lang in ("vi", "en")
    )
    (folder / "portal.html").write_text(
        f'<!doctype html><html lang="vi"><meta charset="utf-8"><title>Cổng</title>{frames}',
        encoding="utf-8",
    )
    allowed = Portal(folder, "localhost", ALLOWED_PORT)
    refused = Portal(folder, "127.0.0.1", _free_port())
    yield allowed, refused
    allowed.close()
    refused.close()


def embed_frames(page):
    return [frame for frame in page.frames if frame != page.main_frame]


def test_an_allowed_portal_shows_the_embed_in_both_languages(page, portals, screenshots):
    allowed, _refused = portals
    page.goto(allowed.url, wait_until="networkidle")
    frames = embed_frames(page)
    assert len(frames) == 2
    vietnamese, english = (frame.locator("table") for frame in frames)
    assert vietnamese.locator("caption").inner_text().startswith("Xếp hạng khối UBND huyện")
    assert vietnamese.locator("tbody tr").count() == 5
    first = vietnamese.locator("tbody tr").first.inner_text()
    assert "UBND huyện Lập Thạch" in first and "106,331" in first and "77,0%" in first
    assert english.locator("thead").inner_text().split("\t")[0] == "Rank"
    assert "106.331" in english.locator("tbody tr").first.inner_text()
    page.screenshot(path=screenshots / "embed-framed-by-allowed-portal.png", full_page=True)


def test_a_portal_not_allowed_is_refused(page, portals, screenshots):
    _allowed, refused = portals
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(refused.url, wait_until="networkidle")
    blocked = [text for text in console if "frame-ancestors" in text]
    assert len(blocked) == 2, console
    assert f"frame-ancestors 'self' http://localhost:{ALLOWED_PORT}" in blocked[0]
    for frame in embed_frames(page):
        assert "Lập Thạch" not in frame.content()
    page.screenshot(path=screenshots / "embed-refused-by-other-portal.png", full_page=True)


def test_the_embed_itself_is_accessible_and_sets_no_cookie(page, demo, screenshots):
    response = page.goto(demo + EMBED.format(lang="vi"))
    assert "set-cookie" not in response.headers
    assert page.context.cookies() == []
    axe_clean(page, screenshots, "embed-leaderboard-vi")
    page.goto(demo + "/nhung/en/vinh-phuc/don-vi/lap-thach/")
    assert page.locator("dl").inner_text().startswith("Rank")
    axe_clean(page, screenshots, "embed-agency-en")
    assert page.context.cookies() == []


def test_the_agency_page_offers_the_iframe_code_to_copy(browser, demo, screenshots):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(demo + "/vinh-phuc/don-vi/lap-thach/")
    page.get_by_text("Nhúng vào cổng thông tin (iframe)").click()
    code = page.get_by_label("Mã nhúng").input_value()
    assert code.startswith(
        '<iframe src="http://127.0.0.1:8000/nhung/vi/vinh-phuc/don-vi/lap-thach/"'
    )
    assert 'title="Kết quả xếp hạng của UBND huyện Lập Thạch"' in code
    page.get_by_role("button", name="Sao chép mã").click()
    expect(page.get_by_role("status").filter(has_text="Đã sao chép")).to_have_count(1)
    page.locator("details.embed-code").screenshot(path=screenshots / "agency-embed-code-vi.png")
    context.close()


def test_the_leaderboards_feed_is_valid_atom(page, demo):
    page.goto(demo + "/vinh-phuc/2020/districts/")
    link = page.locator('head link[rel="alternate"][type="application/atom+xml"]')
    href = link.get_attribute("href")
    assert href == "/vinh-phuc/cong-bo.atom"
    feed = valid_atom(page.request.get(demo + href).body())
    titles = [entry["title"] for entry in entries(feed)]
    assert any("năm 2020 (3192/QĐ-UBND)" in title for title in titles), titles


def confirmation_link(mail_log: Path, demo: str, address: str) -> str:
    log = mail_log.read_text(encoding="utf-8", errors="replace")
    mails = [part for part in log.split("Content-Type: text/plain") if f"To: {address}" in part]
    assert mails, f"no mail to {address}"
    link = re.search(r"http://\S+/thu-bao/xac-nhan/\S+/", mails[-1]).group(0)
    return demo + "/" + link.split("/", 3)[3]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_sign_up_and_confirm_an_alert(browser, demo, mail_log, screenshots, lang):
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    context.add_cookies([{"name": "django_language", "value": lang, "url": demo}])
    page = context.new_page()
    page.goto(demo + "/vinh-phuc/don-vi/lap-thach/")
    words = {
        "vi": ("nhận thư báo khi công bố, đính chính", "Thư điện tử", "Đăng ký nhận thư báo"),
        "en": ("e-mail alerts of publications and corrections", "E-mail", "Sign up for alerts"),
    }[lang]
    page.get_by_role("link", name=words[0]).click()
    axe_clean(page, screenshots, f"alert-subscribe-{lang}")
    page.get_by_label(words[1]).fill("sai-dia-chi")
    page.get_by_role("button", name=words[2]).click()
    assert page.get_by_role("alert").inner_text().startswith(words[1] + ":")
    address = f"ban.doc.{lang}@example.vn"
    page.get_by_label(words[1]).fill(address)
    axe_clean(page, screenshots, f"alert-subscribe-error-{lang}")
    page.get_by_role("button", name=words[2]).click()
    page.wait_for_url("**/thu-bao/da-gui/")
    page.screenshot(path=screenshots / f"alert-sent-{lang}.png", full_page=True)
    page.goto(confirmation_link(mail_log, demo, address))
    status = page.get_by_role("status").inner_text()
    assert address in status and "UBND huyện Lập Thạch" in status
    axe_clean(page, screenshots, f"alert-confirmed-{lang}")
    context.close()
