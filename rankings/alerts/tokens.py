"""Signed links for e-mail alerts: a confirmation that expires, an unsubscribe that does not.

Both are Django signatures (the SECRET_KEY, a salt per purpose), so nothing is stored and
a token for one purpose is refused for the other. A confirmation names the subscription
and its address; an unsubscribe names the address, and removes all its subscriptions.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "rankings.alerts.confirm"
UNSUBSCRIBE_SALT = "rankings.alerts.unsubscribe"


@dataclass(frozen=True)
class Confirmation:
    subscription_id: int | None  # None: the link is not valid
    email: str = ""
    expired: bool = False


def confirmation_token(*, subscription_id: int, email: str) -> str:
    return signing.dumps({"s": subscription_id, "e": email}, salt=CONFIRM_SALT, compress=True)


def confirmation_read(token: str) -> Confirmation:
    max_age = settings.ALERT_CONFIRM_HOURS * 3600
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=max_age)
    except signing.SignatureExpired:
        return Confirmation(None, expired=True)
    except signing.BadSignature:
        return Confirmation(None)
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        return Confirmation(None)
    return Confirmation(data["s"], str(data.get("e", "")))


def unsubscribe_token(*, email: str) -> str:
    return signing.dumps(email, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> str | None:
    """The address the token was made for, or None."""
    try:
        email = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return email if isinstance(email, str) else None
