from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The public, read-only REST API (v1) over published rankings."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = "API"
