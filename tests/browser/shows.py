"""Wait for text that a click's navigation brings, instead of reading the page mid-load.

`page.content()` straight after a click races the navigation the click started: under
load it can read the old page, or an empty document while the new one arrives (CI saw
`'' == content()`). `shows` polls the current document, across the navigation, until the
text is there, and fails with the page's URL and the end of its text.
"""

from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

SCRIPT = (
    "text => document.readyState !== 'loading' && document.body !== null"
    " && document.body.textContent.includes(text)"
)


def shows(page: Page, text: str, timeout: float = 15_000) -> bool:
    """True once the page's text holds `text`; an AssertionError after `timeout` ms."""
    try:
        page.wait_for_function(SCRIPT, arg=text, timeout=timeout)
    except PlaywrightTimeout:
        tail = page.evaluate("() => document.body ? document.body.innerText : ''")[-2000:]
        raise AssertionError(f"{text!r} is not on {page.url}; the page ends:\n{tail}") from None
    return True
