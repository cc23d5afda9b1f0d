"""Documents a province files and sends: the decision's annex and the council's minutes.

`content` gathers what a document says (plain dataclasses, numbers already written the
Vietnamese way); `pdf` lays it out with WeasyPrint from an HTML template, `word` writes the
same content as a .docx with python-docx. Both are Vietnamese administrative documents,
so they are always written in Vietnamese, whatever language the site is read in.
"""
