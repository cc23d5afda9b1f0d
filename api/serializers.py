"""Response shapes of API v1. They describe the payloads for the OpenAPI schema; the numbers
are prepared by `api.presenters` (or are model decimals) and are written as exact strings.

v1 only ever adds fields: never rename, remove or retype one here.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import Agency, AgencyKind, Block, Province
from api.messages import VietnameseErrors
from rankings.models import (
    RAW,
    AssessmentCycle,
    Basis,
    CriteriaSet,
    Criterion,
    CycleState,
    Evidence,
    Publication,
    Review,
    RuleKind,
    Score,
    Stage,
    Submission,
    SubmissionState,
)


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": r"^-?\d+(\.\d+)?$",
        "description": "An exact decimal as a string, at its published precision.",
    }
)
class Figure(serializers.Field):
    """A `Decimal` already at its published precision, written as a JSON string."""

    def to_representation(self, value):
        return format(value, "f")


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": r"^-?\d+(\.\d+)?$",
        "description": "The engine's figure before any published rounding, for those who "
        "recompute: exact where it ends, else 50 significant digits (132.2166…6667).",
    }
)
class Exact(Figure):
    """An unrounded `Decimal` (a `*_exact` field), written in full as a JSON string."""


class ErrorDetail(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine word: invalid, not_found, throttled…")
    message = serializers.CharField()
    fields = serializers.DictField(  # type: ignore[assignment]  # a field named like Serializer.fields: the metaclass pops declared fields off the class
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per offending parameter; empty when none.",
    )


class Error(serializers.Serializer):
    error = ErrorDetail()


# --- Reference data -------------------------------------------------------------------


class ProvinceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Province
        fields = ["id", "code", "name", "slug", "valid_from", "valid_to"]


class BlockSerializer(serializers.ModelSerializer):
    class Meta:
        model = Block
        fields = ["id", "slug", "name", "name_en", "order"]


class AgencySerializer(serializers.ModelSerializer):
    province: serializers.SlugRelatedField[Province] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    block: serializers.SlugRelatedField[Block] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    kind = serializers.ChoiceField(choices=AgencyKind.choices)
    successors: serializers.ManyRelatedField = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )  # type: ignore[assignment]  # many=True makes a ManyRelatedField (RelatedField.__new__), which the stubs' constructor cannot say

    class Meta:
        model = Agency
        fields = [
            "id",
            "slug",
            "name",
            "short_name",
            "kind",
            "province",
            "block",
            "admin_unit_code",
            "parent",
            "valid_from",
            "valid_to",
            "successors",
        ]


class AgencyRef(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    admin_unit_code = serializers.CharField(help_text="GSO code; empty for departments.")


class NamedRef(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class PublicationSerializer(serializers.ModelSerializer):
    revision = serializers.IntegerField(help_text="1 is the decision; later ones are corrections.")
    synthetic = serializers.BooleanField(
        source="is_synthetic", help_text="Demo data, not an official record."
    )

    source_kind = serializers.CharField(
        help_text="decision, or other (a report, an article): then decision_number is empty."
    )
    source = serializers.CharField(  # type: ignore[assignment]  # a field named like Field.source: the metaclass pops declared fields off the class
        source="source_line",
        help_text="The source as pages print it: “Quyết định số …” or “Nguồn: …”.",
    )

    class Meta:
        model = Publication
        fields = [
            "decision_number",
            "decision_date",
            "source_kind",
            "source",
            "source_title",
            "source_url",
            "signer",
            "revision",
            "published_at",
            "synthetic",
        ]


class RulesSerializer(serializers.ModelSerializer):
    precision = serializers.IntegerField(help_text="Decimals of published totals.")
    percent_precision = serializers.IntegerField(help_text="Decimals of published percents.")
    statistics_precision = serializers.IntegerField(
        help_text="Decimals of the published block mean and median."
    )
    synthetic = serializers.BooleanField(source="is_synthetic")

    class Meta:
        model = CriteriaSet
        fields = [
            "slug",
            "name",
            "max_points",
            "precision",
            "rounding",
            "percent_precision",
            "percent_rounding",
            "synthetic",
            "statistics_precision",
            "statistics_rounding",
        ]


# --- Cycles and criteria sets ---------------------------------------------------------


class CycleSerializer(serializers.ModelSerializer):
    province: serializers.SlugRelatedField[Province] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    block: serializers.SlugRelatedField[Block] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    criteria_set: serializers.SlugRelatedField[CriteriaSet] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    publication = PublicationSerializer(
        source="latest_publication", read_only=True, help_text="The latest revision."
    )

    class Meta:
        model = AssessmentCycle
        fields = ["id", "province", "year", "block", "criteria_set", "publication"]


class CriteriaSetSerializer(serializers.ModelSerializer):
    province: serializers.SlugRelatedField[Province] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    block: serializers.SlugRelatedField[Block] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    copied_from: serializers.SlugRelatedField[CriteriaSet] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    synthetic = serializers.BooleanField(source="is_synthetic")

    class Meta:
        model = CriteriaSet
        fields = [
            "slug",
            "name",
            "province",
            "block",
            "decision_number",
            "decision_date",
            "issuer",
            "max_points",
            "precision",
            "rounding",
            "percent_precision",
            "percent_rounding",
            "tie_method",
            "not_ranked_below",
            "not_ranked_basis",
            "copied_from",
            "synthetic",
            "statistics_precision",
            "statistics_rounding",
        ]


class CriterionNode(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    max_points = Figure()
    rule = serializers.ChoiceField(choices=RuleKind.choices)
    params = serializers.DictField(help_text="The rule's data: step table, choices, cap…")
    required = serializers.BooleanField(help_text="Needed to be ranked at all.")  # type: ignore[assignment]  # a field named like Field.required: the metaclass pops declared fields off the class
    evidence_required = serializers.BooleanField()
    data_source = serializers.CharField()


class GroupNode(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    max_points = Figure(help_text="Sum of its criteria's and sub-groups' maxima.")
    criteria = CriterionNode(many=True)


GroupNode._declared_fields["subgroups"] = GroupNode(many=True)  # groups nest to any depth


class BandSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label: the metaclass pops declared fields off the class
    label_en = serializers.CharField()
    minimum = Figure(help_text="Inclusive lower bound.")
    basis = serializers.ChoiceField(choices=Basis.choices)


class CycleRef(serializers.Serializer):
    province = serializers.CharField()
    year = serializers.IntegerField()
    block = serializers.CharField()


class CriteriaSetDetailSerializer(CriteriaSetSerializer):
    groups = GroupNode(many=True, read_only=True, source="tree_groups")
    bands = BandSerializer(many=True, read_only=True, source="tree_bands")
    cycles = CycleRef(
        many=True, read_only=True, source="tree_cycles", help_text="Published cycles using it."
    )

    class Meta(CriteriaSetSerializer.Meta):
        fields = [*CriteriaSetSerializer.Meta.fields, "groups", "bands", "cycles"]


# --- Rankings -------------------------------------------------------------------------


class RankingRow(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True, help_text="Null when not ranked.")
    tied = serializers.BooleanField(help_text="Shares its rank with another agency.")
    agency = AgencyRef()
    groups = serializers.DictField(child=Figure(), help_text="Subtotal per top-level group code.")
    total = Figure(help_text="Published total, at the criteria set's precision.")
    percent = Figure(help_text="Percent of maximum, at the criteria set's percent precision.")
    band = serializers.CharField(allow_null=True)
    not_ranked_reason = serializers.CharField(allow_null=True)
    previous_rank = serializers.IntegerField(allow_null=True)
    rank_change = serializers.IntegerField(
        allow_null=True, help_text="Places gained since last year (positive = up)."
    )
    change = Figure(
        allow_null=True,
        help_text="Total minus the baseline year's (statistics.previous_year); null when "
        "points do not compare (not_comparable_reason).",
    )
    percent_change = Figure(
        allow_null=True,
        help_text="Percent of maximum minus the baseline year's, in percentage points; given "
        "across a gap or a new criteria set, null across the 2025 reform. Added in v1.2.",
    )
    total_exact = Exact(help_text="The engine's total before the criteria set's rounding.")


def not_comparable_reason_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=["criteria", "structure", "gap"],
        allow_null=True,
        help_text="Why the baseline year's points do not compare: criteria (another criteria "
        "set: percents and ranks only), structure (the block is on the other side of the "
        "1 July 2025 reform: nothing compares) or gap (years without a published ranking lie "
        "between, same set: percents and ranks only; v1.2). Null when it compares or there "
        "is none. A gap with a new set is criteria, with missing_years.",
    )


class BaselineComparison(serializers.Serializer):
    """How a year compares with its baseline beyond `comparable_with_previous` (v1.2)."""

    missing_years = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Years between the baseline and this year with no published ranking "
        "(empty when none). Added in v1.2.",
    )
    previous_block_size = serializers.IntegerField(
        allow_null=True, help_text="Agencies ranked in the baseline year. Added in v1.2."
    )
    rank_change_comparable = serializers.BooleanField(
        allow_null=True,
        help_text="Ranks compare and both years ranked as many agencies; false flags a rank "
        "change between blocks of different sizes (still given). Null without a baseline. "
        "Added in v1.2.",
    )


class Statistics(BaselineComparison):
    count = serializers.IntegerField()
    ranked = serializers.IntegerField()
    max_points = Figure()
    mean = Figure(help_text="By the criteria set's statistics rule (statistics_precision).")
    median = Figure(help_text="By the criteria set's statistics rule (statistics_precision).")
    highest = Figure()
    lowest = Figure()
    spread = Figure()
    mean_percent = Figure(help_text="By the criteria set's percent rule.")
    previous_year = serializers.IntegerField(
        allow_null=True,
        help_text="The baseline: the latest earlier published year of the block (not "
        "necessarily year - 1).",
    )
    comparable_with_previous = serializers.BooleanField(allow_null=True)
    not_comparable_reason = not_comparable_reason_field()
    mean_change = Figure(
        allow_null=True,
        help_text="By the statistics rounding, at the fewer of statistics_precision and precision.",
    )
    mean_percent_change = Figure(
        allow_null=True,
        help_text="Mean percent of maximum minus the baseline year's (percentage points), "
        "whenever ranks compare. Added in v1.2.",
    )
    mean_exact = Exact()
    median_exact = Exact()
    highest_exact = Exact()
    lowest_exact = Exact()
    spread_exact = Exact()
    mean_change_exact = Exact(allow_null=True)


class GroupLabel(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()


class PublishedBlock(serializers.Serializer):
    province = NamedRef()
    year = serializers.IntegerField()
    block = NamedRef()
    criteria_set = RulesSerializer()
    publication = PublicationSerializer()


class RankingSerializer(PublishedBlock):
    groups = GroupLabel(many=True)
    statistics = Statistics()
    rows = RankingRow(many=True)


class CriterionColumn(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    group = serializers.CharField()
    subgroup = serializers.CharField(allow_null=True)
    max_points = Figure()
    rule = serializers.ChoiceField(choices=RuleKind.choices)


class CriterionPointsRow(serializers.Serializer):
    agency = AgencyRef()
    rank = serializers.IntegerField(allow_null=True)
    total = Figure()
    points = serializers.DictField(child=Figure(), help_text="Points per criterion code.")


class CriterionPointsSerializer(PublishedBlock):
    criteria = CriterionColumn(many=True)
    rows = CriterionPointsRow(many=True)


class HistoryYear(BaselineComparison):
    year = serializers.IntegerField()
    block = serializers.CharField()
    criteria_set = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True)
    count = serializers.IntegerField(help_text="Agencies in the block that year.")
    total = Figure()
    max_points = Figure()
    percent = Figure()
    band = serializers.CharField(allow_null=True)
    block_mean = Figure(help_text="By that year's criteria set's statistics rule.")
    comparable_with_previous = serializers.BooleanField(allow_null=True)
    not_comparable_reason = not_comparable_reason_field()
    change = Figure(allow_null=True)
    rank_change = serializers.IntegerField(allow_null=True)
    decision = PublicationSerializer()
    previous_year = serializers.IntegerField(
        allow_null=True,
        help_text="The baseline: the block's latest earlier published year. Added in v1.2.",
    )
    percent_change = Figure(
        allow_null=True,
        help_text="Percent of maximum minus the baseline year's, when ranks compare. "
        "Added in v1.2.",
    )
    not_ranked_reason = serializers.CharField(allow_null=True)
    total_exact = Exact()
    block_mean_exact = Exact()


class HistorySerializer(serializers.Serializer):
    agency = AgencyRef()
    province = serializers.CharField()
    years = HistoryYear(many=True)


class ResultRow(RankingRow):
    """A ranking row (same fields, same numbers) with its cycle; no year-before fields."""

    province = serializers.CharField(help_text="Province slug.")
    year = serializers.IntegerField()
    block = serializers.CharField(help_text="Block slug.")
    criteria_set = serializers.CharField(help_text="Criteria set slug: maxima, precision.")
    decision_number = serializers.CharField(help_text="The cycle's latest publication.")
    source = serializers.CharField(  # type: ignore[assignment]  # a field named like Field.source: the metaclass pops declared fields off the class
        help_text="The latest publication's source: “Quyết định số …” or “Nguồn: …”."
    )
    revision = serializers.IntegerField(help_text="1 is the decision; later ones are corrections.")
    # Changes need each block's year before and its comparability (the 2025 reform): they
    # are on rankings/ and agencies/{id}/history/, not in the bulk read.
    previous_rank = None  # type: ignore[assignment]  # None removes the inherited field (DRF's way)
    rank_change = None  # type: ignore[assignment]  # None removes the inherited field (DRF's way)
    change = None  # type: ignore[assignment]  # None removes the inherited field (DRF's way)
    percent_change = None  # type: ignore[assignment]  # None removes the inherited field
    total_exact = None  # type: ignore[assignment]  # the bulk read carries published figures only


class YearResultsSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    count = serializers.IntegerField(help_text="Rows.")
    rows = ResultRow(
        many=True,
        help_text="Cycles by province name and block order; each cycle's rows by rank "
        "(unranked last), then name.",
    )


# --- Query parameters -----------------------------------------------------------------


class BlockQuery(serializers.Serializer):
    province = serializers.SlugField(max_length=80, help_text="Province slug, e.g. vinh-phuc.")
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    block = serializers.SlugField(max_length=40, help_text="Block slug, e.g. districts.")


class YearResultsQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    province = serializers.SlugField(
        max_length=80, required=False, allow_blank=True, help_text="Province slug; all if empty."
    )
    block = serializers.SlugField(
        max_length=40, required=False, allow_blank=True, help_text="Block slug; all if empty."
    )


class CriterionPointsQuery(BlockQuery):
    agency = serializers.SlugField(
        max_length=100, required=False, help_text="One agency's slug; all agencies when absent."
    )


# --- Workflow: authenticated reads of drafts and writes -------------------------------
# Shapes of the operations under /api/v1/cycles/{province}/{year}/{block}/. Decimals are
# exact strings here too; inputs accept a string or a number with at most 3 decimals.

RAW_INPUT = {**RAW, "allow_null": True, "required": False}  # Score.value column limits


def _max_length(model, name: str) -> int:
    """A text column's length, so the API refuses what the database would (declared once)."""
    return model._meta.get_field(name).max_length


