"""API v1 read of targets and their progress: public, like the pages they mirror.

The rows are the targets' export frame (`rankings.targets.tables`), so the API, the pages
and the .csv/.xlsx/.json files give the same values.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from agencies.models import Agency, Province
from api.messages import VietnameseErrors
from api.views import SLUG, ReadView, errors
from rankings.public.exports import _json_value
from rankings.targets import tables
from rankings.targets.models import Comparison, Measure
from rankings.targets.progress import RULE, Status
from rankings.targets.selectors import agency_targets, province_targets


class TargetQuery(VietnameseErrors, serializers.Serializer):
    province = serializers.SlugField(max_length=80, help_text="Province slug.")
    agency = serializers.SlugField(
        max_length=100,
        required=False,
        help_text="One agency's slug: its own targets and the province-wide ones, judged "
        "for it, with its published values by year.",
    )
    year = serializers.IntegerField(
        min_value=2000, max_value=2100, required=False, help_text="Target year."
    )


def _decimal(**kwargs):
    return serializers.CharField(allow_null=True, help_text="Exact decimal as a string.", **kwargs)


class TargetRow(serializers.Serializer):
    agency = serializers.CharField(help_text="Agency slug; empty for a province-wide target.")
    agency_name = serializers.CharField()
    block = serializers.CharField(help_text="Province-wide target limited to this block.")
    indicator = serializers.CharField()
    measure = serializers.ChoiceField(choices=Measure.choices)
    criterion_code = serializers.CharField(help_text="Criterion code when linked; else empty.")
    year = serializers.IntegerField()
    comparison = serializers.ChoiceField(choices=Comparison.choices)
    value = _decimal()
    unit = serializers.CharField()
    baseline_year = serializers.IntegerField(allow_null=True)
    baseline_value = _decimal()
    latest_year = serializers.IntegerField(allow_null=True)
    latest_value = _decimal()
    expected = _decimal(required=False)
    status = serializers.ChoiceField(
        choices=[("", "province-wide"), *Status.choices],
        help_text="met, on_track, behind, missed, no_data; empty on a province-wide row.",
    )
    status_label = serializers.CharField()
    note = serializers.CharField()
    values = serializers.DictField(
        child=serializers.CharField(allow_null=True),
        required=False,
        help_text="With ?agency=: published value by year (null: none that year).",
    )
    counts = serializers.DictField(
        child=serializers.IntegerField(allow_null=True),
        required=False,
        help_text="Without ?agency=, on a province-wide row: agencies by status.",
    )


class TargetsSerializer(serializers.Serializer):
    province = serializers.CharField()
    agency = serializers.CharField(allow_null=True)
    year = serializers.IntegerField(allow_null=True)
    rule = serializers.CharField(help_text="The status rule, in one sentence.")
    rows = TargetRow(many=True)


class TargetList(ReadView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "province",
                {"type": "string", "pattern": SLUG, "maxLength": 80},
                required=True,
                examples=[OpenApiExample("Vĩnh Phúc", value="vinh-phuc")],
            ),
            OpenApiParameter("agency", {"type": "string", "pattern": SLUG, "maxLength": 100}),
            OpenApiParameter("year", {"type": "integer", "minimum": 2000, "maximum": 2100}),
        ],
        responses={200: TargetsSerializer, **errors(400, 404)},
    )
    def get(self, request):
        """Targets (chỉ tiêu) and their status against published values.

        A province's targets (agencies' own, judged; province-wide ones with the number of
        agencies in each status), or with `agency` that agency's targets and the
        province-wide ones, each with its published values year by year.
        """
        query = TargetQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        place = get_object_or_404(Province, slug=query.validated_data["province"])
        year, slug = query.validated_data.get("year"), query.validated_data.get("agency")
        if slug:
            agency = get_object_or_404(Agency, province=place, slug=slug)
            rows = _agency_rows(agency, year)
        else:
            rows = _province_rows(province_targets(province=place, year=year))
        body = {"province": place.slug, "agency": slug, "year": year, "rule": str(RULE)}
        return Response(TargetsSerializer({**body, "rows": rows}).data)


def _records(table) -> list[dict]:
    return [
        {key: _json_value(value) for key, value in record.items()}
        for record in table.frame.to_dict("records")
    ]


def _agency_rows(agency, year) -> list[dict]:
    targets = agency_targets(agency=agency)
    rows = []
    for record in _records(tables.agency_table(targets)):
        if year is not None and record["year"] != year:
            continue
        record["values"] = {str(y): record.pop(f"value_{y}") for y in targets.years}
        rows.append(record)
    return rows


def _province_rows(targets) -> list[dict]:
    rows = []
    for record in _records(tables.province_table(targets)):
        counts = {s: record.pop(f"count_{s}") for s in Status.values}
        if not record["agency"]:
            record["counts"] = counts
        rows.append(record)
    return rows
