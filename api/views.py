"""API v1: published data only, read-only, anonymous. Views parse, call a selector, render."""

import orjson
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Agency, Block, Province
from api import caching, filters, presenters, selectors, serializers
from api.pagination import KeysFirstPagination
from api.ranking_json import ranking_json
from rankings.models import Result
from rankings.public.filters import ResultFilter
from rankings.public.selectors.agency import agency_profile
from rankings.public.selectors.leaderboard import latest_publications, published_cycle
from rankings.public.selectors.methodology import criteria_tree

NOTHING_PUBLISHED = _("Chưa có kết quả xếp hạng được công bố cho tỉnh, năm và khối này.")
UNKNOWN = {
    "province": _("Không có tỉnh nào có slug “%(slug)s”."),
    "block": _("Không có khối xếp hạng nào có slug “%(slug)s”."),
}


def errors(*codes: int) -> dict:
    """The documented error responses of an operation, all in the one error format."""
    described = {
        304: OpenApiResponse(description="Not modified (If-None-Match / If-Modified-Since)."),
        429: OpenApiResponse(serializers.Error, description="Throttled; see Retry-After."),
    }
    for code in codes:
        described[code] = OpenApiResponse(serializers.Error)
    return described


class ReadView(APIView):
    """Anonymous GET with caching headers; `self.version` is set by published-data views."""

    permission_classes = [AllowAny]
    version: caching.Version | None = None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code in (200, 304):
            caching.stamp(request, response, self.version)
        return response

    def conditional(self, request, publications):
        """Set the version from `publications`; a 304 response if the client is current."""
        self.version = caching.published_version(publications, request=request)
        return caching.not_modified(request, self.version)


@extend_schema(responses={200: serializers.ProvinceSerializer(many=True), **errors(400, 404)})
class ProvinceList(ReadView, generics.ListAPIView):
    """Provinces, before and after the 2025 reform."""

    queryset = Province.objects.all()
    serializer_class = serializers.ProvinceSerializer
    filter_backends = [filters.StableOrdering]
    ordering_fields = ["name", "code", "slug", "valid_from"]
    ordering = ["name"]


@extend_schema(responses={200: serializers.BlockSerializer(many=True), **errors(400, 404)})
class BlockList(ReadView, generics.ListAPIView):
    """Ranking blocks (khối): departments, districts, communes…"""

    queryset = Block.objects.all()
    serializer_class = serializers.BlockSerializer
    filter_backends = [filters.StableOrdering]
    ordering_fields = ["order", "slug", "name"]
    ordering = ["order", "slug"]


class AgencyRead(ReadView, generics.GenericAPIView):
    queryset = Agency.objects.select_related("province", "block").prefetch_related(
        Prefetch("successors", queryset=Agency.objects.only("id"))
    )
    serializer_class = serializers.AgencySerializer


@extend_schema(responses={200: serializers.AgencySerializer(many=True), **errors(400, 404)})
class AgencyList(AgencyRead, generics.ListAPIView):
    """Ranked units, filtered by province, block, kind, year of activity or name.

    By default in the order of the `agency_list_order` index (province id, block id, name,
    id), so a deep page is as cheap as the first: 15,901 agencies nationally.
    """

    filter_backends = [DjangoFilterBackend, filters.StableOrdering]
    filterset_class = filters.AgencyFilter
    pagination_class = KeysFirstPagination
    ordering_fields = ["name", "short_name", "slug", "valid_from"]
    ordering = ["province_id", "block_id", "name"]


@extend_schema(responses={200: serializers.AgencySerializer, **errors(404)})
class AgencyDetail(AgencyRead, generics.RetrieveAPIView):
    """One agency."""


class AgencyHistory(ReadView, APIView):
    @extend_schema(responses={200: serializers.HistorySerializer, **errors(404)})
    def get(self, request, pk: int):
        """An agency's published results across years, with its block's figures."""
        agency = get_object_or_404(Agency.objects.select_related("province", "block"), pk=pk)
        publications = selectors.block_publications(
            province_id=agency.province_id, block_id=agency.block_id
        )
        if current := self.conditional(request, publications):
            return current
        profile = agency_profile(agency=agency)
        return Response(serializers.HistorySerializer(presenters.history(profile)).data)


