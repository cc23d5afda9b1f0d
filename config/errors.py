"""The site's error pages: 400, 403 (and the CSRF check's), 404, 429 and 500.

Each page says what happened, why when we know, and what to do next, in the visitor's
language first and the other one second: a visitor who cannot read the first still learns
what to do. The texts are the site's own translated strings, rendered once per language.
The 500 page renders without the session or the database, which may be what failed.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse
from django.template import loader
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ErrorText:
    title: Promise
    why: Promise
    next: Promise


TEXTS = {
    400: ErrorText(
        _("Yêu cầu không hợp lệ"),
        _("Máy chủ không hiểu được yêu cầu: địa chỉ hoặc dữ liệu gửi lên bị sai hoặc quá lớn."),
        _("Kiểm tra lại địa chỉ, hoặc quay lại trang trước và gửi lại."),
    ),
    403: ErrorText(
        _("Không có quyền truy cập"),
        _("Tài khoản của bạn không được giao vai trò cho phép việc này."),
        _("Nếu bạn cần quyền này, hãy liên hệ cán bộ quản trị của Sở Thông tin và Truyền thông."),
    ),
    "csrf": ErrorText(
        _("Phiên biểu mẫu đã hết hạn"),
        _(
            "Biểu mẫu được mở quá lâu hoặc từ một trang cũ nên không còn hợp lệ; "
            "chưa có gì được lưu."
        ),
        _("Tải lại trang biểu mẫu, nhập lại và gửi lại. Trình duyệt cần cho phép cookie."),
    ),
    404: ErrorText(
        _("Không tìm thấy trang"),
        _("Địa chỉ này không có trên trang, hoặc kết quả chưa được công bố."),
        _("Kiểm tra lại địa chỉ, hoặc tìm cơ quan, đơn vị từ trang chủ."),
    ),
    429: ErrorText(
        _("Quá nhiều yêu cầu"),
        _("Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn."),
        _("Đợi một lát rồi thử lại."),
    ),
    500: ErrorText(
        _("Lỗi máy chủ"),
        _(
            "Đã có lỗi bất ngờ trên máy chủ; sự cố đã được ghi lại. "
            "Dữ liệu đã công bố không bị ảnh hưởng."
        ),
        _(
            "Thử lại sau ít phút. Nếu lỗi lặp lại, gửi mã yêu cầu ghi trên trang này "
            "cho quản trị viên."
        ),
    ),
}

# Messages Django itself puts on a 404 (get_object_or_404, the URL resolver): internals in
# English, never shown. A message a view raised on purpose is shown as the reason.
_INTERNAL_404 = re.compile(r"^No .+ matches the given query\.$|^No .+ found matching the query$")


def _languages() -> list[str]:
    """The active language first, then the site's other languages."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    codes = [code for code, _name in settings.LANGUAGES]
    first = current if current in codes else settings.LANGUAGE_CODE
    return [first, *(code for code in codes if code != first)]


def render_error(request, status: int, *, key=None, reason: str = "", retry_after=None):
    """The error page for `status`, the reason (already in the visitor's language) first."""
    text = TEXTS[key or status]
    sections = []
    for code in _languages():
        with translation.override(code):
            parts = {"title": text.title, "why": text.why, "next": text.next}
            sections.append({"lang": code, **{k: str(v) for k, v in parts.items()}})
    context = {
        "status": status,
        "key": key or status,
        "sections": sections,
        "reason": reason,
        "retry_after": retry_after,
        # Only a server error needs its id reported; other pages stay the same for every
        # request (a 404 of an existing draft must equal a missing one's, byte for byte).
        "request_id": getattr(request, "request_id", "") if request and status >= 500 else "",
        "signed_in": _signed_in(request) if status in {403, 404} else False,
        "path": request.get_full_path() if request is not None else "/",
        "stylesheet": _static_url("css/site.css"),
        "icon": _static_url("favicon.svg"),
    }
    body = loader.render_to_string("errors/error.html", context)
    response = HttpResponse(body, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _static_url(path: str) -> str:
    """The file's fingerprinted URL, or its plain one when the manifest lacks it.

    The error pages must render even on a deploy whose collectstatic did not run (every
    other page then fails on the missing manifest entry; this one must still answer, with
    its status and request id, rather than leave gunicorn's bare 500).
    """
    try:
        return staticfiles_storage.url(path)
    except ValueError:
        return settings.STATIC_URL.rstrip("/") + "/" + path


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def _reason(exception) -> str:
    if exception is None or not exception.args:
        return ""
    message = exception.args[0]
    if not isinstance(message, str | Promise):
        return ""  # the resolver's {"path": …, "tried": …}
    message = str(message)
    return "" if _INTERNAL_404.match(message) else message


def bad_request(request, exception=None):
    return render_error(request, 400)


def permission_denied(request, exception=None):
    return render_error(request, 403, reason=_reason(exception))


def page_not_found(request, exception=None):
    return render_error(request, 404, reason=_reason(exception))


def server_error(request=None):
    return render_error(request, 500)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: an expired or foreign form, said plainly (Django's reason is English)."""
    return render_error(request, 403, key="csrf")
