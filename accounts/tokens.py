"""API tokens: django-rest-knox keeps only a SHA-512 digest and the first 15 characters.

A token is shown once, when it is made (`manage.py create_api_token`, or the owner's page
`/tai-khoan/ma-truy-cap/`), and expires `API_TOKEN_DAYS` later. Its owner lists and
revokes it; so does the administrator of any province the owner has a role in (a
superuser's tokens only by a superuser). A password change or a deactivation revokes all
of a user's tokens (accounts.signals).
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from knox.models import AuthToken

from rankings import permissions, security_log
from rankings.models import Role


def lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=settings.API_TOKEN_DAYS)


def issue(user, *, request=None, days: int | None = None) -> tuple[AuthToken, str]:
    """A new token for `user`: the row and the clear token, which is never stored."""
    ttl = lifetime() if days is None else datetime.timedelta(days=days)
    row, token = AuthToken.objects.create(user=user, expiry=ttl)
    security_log.event("token_created", request, owner=user.get_username(), key=row.token_key)
    return row, token


def administered_users(user):
    """Users whose tokens `user` may manage besides their own, as a queryset."""
    users = get_user_model().objects.all()
    if getattr(user, "is_superuser", False):
        return users
    provinces = {m.province_id for m in permissions.memberships(user) if m.role == Role.ADMIN}
    if not provinces:
        return users.none()
    return users.filter(memberships__province__in=provinces, is_superuser=False).distinct()


def manageable(user):
    """The tokens `user` may see and revoke: their own, and those of users they administer.

    Expired ones are left out (knox deletes them on their next use)."""
    from django.db.models import Q
    from django.utils import timezone

    owners = Q(user=user) | Q(user__in=administered_users(user).values("pk"))
    live = Q(expiry__isnull=True) | Q(expiry__gt=timezone.now())
    return AuthToken.objects.filter(owners & live).select_related("user").order_by("-created")


def revoke(user, key: str, *, request=None) -> bool:
    """Revoke the token whose visible part is `key`, if `user` may; False otherwise."""
    found = list(manageable(user).filter(token_key=key))
    for row in found:
        row.delete()
        security_log.event(
            "token_revoked", request, owner=row.user.get_username(), key=key, reason="revoked"
        )
    return bool(found)


def revoke_all(user, *, reason: str) -> int:
    count, _ = AuthToken.objects.filter(user=user).delete()
    if count:
        security_log.event("token_revoked", owner=user.get_username(), count=count, reason=reason)
    return count
