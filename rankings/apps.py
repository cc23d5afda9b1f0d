from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RankingsConfig(AppConfig):
    name = "rankings"
    verbose_name = _("Đánh giá, xếp hạng")

    def ready(self) -> None:
        from rankings.public import page_cache

        page_cache.connect_signals()  # a new publication is a new page-cache generation
