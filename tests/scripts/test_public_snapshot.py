"""scripts/public_snapshot.py: which links it follows, and what counts as a difference."""

import importlib.util
import io
import json
import sys
from pathlib import Path

from openpyxl import Workbook

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "public_snapshot.py"
spec = importlib.util.spec_from_file_location("public_snapshot", SCRIPT)
snapshot = importlib.util.module_from_spec(spec)
sys.modules.setdefault(spec.name, snapshot)
spec.loader.exec_module(snapshot)


def test_follows_public_links_only():
    html = """<a href="/vinh-phuc/2020/districts/?q=lap#bang">x</a> <a href="/quan-ly/">s</a>
    <a href="https://example.org/">e</a> <a href="/admin/">a</a> <a href="/api/v1/">p</a>
    <a href="#top">t</a> <a href="/phuong-phap/">m</a>"""
    assert snapshot.page_links(html) == ["/vinh-phuc/2020/districts/?q=lap", "/phuong-phap/"]


def test_twins_keep_the_query():
    assert snapshot.twins("/vinh-phuc/2020/districts/?q=lap") == [
        "/vinh-phuc/2020/districts.csv?q=lap",
        "/vinh-phuc/2020/districts.xlsx?q=lap",
        "/vinh-phuc/2020/districts.json?q=lap",
    ]
    assert snapshot.twins("/") == []


def _workbook(value, title="Bảng") -> bytes:
    book = Workbook()
    book.active.title = title
    book.active.append(["Đơn vị", value])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _folder(root: Path, name: str, bodies: dict) -> Path:
    folder = root / name
    folder.mkdir()
    manifest = {}
    for index, (url, (content_type, body)) in enumerate(bodies.items()):
        (folder / f"{index}.bin").write_bytes(body)
        manifest[url] = {"status": 200, "content_type": content_type, "file": f"{index}.bin"}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def test_compare_reports_each_difference(tmp_path):
    xlsx = snapshot.XLSX
    old_b, new_b = _workbook("91,5"), _workbook("91,6")
    before = _folder(
        tmp_path,
        "before",
        {
            "vi /a/": ("text/html", b"<p>1</p>"),
            "vi /a.xlsx": (xlsx, _workbook("91,5")),
            "vi /b.xlsx": (xlsx, old_b),
            "vi /c.json": ("application/json", b'{"at": "2026-12-02T01:36:20.168109+07:00"}'),
            "vi /gone/": ("text/html", b""),
        },
    )
    after = _folder(
        tmp_path,
        "after",
        {
            "vi /a/": ("text/html", b"<p>2</p>"),
            "vi /a.xlsx": (xlsx, _workbook("91,5")),  # same cells, maybe other bytes
            "vi /b.xlsx": (xlsx, new_b),
            "vi /c.json": ("application/json", b'{"at": "2026-12-02T01:38:45.513291+07:00"}'),
            "vi /new/": ("text/html", b""),
        },
    )
    count, differences = snapshot.compare(before, after)
    assert count == 4
    assert differences == [
        f"only in {before}: vi /gone/",
        f"only in {after}: vi /new/",
        "vi /a/: body differs (8 vs 8 bytes)",
        f"vi /b.xlsx: body differs ({len(old_b)} vs {len(new_b)} bytes)",
        "vi /c.json: body differs (42 vs 42 bytes)",
    ]
    count, differences = snapshot.compare(before, after, ignore_times=True)
    assert [line for line in differences if "c.json" in line] == []


def test_workbooks_with_equal_cells_are_equal():
    assert snapshot.xlsx_values(_workbook("91,5")) == [("Bảng", [["Đơn vị", "91,5"]])]
    assert snapshot.xlsx_values(_workbook("91,5")) != snapshot.xlsx_values(_workbook("91,5", "X"))


def _document(cell, heading="PHỤ LỤC", written="2026-12-01T00:00:00") -> bytes:
    """A .docx with a header, a paragraph and a table; `written` goes into its zip and its
    core properties, as a second render of the same annex would differ."""
    import datetime
    import zipfile

    from docx import Document

    document = Document()
    document.sections[0].header.paragraphs[0].text = "ỦY BAN NHÂN DÂN"
    document.add_paragraph(heading)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Sở Tài chính", cell
    document.core_properties.modified = datetime.datetime.fromisoformat(written)
    buffer = io.BytesIO()
    document.save(buffer)
    # Rewrite the zip with the entries dated `written`, as another render's zip is.
    repacked = io.BytesIO()
    moment = datetime.datetime.fromisoformat(written).timetuple()[:6]
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(repacked, "w") as target:
        for info in source.infolist():
            target.writestr(zipfile.ZipInfo(info.filename, moment), source.read(info.filename))
    return repacked.getvalue()


def test_documents_compare_by_their_text(tmp_path):
    docx = snapshot.DOCX
    same_a, same_b = _document("91,5"), _document("91,5", written="2026-12-02T08:30:00")
    assert same_a != same_b
    assert snapshot.docx_text(same_a) == [
        ("margin", ["ỦY BAN NHÂN DÂN"]),
        ("margin", [""]),
        ("paragraph", "PHỤ LỤC"),
        ("table", [["Sở Tài chính", "91,5"]]),
    ]
    changed_cell, changed_heading = _document("91,6"), _document("91,5", heading="PHỤ LỤC 2")
    before = _folder(
        tmp_path,
        "before",
        {"vi /a.docx": (docx, same_a), "vi /b.docx": (docx, same_a), "vi /c.docx": (docx, same_a)},
    )
    after = _folder(
        tmp_path,
        "after",
        {
            "vi /a.docx": (docx, same_b),
            "vi /b.docx": (docx, changed_cell),
            "vi /c.docx": (docx, changed_heading),
        },
    )
    count, differences = snapshot.compare(before, after)
    assert count == 3
    assert differences == [
        f"vi /b.docx: body differs ({len(same_a)} vs {len(changed_cell)} bytes)",
        f"vi /c.docx: body differs ({len(same_a)} vs {len(changed_heading)} bytes)",
    ]
