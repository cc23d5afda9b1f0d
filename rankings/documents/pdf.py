"""A document as PDF: an HTML template laid out by WeasyPrint.

Fonts come from the system (fontconfig): Liberation Serif, a Times New Roman metric twin
as Vietnamese administrative documents use, then DejaVu Serif. Liberation Serif 2.x
(Debian: fonts-liberation2) has every Vietnamese letter; the 1.x of fonts-liberation does
not, and letters such as "ạ" would then come from DejaVu, mixing two faces in one word.
"""

from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation

from rankings.documents.content import MOTTO, NATION, Document

STYLESHEET = Path(__file__).with_name("document.css")


@translation.override("vi")
def render(document: Document) -> bytes:
    from weasyprint import CSS, HTML  # imported late: pango loads fonts at import (~0.3 s)

    html = render_to_string(
        "documents/document.html", {"doc": document, "nation": NATION, "motto": MOTTO}
    )
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])
