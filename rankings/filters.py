"""FilterSets shared by the HTML pages and the API, so a query string means the same in both."""

import django_filters
from django.utils.translation import gettext_lazy as _

from agencies.models import fold
from rankings.models import Result


class ResultFilter(django_filters.FilterSet):
    """Filter and sort a published ranking: `?q=lap thach&band=Khá&ordering=-total`."""

    q = django_filters.CharFilter(
        method="search",
        label=_("Tìm theo tên (không cần dấu)"),
    )
    band = django_filters.CharFilter(field_name="band", label=_("Xếp loại"))
    ordering = django_filters.OrderingFilter(
        fields=(
            ("rank", "rank"),
            ("score", "total"),
            ("percent", "percent"),
            ("agency__search_name", "name"),
        ),
        field_labels={
            "rank": _("Thứ hạng"),
            "score": _("Tổng điểm"),
            "percent": _("Tỷ lệ %"),
            "agency__search_name": _("Tên"),
        },
        label=_("Sắp xếp"),
    )

    class Meta:
        model = Result
        fields = ["q", "band"]

    def search(self, queryset, name, value):
        return queryset.filter(agency__search_name__contains=fold(value.strip()))