class CycleStateSerializer(CycleSerializer):
    """A cycle as its staff see it: state, dates and what the caller may do now."""

    state = serializers.ChoiceField(choices=CycleState.choices)
    revisions = serializers.IntegerField(help_text="Publications so far (0 = never published).")
    actions = serializers.ListField(
        child=serializers.CharField(),
        help_text="What the caller may do now: review, reopen, approve, enter_scores, "
        "import, review_scores, publish.",
    )

    class Meta(CycleSerializer.Meta):
        fields = [
            *(name for name in CycleSerializer.Meta.fields if name != "publication"),
            "state",
            "submission_deadline",
            "data_from",
            "data_to",
            "revisions",
            "actions",
        ]


class ScoreSerializer(serializers.ModelSerializer):
    agency: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    criterion: serializers.SlugRelatedField[Criterion] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    stage = serializers.ChoiceField(choices=Stage.choices)
    value = serializers.DecimalField(max_digits=15, decimal_places=3, allow_null=True)
    denominator = serializers.DecimalField(max_digits=15, decimal_places=3, allow_null=True)
    points = serializers.DecimalField(max_digits=9, decimal_places=3)
    max_points = serializers.DecimalField(max_digits=9, decimal_places=3)
    review = serializers.ChoiceField(choices=Review.choices, allow_blank=True)
    updated_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    etag = serializers.CharField(help_text="The value to send in If-Match to change this score.")

    class Meta:
        model = Score
        fields = [
            "agency",
            "criterion",
            "stage",
            "value",
            "denominator",
            "choice",
            "points",
            "max_points",
            "review",
            "comment",
            "updated_at",
            "updated_by",
            "etag",
        ]


class ScoreInput(VietnameseErrors, serializers.Serializer):
    """Raw inputs; the server turns them into points as the criteria set says."""

    value = serializers.DecimalField(
        **RAW_INPUT, min_value=0, help_text="a of a ratio, a count or a step value."
    )
    denominator = serializers.DecimalField(
        **RAW_INPUT, min_value=0, help_text="b of a ratio (a/b)."
    )
    choice = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="", help_text="For choice rules."
    )

    def validate_denominator(self, value):
        if value is not None and value <= 0:  # the column refuses it (score_denominator_positive)
            raise serializers.ValidationError(_("denominator: mẫu số phải lớn hơn 0."))
        return value

    def validate(self, attrs):
        if attrs.get("value") is None and attrs.get("denominator") is None and not attrs["choice"]:
            raise serializers.ValidationError(_("Cần giá trị, mẫu số hoặc lựa chọn."))
        return attrs


class ReviewInput(ScoreInput):
    action = serializers.ChoiceField(choices=["accepted", "adjusted", "returned"])
    comment = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required to adjust or return.",
    )

    def validate(self, attrs):
        if attrs["action"] == "adjusted":
            return super().validate(attrs)
        return attrs


class EvidenceSerializer(serializers.ModelSerializer):
    file = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id",
            "document_number",
            "title",
            "issued_on",
            "summary",
            "url",
            "file",
            "created_at",
        ]

    def get_file(self, evidence) -> str | None:
        return evidence.file.name.rsplit("/", 1)[-1] if evidence.file else None


