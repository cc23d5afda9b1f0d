"""`{% page_errors_of as page_errors %}`: the page's error summary (rankings.error_summary)."""

from django import template
from django.utils.html import format_html

from rankings.error_summary import PageErrors, page_errors

register = template.Library()


@register.simple_tag(takes_context=True)
def page_errors_of(context) -> PageErrors:
    return page_errors(context.flatten())


@register.filter
def error_attrs(field) -> str:
    """` aria-invalid="true" aria-describedby="<id>_error"` for a hand-written input whose
    bound field (or nothing, on a row nobody posted) has errors; `{{ field.errors }}` renders
    the message with that id."""
    if field is None or not getattr(field, "errors", None):
        return ""
    return format_html(' aria-invalid="true" aria-describedby="{}_error"', field.auto_id)
