"""`{% embed_code "embed-agency" province slug title=… %}`: the `<iframe>` code a portal pastes,
in a labelled, read-only box with a copy button (static/js/embed-copy.js)."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import get_language

register = template.Library()


@register.inclusion_tag("embeds/_code.html")
def embed_code(url_name: str, *args, title: str, height: int = 420) -> dict:
    src = settings.SITE_URL + reverse(url_name, args=[get_language(), *args])
    code = format_html(
        '<iframe src="{}" title="{}" width="100%" height="{}" style="border:0" loading="lazy">'
        "</iframe>",
        src,
        title,
        height,
    )
    return {"src": src, "code": str(code), "box": url_name}
