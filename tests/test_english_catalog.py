"""Every sentence a template says in Vietnamese has its English twin in the catalogue, so
English mode is English on staff and set-up pages too (issue #17: the staff pages showed
Vietnamese headings, links and table columns in English mode)."""

import ast
import re
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext, ngettext, pgettext

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


# Python: the packages that make up the product (migrations only freeze verbose names).
ROOT = TEMPLATES.parent
PRODUCT_PACKAGES = ("accounts", "agencies", "api", "config", "rankings", "scoring")
# Kept in Vietnamese on purpose: a language's own name, as the language switch shows it.
KEPT_AS_IS = {"Tiếng Việt"}
TRANSLATORS = {
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
}


def _translators(tree: ast.Module) -> dict[str, str]:
    """Local name -> django.utils.translation function, as this module imports them."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            for alias in node.names:
                if alias.name in TRANSLATORS:
                    names[alias.asname or alias.name] = alias.name
    return names


def _called(node: ast.Call, names: dict[str, str]) -> str | None:
    """The translation function `node` calls (`_(…)`, `translation.gettext(…)`), if any."""
    func = node.func
    if isinstance(func, ast.Name):
        return names.get(func.id)
    through_module = isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
    if through_module and func.value.id == "translation" and func.attr in TRANSLATORS:
        return func.attr
    return None


def _untranslated(function: str, node: ast.Call) -> list[str]:
    """The literal msgids of one call that English mode leaves as they are (for ngettext,
    the singular stands for both forms)."""
    texts = [arg.value if isinstance(arg, ast.Constant) else "" for arg in node.args]
    texts = [text if isinstance(text, str) else "" for text in texts]
    if function.startswith("pgettext"):
        context, text = texts[:2]
        return [text] if text and pgettext(context, text) == text else []
    if function.startswith("ngettext"):
        one, many = texts[:2]
        english = (ngettext(one, many, 1), ngettext(one, many, 2))
        return [one] if one and (english[0] == one or english[1] == many) else []
    return [texts[0]] if texts and texts[0] and gettext(texts[0]) == texts[0] else []


def _untranslated_in(path: Path) -> list[str]:
    source = path.read_text()
    if "django.utils" not in source:  # imports no translation function: nothing to parse
        return []
    tree = ast.parse(source, filename=str(path))
    names = _translators(tree)
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    return [
        f"{path.relative_to(ROOT)}:{node.lineno}: {text}"
        for node in calls
        if (function := _called(node, names))
        for text in _untranslated(function, node)
        if VIETNAMESE.search(text) and text not in KEPT_AS_IS
    ]


def untranslated_python() -> list[str]:
    """file:line: text of each Vietnamese msgid in product Python with no English translation
    (ast merges implicitly concatenated literals, as gettext sees them)."""
    with translation.override("en"):
        return [
            found
            for package in PRODUCT_PACKAGES
            for path in sorted((ROOT / package).rglob("*.py"))
            if "migrations" not in path.parts
            for found in _untranslated_in(path)
        ]


def test_every_python_interface_string_has_an_english_translation():
    missing = untranslated_python()
    assert not missing, f"{len(missing)} Vietnamese msgids without English:\n" + "\n".join(missing)
