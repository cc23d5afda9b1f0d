"""A document as .docx (python-docx): what a province edits, signs and sends.

The same content as the PDF: the issuing body and the national motto in a borderless
two-column table (as Word templates of decisions do), the title, the table with its
header repeated on every page, notes and the signature block. Times New Roman 13/12 pt.
"""

import io

from docx import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from rankings.documents.content import MOTTO, NATION, Document

FONT = "Times New Roman"
CENTER, RIGHT, LEFT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.LEFT


def render(document: Document) -> bytes:
    word = WordDocument()
    _page(word, landscape=document.landscape)
    style = word.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    _header(word, document)
    _line(word, document.title[0], bold=True, size=14, before=12)
    for text in document.title[1:2]:
        _line(word, text, bold=True)
    for text in document.title[2:]:
        _line(word, text, italic=True, after=6)
    _table(word, document)
    for note in document.notes:
        _line(word, note, align=LEFT, size=11, before=4)
    _signatures(word, document)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _page(word, *, landscape: bool) -> None:
    section = word.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(25), Mm(15)


def _line(
    word_or_cell, text, *, bold=False, italic=False, size=12, align=CENTER, before=0, after=0
):
    paragraph = word_or_cell.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(before)
    paragraph.paragraph_format.space_after = Pt(after)
    run = paragraph.add_run(text)
    run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    return paragraph


def _header(word, document: Document) -> None:
    table = word.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    issuer, nation = table.rows[0].cells
    issuer.width, nation.width = Mm(80), Mm(100)
    issuer.paragraphs[0].text = ""
    for number, text in enumerate(document.issuer):
        paragraph = issuer.paragraphs[0] if number == 0 else issuer.add_paragraph()
        paragraph.alignment = CENTER
        run = paragraph.add_run(text)
        run.bold, run.font.size = True, Pt(12)
    _line(issuer, "―――――", size=10)
    first = nation.paragraphs[0]
    first.alignment = CENTER
    run = first.add_run(NATION)
    run.bold, run.font.size = True, Pt(12)
    _line(nation, MOTTO, bold=True, size=13)
    _line(nation, "―――――――――――", size=10)
    _line(nation, document.place_date, italic=True, size=13)


def _table(word, document: Document) -> None:
    data = document.table
    table = word.add_table(rows=1, cols=len(data.headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    _repeat_as_header(header)
    for cell, text in zip(header.cells, data.headers, strict=True):
        cell.paragraphs[0].alignment = CENTER
        run = cell.paragraphs[0].add_run(text)
        run.bold, run.font.size = True, Pt(11)
    for position, line in enumerate(data.lines):
        closing = data.total is not None and position == len(data.lines) - 1
        cells = table.add_row().cells
        for cell, (text, numeric) in zip(cells, line, strict=True):
            cell.paragraphs[0].alignment = RIGHT if numeric else LEFT
            run = cell.paragraphs[0].add_run(text)
            run.font.size, run.bold = Pt(11), closing


def _repeat_as_header(row) -> None:
    """Word repeats a row marked `tblHeader` at the top of every page the table runs on."""
    properties = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    properties.append(flag)


def _signatures(word, document: Document) -> None:
    columns = max(len(document.signatures), 2)
    table = word.add_table(rows=1, cols=columns)
    cells = table.rows[0].cells
    # A single signer signs on the right, as decisions place it.
    start = columns - len(document.signatures)
    for cell, signature in zip(cells[start:], document.signatures, strict=True):
        cell.paragraphs[0].alignment = CENTER
        run = cell.paragraphs[0].add_run(signature.on_behalf)
        run.bold = True
        _line(cell, signature.title, bold=True)
        for _ in range(4):
            cell.add_paragraph()
        if signature.name:
            _line(cell, signature.name, bold=True)
