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
        choices=[
            ("rank", _("Thứ hạng (1 → cuối)")),
            ("-rank", _("Thứ hạng (cuối → 1)")),
            ("-total", _("Tổng điểm (cao → thấp)")),
            ("total", _("Tổng điểm (thấp → cao)")),
            ("-percent", _("% tối đa (cao → thấp)")),
            ("percent", _("% tối đa (thấp → cao)")),
            ("name", _("Tên (A → Z)")),
            ("-name", _("Tên (Z → A)")),
        ],
        empty_label=_("Mặc định (theo thứ hạng)"),
        label=_("Sắp xếp"),
    )

    class Meta:
        model = Result
        fields = ["q", "band"]

    def search(self, queryset, name, value):
        return queryset.filter(agency__search_name__contains=fold(value.strip()))