@extend_schema(responses={200: serializers.CriteriaSetSerializer(many=True), **errors(400, 404)})
class CriteriaSetList(ReadView, generics.ListAPIView):
    """Criteria sets used by published rankings."""

    serializer_class = serializers.CriteriaSetSerializer
    filter_backends = [DjangoFilterBackend, filters.StableOrdering]
    filterset_class = filters.CriteriaSetFilter
    ordering_fields = ["slug", "decision_date", "name"]
    ordering = ["slug"]

    def get_queryset(self):
        return selectors.published_criteria_sets()

    def list(self, request, *args, **kwargs):
        if current := self.conditional(request, selectors.all_publications()):
            return current
        return super().list(request, *args, **kwargs)


class CriteriaSetDetail(ReadView, APIView):
    @extend_schema(responses={200: serializers.CriteriaSetDetailSerializer, **errors(404)})
    def get(self, request, slug: str):
        """A criteria set with its tree: groups → sub-groups → criteria, bands, cycles."""
        criteria_set = get_object_or_404(selectors.published_criteria_sets(), slug=slug)
        publications = selectors.all_publications().filter(cycle__criteria_set=criteria_set)
        if current := self.conditional(request, publications):
            return current
        tree = presenters.criteria_tree(criteria_tree(criteria_set=criteria_set))
        for key, value in tree.items():
            setattr(criteria_set, f"tree_{key}", value)
        return Response(serializers.CriteriaSetDetailSerializer(criteria_set).data)


@extend_schema(responses={200: serializers.CycleSerializer(many=True), **errors(400, 404)})
class CycleList(ReadView, generics.ListAPIView):
    """Published cycles (province × year × block), each with its latest publication."""

    serializer_class = serializers.CycleSerializer
    filter_backends = [DjangoFilterBackend, filters.StableOrdering]
    filterset_class = filters.CycleFilter
    ordering_fields = ["year"]
    ordering = ["-year"]

    def get_queryset(self):
        return selectors.published_cycles()

    def list(self, request, *args, **kwargs):
        if current := self.conditional(request, selectors.all_publications()):
            return current
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        latest = latest_publications(page)
        for cycle in page:
            cycle.latest_publication = latest[cycle.pk]
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


SLUG = r"^[-a-zA-Z0-9_]+$"
_KEY = "-?(rank|total|percent|name)"
ORDERING = rf"^({_KEY}(,{_KEY})*)?$"  # ResultFilter's choices, comma-separated
BLOCK_PARAMETERS = [
    OpenApiParameter(
        "province",
        {"type": "string", "pattern": SLUG, "maxLength": 80},
        required=True,
        description="Province slug.",
        examples=[OpenApiExample("Vĩnh Phúc", value="vinh-phuc")],
    ),
    OpenApiParameter(
        "year",
        {"type": "integer", "minimum": 2000, "maximum": 2100},
        required=True,
        description="Assessment year (the decision usually comes the year after).",
        examples=[OpenApiExample("2020", value=2020)],
    ),
    OpenApiParameter(
        "block",
        {"type": "string", "pattern": SLUG, "maxLength": 40},
        required=True,
        description="Block slug.",
        examples=[OpenApiExample("Districts", value="districts")],
    ),
]
RESULT_FILTER_PARAMETERS = [
    OpenApiParameter("q", filters.TEXT, description="Name contains, without diacritics."),
    OpenApiParameter("band", filters.TEXT, description="Exact band label, e.g. Khá."),
    OpenApiParameter(
        "ordering",
        {"type": "string", "pattern": ORDERING},
        description="rank, -rank, total, -total, percent, -percent, name, -name; "
        "comma-separated for several. Default: rank.",
    ),
]
AGENCY_PARAMETER = OpenApiParameter(
    "agency",
    {"type": "string", "pattern": SLUG, "maxLength": 100},
    description="One agency's slug; all agencies when absent.",
    examples=[OpenApiExample("Lập Thạch", value="lap-thach")],
)


def published_block(request, query_serializer):
    """The validated query and the published cycle it names (400 and 404 otherwise)."""
    query = query_serializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    rows = ResultFilter(request.query_params, queryset=Result.objects.none())
    if not rows.is_valid():
        raise ValidationError(rows.errors)
    cycle = published_cycle(
        province=query.validated_data["province"],
        year=query.validated_data["year"],
        block=query.validated_data["block"],
    )
    if cycle is None:
        raise NotFound(NOTHING_PUBLISHED)
    return query.validated_data, cycle


