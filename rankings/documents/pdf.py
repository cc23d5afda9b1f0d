"""A document as PDF: an HTML template laid out by WeasyPrint.

Fonts come from the system (fontconfig): Liberation Serif, a Times New Roman metric twin
as Vietnamese administrative documents use, then DejaVu Serif; both carry every
Vietnamese diacritic (Debian: fonts-liberation, fonts-dejavu-core).
"""

from django.template.loader import render_to_string
from django.utils import translation

from rankings.documents.content import MOTTO, NATION, Document


@translation.override("vi")
def render(document: Document) -> bytes:
    from weasyprint import HTML  # imported late: pango loads fonts at import (~0.3 s)

    html = render_to_string(
        "documents/document.html", {"doc": document, "nation": NATION, "motto": MOTTO}
    )
    return HTML(string=html).write_pdf()
