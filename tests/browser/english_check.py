"""What an English reader sees in Vietnamese: every visible text node with a Vietnamese
letter that no element marks `lang="vi"` (proper names and data values are marked so).

`crawl` walks a site from a few start pages, one page per URL shape (the same view with
another agency or year adds little), in English, and returns what it found per page.
"""

import re
from urllib.parse import urlsplit

# Letters Vietnamese has and English does not (Latin-1 accents included: "café" is rare here).
VIETNAMESE = r"[À-ÖØ-öø-ỹĐđ]"  # letters only: not × and ÷

# Every visible text node outside lang="vi", with its words (not the <title>: no markup
# can mark a name there).
_TEXT_NODES = """
(pattern) => {
  const vietnamese = new RegExp(pattern);
  const found = [];
  let words = 0, vietnameseWords = 0;
  const inVietnamese = (el) => {
    const marked = el.closest('[lang]');
    return marked !== null && marked.getAttribute('lang').toLowerCase().startsWith('vi');
  };
  const visible = (el) => {
    if (el.closest('option')) {  // a closed list shows its chosen option only
      const select = el.closest('select');
      return select !== null && el.closest('option').selected
        && select.checkVisibility({visibilityProperty: true});
    }
    return el.checkVisibility({visibilityProperty: true, opacityProperty: true});
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    // A text area holds a value (an embed code to copy), as an input does: data, not prose.
    const skipped = ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'TEXTAREA'];
    if (!el || skipped.includes(el.tagName)) continue;
    if (!node.textContent.trim() || !visible(el)) continue;
    texts.push([el, node.textContent]);
  }
  for (const [el, text] of texts) {
    if (!el) continue;
    const all = text.split(/\\s+/).filter((w) => /\\p{L}/u.test(w));
    const marked = inVietnamese(el);
    words += all.length;
    if (marked) continue;
    const bad = all.filter((w) => vietnamese.test(w));
    vietnameseWords += bad.length;
    if (bad.length) found.push(text.trim().replace(/\\s+/g, ' ').slice(0, 120));
  }
  return {found, words, vietnameseWords};
}
"""


def vietnamese_text(page) -> dict:
    """`found` (texts), `words` (visible words) and `vietnameseWords` (unmarked ones)."""
    return page.evaluate(_TEXT_NODES, VIETNAMESE)


SKIPPED = re.compile(
    r"^/(admin|api|i18n|static|media|nhung)/|/dang-xuat|logout|\.(csv|xlsx|json|atom|rss|pdf|docx|png|svg|txt)$"
)


def crawl(page, base: str, starts: list[str], *, limit: int = 60, keep=None) -> dict:
    """{path: found texts} for pages reached from `starts`, one per URL shape."""
    queue = list(starts)
    seen_shapes: set[str] = set()
    seen: set[str] = set()
    report: dict[str, dict] = {}
    while queue and len(report) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        key = _shape_key(path)
        if key in seen_shapes and path not in starts:
            continue
        seen_shapes.add(key)
        response = page.goto(base + path)
        if (
            response is None
            or response.status >= 400
            or "text/html" not in (response.headers.get("content-type", ""))
        ):
            continue
        report[path] = vietnamese_text(page)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            parts = urlsplit(href)
            if parts.netloc != urlsplit(base).netloc or SKIPPED.search(parts.path):
                continue
            if keep is not None and not keep(parts.path):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                queue.append(target)
    return report


def _shape_key(path: str) -> str:
    path, _, query = path.partition("?")
    segments = path.strip("/").split("/")
    shaped = []
    for i, part in enumerate(segments):
        if part.isdigit():
            shaped.append("N")
        elif i == 0 and part not in {"quan-ly", "phuong-phap", "tai-khoan", "thong-bao", "thu-bao"}:
            shaped.append("P")
        elif i > 0 and segments[i - 1] in {"don-vi", "phuong-phap", "xu-huong", "thiet-lap"}:
            shaped.append("S")
        elif i > 0 and segments[i - 1].isdigit():
            shaped.append("B")
        else:
            shaped.append(part)
    keys = sorted(k.partition("=")[0] for k in query.split("&") if k)
    return "/".join(shaped) + ("?" + "&".join(keys) if keys else "")
