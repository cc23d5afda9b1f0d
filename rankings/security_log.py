"""The security log: one JSON object a line on the `security` logger, each with a request id.

Events: `login` and `login_failed` (Django's auth signals), `login_locked_out` (django-axes),
`permission_denied` (every 403 answer, config.middleware), `import` (who, cycle, file name,
rows, ok or refused) and `publication`. Only names, ids, counts and addresses are written:
never a password, token, session key, cookie or a file's contents.

`config.settings.LOGGING` builds the formatter and filter from this module before the apps
are loaded, so nothing here imports a model at import time; the signal receivers are
connected by `connect_signals()`, which config.middleware calls once the apps are ready.
"""

import contextvars
import datetime
import functools
import json
import logging
import re
import uuid

from config.client_ip import client_ip, trusted_proxies

logger = logging.getLogger("security")

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

# An incoming X-Request-ID is kept only when it is a short plain token (a proxy's or load
# balancer's id); anything else could forge or break log lines, so a fresh one is made.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def request_id_for(incoming: str | None) -> str:
    # Only a proxy of ours sets it (nginx: `$request_id`); a client's own is not kept.
    if incoming and trusted_proxies() > 0 and _SAFE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "event", "request_id", ...fields}` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id.get()),
            **getattr(record, "security", {}),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def event(name: str, request=None, *, level: int = logging.INFO, **fields) -> None:
    """Log security event `name` with who and from where `request` came, plus `fields`."""
    if request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            fields = {"user": user.get_username(), "user_id": user.pk, **fields}
        fields = {
            "ip": client_ip(request),
            "method": request.method,
            "path": request.path,
            **fields,
        }
    logger.log(level, name, extra={"security": fields})


def _cycle(cycle) -> str:
    return f"{cycle.province.slug}/{cycle.year}/{cycle.block.slug}"


def import_checked(request, *, cycle, filename: str, parsed) -> None:
    """A file was read for `cycle` (preview or dry run): its rows, or why it was refused."""
    event(
        "import",
        request,
        level=logging.INFO if parsed.ok else logging.WARNING,
        stage="checked",
        outcome="ok" if parsed.ok else "refused",
        cycle=_cycle(cycle),
        file=filename,
        sha256=parsed.digest,
        rows=len(parsed.rows),
        problems=len(parsed.problems),
    )


def import_applied(request, *, cycle, filename: str, summary) -> None:
    """The scores of a checked file were saved for `cycle`."""
    event(
        "import",
        request,
        stage="applied",
        outcome="ok",
        cycle=_cycle(cycle),
        file=filename,
        sha256=summary.digest,
        rows=summary.agencies,
        scores_created=summary.scores_created,
        scores_updated=summary.scores_updated,
    )


def api_import(post):
    """Decorates the API's import `post`: logs the outcome it answered, whichever it was."""

    @functools.wraps(post)
    def wrapped(view, request, *args, **kwargs):
        response = post(view, request, *args, **kwargs)
        if response.status_code in {200, 400}:
            upload = request.FILES.get("file")
            data = response.data if isinstance(response.data, dict) else {}
            ok = response.status_code == 200
            dry_run = data.get("dry_run") if ok else None
            event(
                "import",
                request,
                level=logging.INFO if ok else logging.WARNING,
                stage=("checked" if dry_run else "applied") if ok else "refused",
                outcome="ok" if ok else "refused",
                cycle="/".join(str(kwargs.get(k, "")) for k in ("province", "year", "block")),
                file=upload.name if upload else None,
                rows=data.get("agencies") if ok else None,
                problems=None if ok else len(data.get("error", {}).get("problems", [])),
            )
        return response

    return wrapped


def publication(request, *, cycle, publication=None, decision: str = "", revision=None) -> None:
    """`cycle` was published (revision 1) or corrected (2 and later) by a decision."""
    if publication is not None:
        decision, revision = publication.decision_number, publication.revision
    event("publication", request, cycle=_cycle(cycle), decision=decision, revision=revision)


def _logged_in(sender, request, user, **kwargs):
    event("login", request, user=user.get_username(), user_id=user.pk)


def _login_failed(sender, credentials, request=None, **kwargs):
    # `credentials` has the password already masked by Django; only the username is kept.
    username = credentials.get("username")
    if request is None:
        event("login_failed", level=logging.WARNING, username=username)
    else:
        event("login_failed", request, level=logging.WARNING, username=username)


def _locked_out(sender, request, username, ip_address, **kwargs):
    event("login_locked_out", request, level=logging.WARNING, username=username, ip=ip_address)


def connect_signals() -> None:
    """Connect the auth and django-axes receivers (once the apps are loaded)."""
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_logged_in, user_login_failed

    user_logged_in.connect(_logged_in, dispatch_uid="security-log-login")
    user_login_failed.connect(_login_failed, dispatch_uid="security-log-login-failed")
    user_locked_out.connect(_locked_out, dispatch_uid="security-log-locked-out")