class RankingView(ReadView, APIView):
    @extend_schema(
        parameters=[*BLOCK_PARAMETERS, *RESULT_FILTER_PARAMETERS],
        responses={200: serializers.RankingSerializer, **errors(400, 404)},
    )
    def get(self, request):
        """A block's published ranking in one request: rows, statistics, decision, rules.

        The numbers are the leaderboard page's; statistics always cover the whole block,
        `q`, `band` and `ordering` only choose and sort the rows, as on the page.
        """
        _query, cycle = published_block(request, serializers.BlockQuery)
        if current := self.conditional(request, selectors.ranking_publications(cycle=cycle)):
            return current
        # The bytes `RankingSerializer(presenters.ranking(board))` renders, from plain rows
        # (api/ranking_json.py; tests/api/test_ranking_json.py compares the two).
        body = ranking_json(cycle, request.query_params)
        return HttpResponse(body, content_type="application/json")


class CriterionPointsView(ReadView, APIView):
    @extend_schema(
        parameters=[*BLOCK_PARAMETERS, AGENCY_PARAMETER],
        responses={200: serializers.CriterionPointsSerializer, **errors(400, 404)},
    )
    def get(self, request):
        """Published points per criterion (latest revision), with the criteria's maxima."""
        query, cycle = published_block(request, serializers.CriterionPointsQuery)
        publications = selectors.all_publications().filter(cycle=cycle)
        if current := self.conditional(request, publications):
            return current
        points = selectors.published_points(cycle=cycle, agency=query.get("agency", ""))
        if not points.results:
            raise NotFound(_("Đơn vị này không có kết quả được công bố trong bảng xếp hạng này."))
        body = presenters.criterion_points(points)
        return Response(serializers.CriterionPointsSerializer(body).data)


YEAR_PARAMETERS = [
    OpenApiParameter(
        "year",
        {"type": "integer", "minimum": 2000, "maximum": 2100},
        required=True,
        description="Assessment year.",
        examples=[OpenApiExample("2020", value=2020)],
    ),
    OpenApiParameter(
        "province",
        {"type": "string", "pattern": r"^[-a-zA-Z0-9_]*$", "maxLength": 80},
        description="Only this province (slug); every province when absent or empty.",
        examples=[OpenApiExample("Vĩnh Phúc", value="vinh-phuc")],
    ),
    OpenApiParameter(
        "block",
        {"type": "string", "pattern": r"^[-a-zA-Z0-9_]*$", "maxLength": 40},
        description="Only this block (slug); every block when absent or empty.",
        examples=[OpenApiExample("Districts", value="districts")],
    ),
]


def year_scope(request) -> dict:
    """The validated `year` and the province and block named (400 if malformed, 404 unknown)."""
    query = serializers.YearResultsQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    scope = {"year": query.validated_data["year"]}
    for name, model in (("province", Province), ("block", Block)):
        slug = query.validated_data.get(name)
        scope[name] = model.objects.filter(slug=slug).first() if slug else None
        if slug and scope[name] is None:
            raise NotFound(UNKNOWN[name] % {"slug": slug})
    return scope


class YearResultsView(ReadView, APIView):
    @extend_schema(
        parameters=YEAR_PARAMETERS,
        responses={200: serializers.YearResultsSerializer, **errors(400, 404)},
    )
    def get(self, request):
        """A year's published rows across every province (or one), in one request.

        Each cycle's latest revision; each row is a `rankings/` row (same numbers, same
        precision) with its province, block, criteria set and decision, without the
        changes from the year before. About 12,000 rows for a national year.
        """
        scope = year_scope(request)
        if current := self.conditional(request, selectors.year_publications(**scope)):
            return current
        body = presenters.year_results(selectors.year_results(**scope))
        return HttpResponse(orjson.dumps(body), content_type="application/json")


@extend_schema(exclude=True)
class Unknown(APIView):
    """Any other path under /api/v1/: a 404 in the one error format."""

    permission_classes = [AllowAny]

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise NotFound()
