"""One error format for every API failure: `{"error": {"code", "message", "fields"}}`.

`code` is a stable machine word (`invalid`, `not_found`, `throttled`, …), `message` a
human sentence in the site language, `fields` maps each offending parameter to its
messages (empty when the error is not about a parameter).
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

INVALID_MESSAGE = _("Tham số không hợp lệ; xem `fields`.")
THROTTLED_MESSAGE = _("Quá nhiều yêu cầu trong thời gian ngắn; hãy thử lại sau %(seconds)s giây.")


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is None:
        if settings.DEBUG:
            return None  # Django's technical page is more useful while developing
        logger.exception("Unhandled API error", exc_info=exc)
        body = error_body("server_error", str(_("Lỗi máy chủ; sự cố đã được ghi lại.")))
        return Response(body, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body("invalid", str(INVALID_MESSAGE), _fields(exc.detail))
    elif isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        message = THROTTLED_MESSAGE % {"seconds": exc.wait}
        response.data = error_body(exc.default_code, message)
    else:
        response.data = error_body(exc.default_code, str(exc.detail))
    return response


def _fields(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(key): _messages(value) for key, value in detail.items()}
    return {"non_field_errors": _messages(detail)}


def _messages(value) -> list[str]:
    if isinstance(value, dict):
        return [message for item in value.values() for message in _messages(item)]
    if isinstance(value, list | tuple):
        return [message for item in value for message in _messages(item)]
    return [str(value)]
