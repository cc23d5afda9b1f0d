"""Revoke every API token of a user whose password changes or who is deactivated.

A password is changed through `set_password` then `save()`, which holds the new clear
password in `_password` until saved; a login that merely rehashes the stored password
saves with `update_fields=["password"]` and `_password` cleared, and keeps the tokens.
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save, pre_save

WATCHED = {"password", "is_active"}


def _before(sender, instance, update_fields=None, **kwargs):
    instance._revoke_tokens_reason = None
    if instance.pk is None or (update_fields is not None and not WATCHED & set(update_fields)):
        return
    old = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if old is None:
        return
    rehash = update_fields is not None and getattr(instance, "_password", None) is None
    if old["password"] != instance.password and not rehash:
        instance._revoke_tokens_reason = "password_changed"
    elif old["is_active"] and not instance.is_active:
        instance._revoke_tokens_reason = "deactivated"


def _after(sender, instance, created=False, **kwargs):
    reason = getattr(instance, "_revoke_tokens_reason", None)
    if reason:
        from accounts import tokens

        tokens.revoke_all(instance, reason=reason)
        instance._revoke_tokens_reason = None


def connect() -> None:
    user = get_user_model()
    pre_save.connect(_before, sender=user, dispatch_uid="accounts-tokens-before")
    post_save.connect(_after, sender=user, dispatch_uid="accounts-tokens-after")
