"""What went wrong on a page after a failed submit, gathered once for every form.

`base.html` asks for it (`{% page_errors_of as page_errors %}`): the page's `<title>` starts
with the count, and an error summary at the top of the main content (or next to the form
that failed) lists each message, linked to its field, and takes the focus on load
(static/js/error-summary.js). Views need not build anything: every bound form with errors
in the template context (or in a dict of forms there) is read, then the plain messages
views already pass under `errors`, `error` and `problems`; an `ErrorItem` there keeps its
link. A file's row problems count one each and are linked as one, to their table
(`#problems`). A message that repeats one already listed is listed once.
"""

from dataclasses import dataclass

from django.forms import BaseForm
from django.utils.functional import LazyObject, Promise


@dataclass(frozen=True)
class ErrorItem:
    """One message of the summary; `target` is the id of the field or section it is about."""

    message: str
    target: str = ""


@dataclass(frozen=True)
class PageErrors:
    items: tuple[ErrorItem, ...]
    problem_count: int = 0  # a file's row problems, counted but listed in their own table

    @property
    def count(self) -> int:
        return len(self.items) + self.problem_count

    def __bool__(self) -> bool:
        return self.count > 0

    def __len__(self) -> int:
        return self.count


def form_errors(form: BaseForm) -> list[ErrorItem]:
    """A bound form's messages in field order, each linked to its input; the form-wide ones
    first, unlinked (they are about no single field)."""
    if not form.is_bound or not form.errors:
        return []
    items = [ErrorItem(str(m)) for m in form.non_field_errors()]
    for field in form:
        target = field.id_for_label or ""
        items += [ErrorItem(str(m), target) for m in field.errors]
    return items


def _items(value) -> list[ErrorItem]:
    """Plain messages as items; a view that knows where one belongs passes an ErrorItem."""
    if not value:
        return []
    if isinstance(value, str):
        value = [value]
    return [v if isinstance(v, ErrorItem) else ErrorItem(str(v)) for v in value]


def page_errors(values: dict) -> PageErrors:
    """Every form's messages, then the plain ones the view passed, each message once."""
    items: list[ErrorItem] = []
    for value in values.values():
        if issubclass(type(value), LazyObject | Promise):
            # Never a form, and not to be worked out: `csrf_token` is lazy, and evaluating it
            # sets a CSRF cookie, which keeps every public page out of the page cache.
            continue
        # A page with several forms may pass them in a dict (`forms.extend`).
        inner = value.values() if isinstance(value, dict) else [value]
        for form in inner:
            if isinstance(form, BaseForm):
                items += form_errors(form)
    problems = values.get("problems") or []
    for holder in ("parsed", "plan"):  # an import's checked file
        problems = problems or getattr(values.get(holder), "problems", None) or []
    # Plain strings are messages like any other; a file's row problems (row, column,
    # message) are many and have their own table.
    rows = [p for p in problems if not isinstance(p, str)]
    plain = [p for p in problems if isinstance(p, str)]
    seen = {item.message for item in items}
    for item in _items(values.get("errors")) + _items(values.get("error")) + _items(plain):
        if item.message not in seen:
            seen.add(item.message)
            items.append(item)
    return PageErrors(tuple(items), problem_count=len(rows))
