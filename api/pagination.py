"""Page-number pagination with a hard maximum, refusing page numbers that are not numbers."""

from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """`?page=2&page_size=100`; sizes above `max_page_size` are served as `max_page_size`.

    DRF quietly serves the default for `page_size=abc` and page 1 for `page=`; here both are
    a 400, so a client's mistake is not mistaken for data.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        size = _positive(request, self.page_size_query_param)
        return self.page_size if size is None else min(size, self.max_page_size)

    def get_page_number(self, request, paginator):
        return _positive(request, self.page_query_param) or 1

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Results per page, default {self.page_size}; "
                    f"larger values are served as {self.max_page_size}."
                )
        return parameters


class KeysFirstPaginator(Paginator):
    """Finds a page's primary keys first, then reads only those rows (a "deferred join").

    `OFFSET 9950` over whole joined rows sorts and throws away 9,950 of them; over the keys
    of an index in the list's order it skips index entries only (an index-only scan), so
    a deep page costs about what the first does.
    """

    def page(self, number):
        page = super().page(number)
        page.object_list = self.object_list.filter(pk__in=page.object_list.values("pk"))
        return page


class KeysFirstPagination(Pagination):
    """`Pagination` reading keys first (`KeysFirstPaginator`): for long lists, best in the
    order of an index."""

    django_paginator_class = KeysFirstPaginator


def _positive(request, name: str) -> int | None:
    values = request.query_params.getlist(name)
    if not values:
        return None
    if len(values) > 1 or not (values[0].isascii() and values[0].isdigit()) or int(values[0]) < 1:
        raise ValidationError({name: [_("Phải là một số nguyên dương, ghi một lần.")]})
    return int(values[0])
