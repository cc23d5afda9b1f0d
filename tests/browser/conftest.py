"""A live demo server and Debian's Chromium, driven by Playwright.

The servers come from `tests.live.serve_demo`: the demo exactly as `make demo` serves it.
Screenshots go to var/screenshots/ (ignored by git) for a person to look at.
"""

import shutil
from pathlib import Path

import pytest

from tests.live import serve_demo

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def live_demo(tmp_path_factory):
    """The demo as published, read by the public-page tests (nothing writes to it)."""
    yield from serve_demo(tmp_path_factory, "public")


@pytest.fixture(scope="session")
def cycle_demo(tmp_path_factory):
    """A second demo server for the workflow test, which changes data."""
    yield from serve_demo(tmp_path_factory, "cycle")


@pytest.fixture(scope="module")
def browser():
    """One Chromium per module, closed with it.

    Not per session: while Playwright's sync API is up, its event loop runs in the test
    thread, and every later database test in the same process (an xdist worker runs many
    modules) fails with SynchronousOnlyOperation.
    """
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does).")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshots():
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS
