"""Save every public response of the site to a folder, or compare two such folders.

A refactor must not change what the public sees. Before moving code, save a snapshot; after,
save another from a database seeded the same way; compare them:

    DATABASE_URL=sqlite:///$PWD/var/snap.sqlite3 python manage.py migrate
    DATABASE_URL=sqlite:///$PWD/var/snap.sqlite3 python manage.py seed_demo
    DATABASE_URL=sqlite:///$PWD/var/snap.sqlite3 python scripts/public_snapshot.py save var/before
    ... move code, seed again ...
    python scripts/public_snapshot.py compare var/before var/after

`save` crawls the public site in process (Django's test client, no server) from the home page,
following every link that stays on the public site (not /quan-ly/, /admin/, /tai-khoan/,
/api/), adds every page's .csv, .xlsx and .json twin, and every public API read (each list
page by page, each agency, history, criteria set, published ranking and year). Each URL is
fetched in Vietnamese and in English. Bodies go to files named by a digest of the URL;
`manifest.json` maps URL to status, content type and file.

`compare` prints how many URLs it compared and every difference: a URL present on one side
only, another status or content type, or another body. Bodies compare byte for byte, except
.xlsx, which compares by sheet names and cell values, and .docx, which compares by the text of
its paragraphs and table cells in document order, headers and footers included (the zip of
either carries the moment it was written).
Exit status 0 only when nothing differs. Two seeds of the demo differ only in the moments
they were published (`published_at` in the API); `--ignore-times` masks ISO date-times with a
clock time in JSON bodies, for comparing two seeds. Snapshots of one database need no mask.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import sys
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PRIVATE_PREFIXES = ("/quan-ly/", "/admin/", "/tai-khoan/", "/api/", "/i18n/", "/static/")
TWINS = ("csv", "xlsx", "json")
LANGUAGES = ("vi", "en")
MAX_URLS = 20_000
DATETIME = re.compile(rb'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?"')
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)


def page_links(html: str) -> list[str]:
    """The public, same-site links of an HTML page (fragments dropped)."""
    parser = _Links()
    parser.feed(html)
    links = []
    for href in parser.hrefs:
        url = urldefrag(href).url
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not url.startswith("/"):
            continue
        if url.startswith(PRIVATE_PREFIXES) or url == "/thong-bao/":
            continue
        links.append(url)
    return links


def twins(url: str) -> list[str]:
    """The .csv/.xlsx/.json twins of a public page URL ending in a slash, query kept."""
    parts = urlsplit(url)
    path = parts.path
    if not path.endswith("/") or path == "/":
        return []
    query = f"?{parts.query}" if parts.query else ""
    return [f"{path[:-1]}.{fmt}{query}" for fmt in TWINS]


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # A crawl is one client asking for every URL; the API's rate limit would answer 429.
    os.environ["API_THROTTLE_ANON"] = "1000000/minute"
    import django

    django.setup()


def api_urls() -> list[str]:
    """Every public API read the demo's data allows, lists without pagination parameters."""
    from agencies.models import Agency
    from rankings.models import CriteriaSet, Publication

    urls = [
        "/api/v1/provinces/",
        "/api/v1/blocks/",
        "/api/v1/agencies/",
        "/api/v1/criteria-sets/",
        "/api/v1/cycles/",
        "/api/v1/schema/",
    ]
    for pk in Agency.objects.order_by("pk").values_list("pk", flat=True):
        urls += [f"/api/v1/agencies/{pk}/", f"/api/v1/agencies/{pk}/history/"]
    for slug in CriteriaSet.objects.order_by("slug").values_list("slug", flat=True):
        urls.append(f"/api/v1/criteria-sets/{slug}/")
    cycles = (
        Publication.objects.values_list(
            "cycle__province__slug", "cycle__year", "cycle__block__slug"
        )
        .distinct()
        .order_by("cycle__province__slug", "cycle__year", "cycle__block__slug")
    )
    years = set()
    for province, year, block in cycles:
        query = f"province={province}&year={year}&block={block}"
        urls += [f"/api/v1/rankings/?{query}", f"/api/v1/rankings/criteria/?{query}"]
        years.add(year)
    for year in sorted(years):
        urls.append(f"/api/v1/results/?year={year}")
    return urls


def _file_name(language: str, url: str, content_type: str) -> str:
    digest = hashlib.sha256(f"{language} {url}".encode()).hexdigest()[:24]
    extension = {
        "text/html": "html",
        "text/csv": "csv",
        "application/json": "json",
        "application/pdf": "pdf",
        XLSX: "xlsx",
        DOCX: "docx",
    }
    return f"{digest}.{extension.get(content_type.split(';')[0].strip(), 'bin')}"


