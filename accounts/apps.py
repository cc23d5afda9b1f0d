"""Accounts: API tokens (django-rest-knox) and password recovery."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Tài khoản"

    def ready(self) -> None:
        from accounts import schema, signals  # noqa: F401  schema: registers the extension

        signals.connect()
