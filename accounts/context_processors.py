"""Whether the login page offers the password reset link (PASSWORD_RESET_ENABLED)."""

from django.conf import settings


def password_reset(request) -> dict:
    return {"password_reset_enabled": settings.PASSWORD_RESET_ENABLED}
