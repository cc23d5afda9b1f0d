"""The project itself as an app, so its system checks (config.checks) are registered."""

from django.apps import AppConfig


class ConfigConfig(AppConfig):
    name = "config"
    verbose_name = "Cấu hình"

    def ready(self) -> None:
        from config import checks  # noqa: F401  registers the checks
