"""The decision's annex and the council's minutes as PDF and .docx, read back as a reader would.

Vĩnh Phúc 2020 districts (QĐ 3192/QĐ-UBND ngày 22/11/2021): Lập Thạch first with 106,331,
Tam Dương last with 74,337, nine districts. pdftotext and python-docx read the files back.
"""

import io
import shutil
import subprocess

import docx
import pytest
from django.contrib.auth import get_user_model

from rankings.models import Membership, Role

ANNEX = "/vinh-phuc/2020/districts/phu-luc"
DEPARTMENTS_ANNEX = "/vinh-phuc/2020/departments/phu-luc"

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from rankings.seed.demo import seed_demo

    with django_db_blocker.unblock():
        seed_demo()
        yield
        from tests.cleanup import delete_everything

        delete_everything()


def pdf_text(body: bytes) -> str:
    assert shutil.which("pdftotext"), "poppler-utils must be installed (.ci/run installs it)"
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=body, capture_output=True, check=True
    )
    return result.stdout.decode()


def test_annex_pdf_has_the_header_the_decision_the_table_and_the_signature(client, demo):
    response = client.get(f"{ANNEX}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="phu-luc-3192-qd-ubnd-vinh-phuc-2020-districts.pdf"'
    )
    text = pdf_text(response.content)
    for line in (
        "ỦY BAN NHÂN DÂN",
        "TỈNH VĨNH PHÚC",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "PHỤ LỤC",
        "Quyết định số 3192/QĐ-UBND ngày 22 tháng 11 năm 2021",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
    ):
        assert line in text, line
    lap_thach = next(line for line in text.splitlines() if "Lập Thạch" in line)
    assert "106,331" in lap_thach and "77,0%" in lap_thach and lap_thach.split()[0] == "1"
    assert "74,337" in next(line for line in text.splitlines() if "Tam Dương" in line)
    assert "điểm trung bình 90,479" in text


def test_annex_pdf_uses_one_typeface_for_every_vietnamese_letter(client, demo, tmp_path):
    """pdffonts lists the faces embedded: a fallback face means a font lacked letters."""
    path = tmp_path / "annex.pdf"
    path.write_bytes(client.get(f"{ANNEX}.pdf").content)
    listed = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True)
    faces = {line.split()[0].split("+")[-1] for line in listed.stdout.decode().splitlines()[2:]}
    assert faces == {"Liberation-Serif", "Liberation-Serif-Bold", "Liberation-Serif-Italic"}, (
        "install fonts-liberation2 (Liberation Serif 2.x has Vietnamese; .ci/run does)"
    )


def test_annex_docx_reads_back_as_the_published_table(client, demo):
    response = client.get(f"{ANNEX}.docx")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    header, table, _signatures = document.tables
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header.cell(0, 1).text
    assert "TỈNH VĨNH PHÚC" in header.cell(0, 0).text
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    assert "(Kèm theo Quyết định số 3192/QĐ-UBND ngày 22 tháng 11 năm 2021" in paragraphs
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == [
        "Hạng",
        "Cơ quan, đơn vị",
        "1. Điều kiện sẵn sàng",
        "2. Mức độ ứng dụng",
        "Tổng điểm",
        "Tỷ lệ % điểm tối đa",
        "Xếp loại",
    ]
    assert len(rows) == 1 + 9
    assert rows[1][:2] == ["1", "UBND huyện Lập Thạch"] and rows[1][4:6] == ["106,331", "77,0%"]
    assert rows[9][1] == "UBND huyện Tam Dương" and rows[9][4] == "74,337"
    assert "TM. ỦY BAN NHÂN DÂN" in _signatures.rows[0].cells[1].text


def test_annex_departments_has_twenty_rows_and_the_highest(client, demo):
    document = docx.Document(io.BytesIO(client.get(f"{DEPARTMENTS_ANNEX}.docx").content))
    rows = [[cell.text for cell in row.cells] for row in document.tables[1].rows]
    assert len(rows) == 21
    assert rows[1][1] == "Sở Thông tin và Truyền thông" and "59,984" in rows[1]


def test_annex_of_an_unpublished_year_is_a_404(client, demo):
    assert client.get("/vinh-phuc/2030/districts/phu-luc.pdf").status_code == 404


def test_leaderboard_links_the_annex(client, demo):
    page = client.get("/vinh-phuc/2020/districts/").content.decode()
    assert 'href="/vinh-phuc/2020/districts/phu-luc.pdf"' in page
    assert 'href="/vinh-phuc/2020/districts/phu-luc.docx"' in page


def test_council_minutes_for_staff_not_for_the_public(client, demo):
    url = "/quan-ly/vinh-phuc/2020/districts/don-vi/lap-thach/bien-ban"
    assert client.get(f"{url}.pdf").status_code == 302  # to the sign-in page
    from agencies.models import Province

    user = get_user_model().objects.create_user("council-minutes", "", "x")
    Membership.objects.create(
        user=user, role=Role.REVIEWER, province=Province.objects.get(slug="vinh-phuc")
    )
    client.force_login(user)
    text = " ".join(pdf_text(client.get(f"{url}.pdf").content).split())
    assert "BIÊN BẢN THẨM ĐỊNH" in text and "UBND huyện Lập Thạch" in text
    assert "233/315 → 4,438" in text  # 1.1.1 as imported: a/b and its points
    assert "HỘI ĐỒNG THẨM ĐỊNH" in text and "Tổng cộng" in text
    document = docx.Document(io.BytesIO(client.get(f"{url}.docx").content))
    rows = [[cell.text for cell in row.cells] for row in document.tables[1].rows]
    assert rows[0][3:6] == ["Tự đánh giá", "Hội đồng thẩm định", "Điểm chính thức"]
    assert rows[-1][1] == "Tổng cộng" and rows[-1][5] == "106,331"  # the final total