def save(folder: Path) -> int:
    """Crawl the public site and the public API into `folder`; the number of URLs saved."""
    _setup_django()
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    folder.mkdir(parents=True, exist_ok=True)
    client = Client()
    manifest: dict[str, dict] = {}
    for language in LANGUAGES:
        client.cookies["django_language"] = language
        queue = deque(["/", *api_urls()])
        seen = set(queue)
        while queue and len(seen) < MAX_URLS:
            url = queue.popleft()
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            content_type = response.get("Content-Type", "")
            name = _file_name(language, url, content_type)
            (folder / name).write_bytes(body)
            manifest[f"{language} {url}"] = {
                "status": response.status_code,
                "content_type": content_type,
                "file": name,
            }
            if response.status_code == 200 and content_type.startswith("text/html"):
                for link in [*page_links(body.decode()), *twins(url)]:
                    if link not in seen:
                        seen.add(link)
                        queue.append(link)
            if response.status_code == 200 and url.startswith("/api/"):
                _queue_next_page(body, content_type, seen, queue)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return len(manifest)


def _queue_next_page(body: bytes, content_type: str, seen: set, queue: deque) -> None:
    if not content_type.startswith("application/json"):
        return
    data = json.loads(body)
    following = data.get("next") if isinstance(data, dict) else None
    if isinstance(following, str):
        parts = urlsplit(following)
        url = parts.path + (f"?{parts.query}" if parts.query else "")
        if url not in seen:
            seen.add(url)
            queue.append(url)


def xlsx_values(body: bytes) -> list:
    """A workbook's sheet names and cell values, in order."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(body), read_only=True)
    return [
        (sheet.title, [list(row) for row in sheet.iter_rows(values_only=True)]) for sheet in book
    ]


def docx_text(body: bytes) -> list:
    """A Word document's text: each section's header and footer paragraphs, then the body's
    paragraphs and tables (each cell's text, row by row) in document order."""
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = Document(io.BytesIO(body))
    parts: list = []
    for section in document.sections:
        for part in (section.header, section.footer):
            parts.append(("margin", [paragraph.text for paragraph in part.paragraphs]))
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            parts.append(("paragraph", block.text))
        elif isinstance(block, Table):
            parts.append(("table", [[cell.text for cell in row.cells] for row in block.rows]))
    return parts


def _equal_bodies(content_type: str, a: bytes, b: bytes, *, ignore_times: bool) -> bool:
    if content_type == XLSX:
        return xlsx_values(a) == xlsx_values(b)
    if content_type == DOCX:
        return docx_text(a) == docx_text(b)
    if ignore_times and "json" in content_type:
        return DATETIME.sub(b'"<time>"', a) == DATETIME.sub(b'"<time>"', b)
    return False


def compare(before: Path, after: Path, *, ignore_times: bool = False) -> tuple[int, list[str]]:
    """The number of URLs compared and a line per difference."""
    old = json.loads((before / "manifest.json").read_text())
    new = json.loads((after / "manifest.json").read_text())
    differences = [f"only in {before}: {key}" for key in sorted(old.keys() - new.keys())]
    differences += [f"only in {after}: {key}" for key in sorted(new.keys() - old.keys())]
    common = sorted(old.keys() & new.keys())
    for key in common:
        a, b = old[key], new[key]
        for field in ("status", "content_type"):
            if a[field] != b[field]:
                differences.append(f"{key}: {field} {a[field]!r} != {b[field]!r}")
        body_a = (before / a["file"]).read_bytes()
        body_b = (after / b["file"]).read_bytes()
        if body_a == body_b:
            continue
        if _equal_bodies(a["content_type"], body_a, body_b, ignore_times=ignore_times):
            continue
        differences.append(f"{key}: body differs ({len(body_a)} vs {len(body_b)} bytes)")
    return len(common), differences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("save", help="save the public site of DATABASE_URL").add_argument("folder")
    comparing = commands.add_parser("compare", help="compare two saved folders")
    comparing.add_argument("before")
    comparing.add_argument("after")
    comparing.add_argument(
        "--ignore-times", action="store_true", help="mask date-times in JSON (two seeds)"
    )
    args = parser.parse_args(argv)
    if args.command == "save":
        count = save(Path(args.folder))
        print(f"saved {count} URLs to {args.folder}")
        return 0
    count, differences = compare(
        Path(args.before), Path(args.after), ignore_times=args.ignore_times
    )
    for line in differences:
        print(line)
    print(f"compared {count} URLs: {len(differences)} differences")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
