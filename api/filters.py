"""Query-string filters of the API lists. Rankings use `rankings.public.filters.ResultFilter`, the
same FilterSet as the HTML leaderboard, so `?q=&band=&ordering=` mean the same in both.
"""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework.filters import OrderingFilter

from agencies.models import Agency, AgencyKind, fold

# Django refuses NUL characters in form input; the schema says so, so clients know.
TEXT = {"type": "string", "pattern": r"^[^\x00]*$"}


class PresentIntegerField(forms.IntegerField):
    """An integer, or absent; `?year=` (present but empty) is an error, not "any year"."""

    def clean(self, value):
        if value == "":
            raise forms.ValidationError(_("Nhập một số nguyên."), code="invalid")
        return super().clean(value)


@extend_schema_field({"type": "integer", "minimum": 1900, "maximum": 2100})
class YearFilter(django_filters.Filter):
    field_class = PresentIntegerField


@extend_schema_field(TEXT)
class TextFilter(django_filters.CharFilter):
    pass


@extend_schema_field({"type": "string", "enum": ["", *AgencyKind.values]})
class KindFilter(django_filters.ChoiceFilter):
    """An agency kind; empty means any, as for every filter."""


class AgencyFilter(django_filters.FilterSet):
    """`?province=vinh-phuc&block=districts&kind=district&active_in=2020&search=lap thach`."""

    province = TextFilter(field_name="province__slug", label="Province slug.")
    block = TextFilter(field_name="block__slug", label="Block slug.")
    kind = KindFilter(choices=AgencyKind.choices, label="Kind of agency.")
    active_in = YearFilter(
        method="filter_active_in",
        min_value=1900,
        max_value=2100,
        label="Existed at some point in this year (agencies have a lifetime).",
    )
    search = TextFilter(
        method="filter_search", label="Name contains, ignoring case and diacritics."
    )

    class Meta:
        model = Agency
        fields = ["province", "block", "kind", "active_in", "search"]

    def filter_active_in(self, queryset, name, year):
        started = Q(valid_from__lte=datetime.date(year, 12, 31))
        ended = Q(valid_to__isnull=True) | Q(valid_to__gte=datetime.date(year, 1, 1))
        return queryset.filter(started & ended)

    def filter_search(self, queryset, name, value):
        return queryset.filter(search_name__contains=fold(value.strip()))


class CycleFilter(django_filters.FilterSet):
    province = TextFilter(field_name="province__slug", label="Province slug.")
    block = TextFilter(field_name="block__slug", label="Block slug.")
    year = YearFilter(field_name="year", min_value=1900, max_value=2100, label="Assessment year.")


class CriteriaSetFilter(django_filters.FilterSet):
    province = TextFilter(field_name="province__slug", label="Province slug.")
    block = TextFilter(field_name="block__slug", label="Block slug.")


class StableOrdering(OrderingFilter):
    """`?ordering=-name`; the primary key breaks ties so pages never overlap."""

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view) or []
        return queryset.order_by(*ordering, "pk")
