"""`{% embed_code "embed-agency" province slug title=… %}`: the `<iframe>` code a portal pastes,
in a labelled, read-only box with a copy button (static/js/embed-copy.js)."""

import html

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language

register = template.Library()


def _attribute(value) -> str:
    """A double-quoted attribute value: what must be escaped there, and no more (an
    apostrophe stays one, so the code a person copies reads as it will show)."""
    text = html.unescape(str(value))  # `blocktranslate asvar` gives it already escaped
    for raw, entity in (("&", "&amp;"), ('"', "&quot;"), ("<", "&lt;"), (">", "&gt;")):
        text = text.replace(raw, entity)
    return text


@register.inclusion_tag("embeds/_code.html")
def embed_code(url_name: str, *args, title: str, height: int = 420) -> dict:
    """The code as text; the template escapes it once more for the `<textarea>`."""
    src = settings.SITE_URL + reverse(url_name, args=[get_language(), *args])
    code = (
        f'<iframe src="{_attribute(src)}" title="{_attribute(title)}" width="100%" '
        f'height="{int(height)}" style="border:0" loading="lazy"></iframe>'
    )
    return {"src": src, "code": code, "box": url_name}
