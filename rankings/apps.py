from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RankingsConfig(AppConfig):
    name = "rankings"
    verbose_name = _("Đánh giá, xếp hạng")

    def ready(self) -> None:
        from rankings.language import models as _language_models  # noqa: F401  (registers it)
        from rankings.language import signals as language_signals
        from rankings.public import page_cache

        language_signals.connect()  # the stored language is applied on sign-in

        page_cache.connect_signals()  # a new publication is a new page-cache generation
