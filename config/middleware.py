"""The site's middleware: Vietnamese first, request ids, the database's 503, CSP, idle sessions.

Vietnamese first: the language switch decides, never the browser's Accept-Language; the
API (no switch) follows Accept-Language.
"""

import logging
import time

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db.utils import InterfaceError, OperationalError
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from config import health
from rankings import security_log

API_PREFIX = "/api/"


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Serve Vietnamese unless the visitor chose another language with the switch.

    Most visitors' browsers ask for English even in Vietnamese offices; the public
    record is Vietnamese, so only the language cookie set by the switch changes it.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        available = {code for code, _name in settings.LANGUAGES}
        if chosen not in available and request.path.startswith(API_PREFIX):
            # Programs have no switch: the API answers in the language they ask for.
            chosen = translation.get_language_from_request(request)
        language = chosen if chosen in available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response = super().process_response(request, response)
        remembered = getattr(request, "language_to_remember", None)
        if remembered:  # a sign-in: the cookie follows the stored preference (rankings.language)
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                remembered,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


class RequestIdMiddleware:
    """Give every request an id, echo it as `X-Request-ID` and put it on security log lines.

    A safe incoming `X-Request-ID` (from the proxy) is kept, so one id follows a request
    through both logs. Every 403 answer, whichever layer refused (a view's PermissionDenied,
    DRF, the CSRF check), is logged as `permission_denied`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = security_log.request_id_for(request.headers.get("X-Request-ID"))
        token = security_log.request_id.set(request.request_id)
        try:
            response = self.get_response(request)
            if response.status_code == 403:
                security_log.event("permission_denied", request, level=logging.WARNING)
            response["X-Request-ID"] = request.request_id
            return response
        finally:
            security_log.request_id.reset(token)


class DatabaseUnavailableMiddleware:
    """Answer 503 with `Retry-After` (config.health) while the database cannot be reached.

    A view's OperationalError or InterfaceError arrives in `process_exception`; a failure
    elsewhere (another middleware, DRF's own error handler) arrives as a 500. Either way the
    503 is given only if the database then fails `SELECT 1`, so a bad query on a working
    database stays the 500 it is.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and not health.database_ok():
            return health.unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError) and not health.database_ok():
            return health.unavailable_response(request)
        return None


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the API docs' and the embeds' exceptions scoped to them.

    Swagger UI and ReDoc (drf-spectacular's templates) start with an inline script and
    style, and ReDoc runs a blob: worker; every other page keeps the strict policy.
    """

    API_DOCS = frozenset({"api-docs", "api-redoc"})
    API_DOCS_POLICY = {
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],  # replaced, not added to: a hash would void it
        "img-src": [SELF, "data:"],
        "worker-src": [SELF, "blob:"],
    }

    # The embeds (rankings.embeds) may be framed by the portals of EMBED_ALLOWED_ORIGINS.
    EMBEDS = frozenset({"embed-leaderboard", "embed-agency"})

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        match = request.resolver_match
        if match is not None and match.url_name in self.API_DOCS and parts.replace is None:
            parts.replace = self.API_DOCS_POLICY
        if match is not None and match.url_name in self.EMBEDS and parts.replace is None:
            parts.replace = {"frame-ancestors": [SELF, *settings.EMBED_ALLOWED_ORIGINS]}
        return parts


class SessionTimeoutMiddleware:
    """Sign a user out after `SESSION_IDLE_SECONDS` idle or `SESSION_COOKIE_AGE` in all.

    The session records when it was first seen signed in and, at most once a minute, the
    last request; Django's own expiry would move with every save, so the absolute limit
    is kept here. Requests without a session cookie (and /healthz) are left alone.
    """

    STARTED, SEEN = "security_started_at", "security_seen_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            and request.path != "/healthz"
            and request.user.is_authenticated
        ):
            self._check(request, now=int(time.time()))
        return self.get_response(request)

    def _check(self, request, *, now: int) -> None:
        session = request.session
        started = session.setdefault(self.STARTED, now)
        seen = session.get(self.SEEN, now)
        if now - seen > settings.SESSION_IDLE_SECONDS:
            self._end(request, reason="idle", message=IDLE_MESSAGE)
        elif now - started > settings.SESSION_COOKIE_AGE:
            self._end(request, reason="lifetime", message=LIFETIME_MESSAGE)
        elif self.SEEN not in session or now - seen >= 60:
            session[self.SEEN] = now

    @staticmethod
    def _end(request, *, reason: str, message) -> None:
        security_log.event("session_ended", request, reason=reason)
        logout(request)
        messages.info(request, message)


IDLE_MESSAGE = _("Phiên làm việc đã kết thúc vì lâu không thao tác; hãy đăng nhập lại.")
LIFETIME_MESSAGE = _("Phiên làm việc đã hết thời hạn; hãy đăng nhập lại.")

# Connected here rather than in an AppConfig: this module is loaded with the middleware,
# after the apps, and before the first request.
security_log.connect_signals()
