"""Every sentence a template says in Vietnamese has its English twin in the catalogue, so
English mode is English on staff and set-up pages too (issue #17: the staff pages showed
Vietnamese headings, links and table columns in English mode)."""

import re
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext, ngettext

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
TRANSLATE = re.compile(r"""{%\s*translate\s+(["'])(?P<text>.+?)\1""")
# _("…") in a filter's argument, e.g. default:_("Chưa bắt đầu"), is translated as well.
UNDERSCORE = re.compile(r"""\b_\((["'])(?P<text>.+?)\1\)""")
BLOCK = re.compile(
    r"{%\s*blocktranslate(?P<args>[^%]*)%}(?P<body>.*?)"
    r"(?:{%\s*plural\s*%}(?P<plural>.*?))?{%\s*endblocktranslate\s*%}",
    re.S,
)
VIETNAMESE = re.compile(r"[À-ỹĐđ]")


def _msgid(body: str) -> str:
    """What `blocktranslate` looks up: % doubled, each {{ name }} as %(name)s."""
    return re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", body.replace("%", "%%"))


def untranslated() -> list[tuple[str, str]]:
    missing = []
    with translation.override("en"):
        for path in sorted(TEMPLATES.rglob("*.html")):
            text = path.read_text()
            name = str(path.relative_to(TEMPLATES))
            for found in [*TRANSLATE.finditer(text), *UNDERSCORE.finditer(text)]:
                words = found["text"].replace("%", "%%")  # as `translate` looks it up
                if VIETNAMESE.search(words) and gettext(words) == words:
                    missing.append((name, words))
            for found in BLOCK.finditer(text):
                singular = _msgid(found["body"])
                if not VIETNAMESE.search(singular):
                    continue
                if found["plural"] is None:
                    english = gettext(singular)
                else:
                    english = ngettext(singular, _msgid(found["plural"]), 2)
                if english in {singular, _msgid(found["plural"] or "")}:
                    missing.append((name, singular))
    return missing


def test_every_template_sentence_has_an_english_translation():
    assert untranslated() == []
