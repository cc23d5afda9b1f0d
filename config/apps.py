"""The project itself as an app, so its system checks (config.checks) are registered."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConfigConfig(AppConfig):
    name = "config"
    verbose_name = _("Cấu hình")

    def ready(self) -> None:
        from config import checks  # noqa: F401  registers the checks