class EvidenceInput(VietnameseErrors, serializers.Serializer):
    title = serializers.CharField(max_length=_max_length(Evidence, "title"))
    document_number = serializers.CharField(
        max_length=_max_length(Evidence, "document_number"),
        required=False,
        allow_blank=True,
        default="",
    )
    issued_on = serializers.DateField(required=False, allow_null=True, default=None)
    summary = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    url = serializers.URLField(
        max_length=_max_length(Evidence, "url"), required=False, allow_blank=True, default=""
    )
    file = serializers.FileField(
        required=False,
        allow_null=True,
        default=None,
        help_text="PDF, DOCX, XLSX, PNG or JPEG, at most 10 MB; content is checked.",
    )


class SubmissionSerializer(serializers.ModelSerializer):
    agency: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    state = serializers.ChoiceField(choices=SubmissionState.choices)
    submitted_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Submission
        fields = ["agency", "state", "submitted_at", "submitted_by"]


class ImportInput(VietnameseErrors, serializers.Serializer):
    file = serializers.FileField(help_text="The entry template (.xlsx) or a CSV, at most 5 MB.")
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text="Check and preview only; nothing is saved."
    )
    reason = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="Correction reason; required once the cycle is published.",
    )


class ImportProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_null=True)
    value = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class PreviewRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True)
    agency = serializers.CharField(source="agency_slug")
    name = serializers.CharField(source="agency_name")
    total = serializers.DecimalField(max_digits=9, decimal_places=3)
    percent = serializers.DecimalField(max_digits=7, decimal_places=3)
    band = serializers.CharField(allow_blank=True)
    in_file = serializers.BooleanField()
    current_total = serializers.DecimalField(max_digits=9, decimal_places=3, allow_null=True)
    current_rank = serializers.IntegerField(allow_null=True)


class ImportResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    agencies = serializers.IntegerField(help_text="Agencies in the file.")
    scores_created = serializers.IntegerField(allow_null=True)
    scores_updated = serializers.IntegerField(allow_null=True)
    warnings = serializers.ListField(child=serializers.CharField())
    preview = PreviewRowSerializer(many=True, help_text="The ranking once applied.")


class TransitionInput(VietnameseErrors, serializers.Serializer):
    action = serializers.ChoiceField(choices=["review", "reopen", "approve"])


class PublicationInput(VietnameseErrors, serializers.Serializer):
    decision_number = serializers.CharField(max_length=_max_length(Publication, "decision_number"))
    decision_date = serializers.DateField()
    signer = serializers.CharField(
        max_length=_max_length(Publication, "signer"), required=False, allow_blank=True, default=""
    )
    reason = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required for a correction (any publication after the first).",
    )
    preview = serializers.CharField(
        max_length=64,
        help_text=(
            "The `fingerprint` of the final preview the approver saw (`GET publications/`). "
            "What is published is exactly that preview: 409 when it has changed since."
        ),
    )


class FinalRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True)
    agency = serializers.CharField(source="agency.slug")
    name = serializers.CharField(source="agency.name")
    total = serializers.DecimalField(max_digits=15, decimal_places=3)
    score = serializers.DecimalField(max_digits=15, decimal_places=3)
    percent = serializers.DecimalField(max_digits=7, decimal_places=3)
    band = serializers.CharField(allow_blank=True)
    not_ranked_reason = serializers.CharField(allow_blank=True)


class FinalPreviewSerializer(serializers.Serializer):
    fingerprint = serializers.CharField(
        help_text="Send it back as `preview` when publishing this preview."
    )
    revision = serializers.IntegerField(help_text="The revision publishing would create.")
    rule = serializers.CharField(help_text="What becomes final, in the site's words.")
    refusal = serializers.CharField(
        allow_blank=True, help_text="Why publishing is refused now, or empty."
    )
    unaccounted = serializers.ListField(
        child=serializers.CharField(), help_text="Agencies with neither values nor a reason."
    )
    rows = FinalRowSerializer(many=True, help_text="Ranked first, then not ranked.")


class PublishedSerializer(PublicationSerializer):
    reason = serializers.CharField()

    class Meta(PublicationSerializer.Meta):
        fields = [*PublicationSerializer.Meta.fields, "reason"]


class WhoAmISerializer(serializers.Serializer):
    username = serializers.CharField()
    roles = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField(allow_null=True)),
        help_text="Each role with its province and, for agency roles, its agency.",
    )
