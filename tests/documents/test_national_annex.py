"""The national ranking's annex is the Ministry's: its name, Hà Nội, "KT. BỘ TRƯỞNG".

The small national world of tests/public/test_national_view.py (its docstring has the
figures): 2024, Vĩnh Phúc first with 24,500, Hoà Bình and Phú Thọ tied second.
"""

import io

import docx
import pytest

pytestmark = pytest.mark.django_db


def test_the_national_ranking_has_its_annex_from_the_ministry(client, db):
    from tests.public.test_national_view import build

    build()
    page = client.get("/toan-quoc/").content.decode()
    assert 'href="/toan-quoc/2025/provinces/phu-luc.pdf"' in page
    document = docx.Document(
        io.BytesIO(client.get("/toan-quoc/2024/provinces/phu-luc.docx").content)
    )
    header, table, signatures = document.tables
    assert "BỘ THÔNG TIN VÀ TRUYỀN THÔNG" in header.cell(0, 0).text
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[1][:2] == ["1", "UBND tỉnh Vĩnh Phúc"] and "24,500" in rows[1]
    assert [row[0] for row in rows[1:]] == ["1", "2", "2", "4"]  # ties share a rank
    assert "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG" in signatures.rows[0].cells[1].text
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    assert "KẾT QUẢ XẾP HẠNG CÁC TỈNH, THÀNH PHỐ TRỰC THUỘC TRUNG ƯƠNG NĂM 2024" in paragraphs
    assert "Hà Nội, ngày" in header.cell(0, 1).text
