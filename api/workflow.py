"""API v1 workflow: drafts and writes, by token (integrations) or session (the site).

Every operation names its cycle as the site's pages do (province, year, block) and asks
`rankings.permissions` the same questions the pages ask, so a role can do through the API
exactly what it can do in the browser, and an agency never reaches another agency's
drafts. Writes go through the services the forms and the import use, and the audit trail
records them with the path "api". A score carries an `ETag`: changing an existing score
needs `If-Match`, and a stale one gets 412, so two people never overwrite each other.
"""

import hashlib

from django.db import transaction
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Agency
from api import serializers
from api.errors import error_body
from api.pagination import KeysFirstPagination
from api.parsers import JSONParser
from api.views import errors
from rankings import permissions, security_log
from rankings.cycles import assessments, audit, final, services
from rankings.cycles.preview_views import PREVIEW_STATES, can_see_preview
from rankings.cycles.publication import PublicationRefused, publication_create
from rankings.imports.services import import_apply, import_parse, import_preview
from rankings.imports.types import MAX_UPLOAD_BYTES, ImportRefused
from rankings.models import (
    AGENCY_ROLES,
    AssessmentCycle,
    Criterion,
    CycleState,
    Evidence,
    Score,
    Stage,
)

WRITABLE_STAGES = (Stage.SELF, Stage.FINAL)


class Locked(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "locked"
    default_detail = "Locked."


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"
    default_detail = "The score changed since it was read; read it again."


class PreconditionRequired(APIException):
    status_code = 428
    default_code = "precondition_required"
    default_detail = "Send If-Match with the score's ETag to change it."


class TooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_detail = "The file is too large."


def score_etag(score: Score) -> str:
    """A strong validator of everything a writer could have based a change on."""
    parts = (
        score.pk,
        score.updated_at.isoformat(),
        score.value,
        score.denominator,
        score.choice,
        score.points,
        score.review,
        score.comment,
    )
    return '"' + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32] + '"'


def check_preconditions(request, current: Score | None) -> None:
    """RFC 9110 If-Match / If-None-Match on one score (strong comparison)."""
    if_match = request.headers.get("If-Match")
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None and current is not None:
        tags = {tag.strip() for tag in if_none_match.split(",")}
        if "*" in tags or score_etag(current) in tags:
            raise PreconditionFailed(_("Điểm này đã có; hãy đọc lại và gửi If-Match."))
    if if_match is None:
        if current is not None:
            raise PreconditionRequired(
                _("Điểm này đã có: gửi If-Match với ETag đã đọc để thay đổi nó.")
            )
        return
    tags = {tag.strip() for tag in if_match.split(",")}
    if current is None or not ("*" in tags or score_etag(current) in tags):
        raise PreconditionFailed(
            _("Điểm đã thay đổi (hoặc không còn) kể từ lúc đọc; hãy đọc lại rồi gửi lại.")
        )


def refused(error: Exception) -> APIException:
    """A service's refusal as an API error: locked → 409, invalid input → 400."""
    if isinstance(error, assessments.Locked):
        return Locked(str(error))
    return ValidationError({"non_field_errors": list(getattr(error, "problems", [str(error)]))})


CYCLE_PARAMETERS = [
    OpenApiParameter("province", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=r"^[-\w]+$"),
    OpenApiParameter("year", OpenApiTypes.INT, OpenApiParameter.PATH),
    OpenApiParameter("block", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=r"^[-\w]+$"),
]
AGENCY_PARAMETER = OpenApiParameter(
    "agency", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=r"^[-\w]+$"
)
CODE_PARAMETER = OpenApiParameter(
    "code",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="Criterion code, e.g. 2.3.2.",
    pattern=r"^[^/]+$",
)
STAGE_PARAMETER = OpenApiParameter(
    "stage",
    {"type": "string", "enum": [s.value for s in Stage]},
    required=True,
    description="self (the agency's self-assessment), verified (the council's), "
    "final (ICT staff's, what is published).",
)
WRITE_STAGE_PARAMETER = OpenApiParameter(
    "stage",
    {"type": "string", "enum": [s.value for s in WRITABLE_STAGES]},
    required=True,
    description="self: the agency's reporter or head; final: ICT staff. "
    "The council writes the verified stage through the review operation.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The score's ETag as read; required when the score exists.",
)
IF_MATCH_OPTIONAL = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The self-assessed score's ETag as read; checked when sent.",
)


class WorkflowSchema(AutoSchema):
    def get_tags(self) -> list[str]:
        return ["workflow"]


class WorkflowView(APIView):
    """Authenticated, never cached by shared caches; the cycle and agency from the path."""

    permission_classes = [IsAuthenticated]
    schema = WorkflowSchema()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        patch_vary_headers(response, ("Authorization", "Cookie"))
        return response

    def get_cycle(self) -> AssessmentCycle:
        # Outside the cycle's province an existing cycle is as absent as a missing one.
        cycles = AssessmentCycle.objects.select_related("province", "block", "criteria_set")
        return get_object_or_404(
            permissions.visible_cycles(self.request.user, cycles),
            province__slug=self.kwargs["province"],
            year=self.kwargs["year"],
            block__slug=self.kwargs["block"],
        )

    def get_agency(self, cycle) -> Agency:
        return get_object_or_404(
            Agency, province=cycle.province_id, block=cycle.block_id, slug=self.kwargs["agency"]
        )

    def require(self, allowed: bool, message: str) -> None:
        if not allowed:
            raise PermissionDenied(message)

    def stage(self, request, stages) -> str:
        stage = request.query_params.get("stage", "")
        if stage not in stages:
            raise ValidationError(
                {"stage": [_("Chọn một trong: %(s)s.") % {"s": ", ".join(stages)}]}
            )
        return stage


def _in_province(user, cycle) -> bool:
    return user.is_superuser or any(
        m.province_id == cycle.province_id for m in permissions.memberships(user)
    )


class WhoAmI(WorkflowView):
    @extend_schema(responses={200: serializers.WhoAmISerializer, **errors(401)})
    def get(self, request):
        """The caller and its roles: which provinces and agencies it acts for."""
        rows = request.user.memberships.select_related("province", "agency").order_by(
            "province__slug", "role"
        )
        roles = [
            {
                "role": m.role,
                "province": m.province.slug,
                "agency": m.agency.slug if m.agency_id else None,
            }
            for m in rows
        ]
        if request.user.is_superuser:
            roles.insert(0, {"role": "superuser", "province": None, "agency": None})
        body = {"username": request.user.get_username(), "roles": roles}
        return Response(serializers.WhoAmISerializer(body).data)


class CycleDetail(WorkflowView):
    @extend_schema(
        parameters=CYCLE_PARAMETERS,
        responses={200: serializers.CycleStateSerializer, **errors(401, 403, 404)},
    )
    def get(self, request, province, year, block):
        """A cycle's state, dates and what the caller may do with it now."""
        cycle = self.get_cycle()
        self.require(_in_province(request.user, cycle), _("Bạn không có vai trò ở tỉnh này."))
        cycle.revisions = cycle.publications.count()
        cycle.actions = permissions.allowed_actions(request.user, cycle=cycle)
        return Response(serializers.CycleStateSerializer(cycle).data)


class ScoreList(WorkflowView, generics.ListAPIView):
    serializer_class = serializers.ScoreSerializer
    # A commune cycle has 44,000 scores: sorting their keys, not their rows, takes a deep
    # page from 430 to 130 ms of SQL.
    pagination_class = KeysFirstPagination

    @extend_schema(
        parameters=[
            *CYCLE_PARAMETERS,
            OpenApiParameter("agency", {"type": "string", "pattern": r"^[-\w]+$"}),
            OpenApiParameter("stage", {"type": "string", "enum": [s.value for s in Stage]}),
        ],
        responses={200: serializers.ScoreSerializer(many=True), **errors(400, 401, 403, 404)},
    )
    def get(self, request, *args, **kwargs):
        """Unpublished scores: all agencies for provincial staff, one's own for an agency."""
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        request = self.request
        cycle = self.get_cycle()
        scores = Score.objects.filter(cycle=cycle).select_related(
            "agency", "criterion", "updated_by"
        )
        if not permissions.can_preview_drafts(request.user, cycle=cycle):
            own = [
                m.agency_id
                for m in permissions.memberships(request.user)
                if m.role in AGENCY_ROLES and m.province_id == cycle.province_id
            ]
            self.require(bool(own), _("Bạn không có quyền xem số liệu của kỳ đánh giá này."))
            scores = scores.filter(agency__in=own)
        if agency := request.query_params.get("agency"):
            scores = scores.filter(agency__slug=agency)
        if "stage" in request.query_params:
            scores = scores.filter(stage=self.stage(request, Stage.values))
        return scores.order_by("agency__slug", "criterion__order", "criterion__code", "stage")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        for score in page:
            score.etag = score_etag(score)
        return page


class ScoreMixin:
    def current(self, cycle, agency, criterion, stage) -> Score | None:
        return (
            Score.objects.select_related("agency", "criterion", "updated_by")
            .filter(cycle=cycle, agency=agency, criterion=criterion, stage=stage)
            .first()
        )

    def respond(self, score: Score, code=status.HTTP_200_OK) -> Response:
        etag = score_etag(score)
        score.etag = etag  # type: ignore[attr-defined]  # not a model field: ScoreSerializer's etag reads it
        response = Response(serializers.ScoreSerializer(score).data, status=code)
        response["ETag"] = etag
        return response


class ScoreDetail(ScoreMixin, WorkflowView):
    def lookup(self, request, *, write: bool):
        cycle = self.get_cycle()
        agency = self.get_agency(cycle)
        stage = self.stage(request, WRITABLE_STAGES if write else Stage.values)
        if write and stage == Stage.SELF:
            allowed = permissions.can_self_assess(request.user, cycle=cycle, agency=agency)
            message = _("Chỉ cán bộ của chính đơn vị được tự đánh giá.")
        elif write:
            allowed = permissions.can_enter_scores(request.user, cycle=cycle)
            message = _("Chỉ cán bộ Sở TT&TT nhập điểm chính thức.")
        else:
            allowed = permissions.can_read_agency_drafts(request.user, cycle=cycle, agency=agency)
            message = _("Bạn không có quyền xem số liệu của đơn vị này.")
        self.require(allowed, message)
        criterion = get_object_or_404(
            Criterion, criteria_set=cycle.criteria_set_id, code=self.kwargs["code"]
        )
        return cycle, agency, criterion, stage

    @extend_schema(
        parameters=[*CYCLE_PARAMETERS, AGENCY_PARAMETER, CODE_PARAMETER, STAGE_PARAMETER],
        responses={200: serializers.ScoreSerializer, **errors(400, 401, 403, 404)},
    )
    def get(self, request, province, year, block, agency, code):
        """One unpublished score with its ETag."""
        score = self.current(*self.lookup(request, write=False))
        if score is None:
            raise NotFound(_("Chưa có điểm tiêu chí này ở giai đoạn này."))
        return self.respond(score)

    @extend_schema(
        parameters=[
            *CYCLE_PARAMETERS,
            AGENCY_PARAMETER,
            CODE_PARAMETER,
            WRITE_STAGE_PARAMETER,
            IF_MATCH,
        ],
        request=serializers.ScoreInput,
        responses={
            200: serializers.ScoreSerializer,
            201: serializers.ScoreSerializer,
            **errors(400, 401, 403, 404, 409, 412, 428),
        },
    )
    def put(self, request, province, year, block, agency, code):
        """Set one criterion's raw inputs; the server computes the points.

        The agency's reporter or head writes its self-assessment (stage self) until it is
        submitted or the deadline passes; ICT staff write final scores until approval.
        """
        cycle, agency, criterion, stage = self.lookup(request, write=True)
        body = serializers.ScoreInput(data=request.data)
        body.is_valid(raise_exception=True)
        raw = assessments.RawInput(
            value=body.validated_data.get("value"),
            denominator=body.validated_data.get("denominator"),
            choice=body.validated_data["choice"],
        )
        with transaction.atomic():
            if stage == Stage.FINAL:
                # Final scores and the draft results are the cycle's: one writer at a time
                # per cycle, as the import (which checks no ETag) locks it, so an import
                # can't slip between this check and this write, nor two recomputations meet.
                AssessmentCycle.objects.select_for_update(no_key=True).filter(pk=cycle.pk).exists()
            # One writer at a time per agency: the check and the write see the same row.
            # NO KEY: rows that merely point at the agency (results, new scores) go on.
            Agency.objects.select_for_update(no_key=True).filter(pk=agency.pk).exists()
            current = self.current(cycle, agency, criterion, stage)
            check_preconditions(request, current)
            try:
                _score_written(stage, cycle, agency, criterion.code, raw, user=request.user)
            except (assessments.Locked, assessments.InvalidInput) as error:
                raise refused(error) from None
            score = self.current(cycle, agency, criterion, stage)
        return self.respond(score, status.HTTP_200_OK if current else status.HTTP_201_CREATED)


def _score_written(stage: str, cycle, agency, code: str, raw, *, user) -> None:
    """The agency's self-assessment of one criterion, or a final score entered by staff."""
    if stage == Stage.SELF:
        assessments.self_assessment_save(
            cycle=cycle, agency=agency, inputs={code: raw}, user=user, path=audit.API
        )
    else:
        assessments.score_enter(cycle=cycle, agency=agency, code=code, raw=raw, user=user)


def _score_reviewed(cycle, agency, criterion, data: dict, *, user) -> Score:
    """The council's review of one criterion; an adjustment carries the council's inputs."""
    return assessments.score_review(
        cycle=cycle,
        agency=agency,
        code=criterion.code,
        action=data["action"],
        user=user,
        comment=data["comment"],
        inputs=assessments.RawInput(
            value=data.get("value"),
            denominator=data.get("denominator"),
            choice=data.get("choice", ""),
        )
        if data["action"] == "adjusted"
        else None,
        path=audit.API,
    )


class ScoreReview(ScoreMixin, WorkflowView):
    @extend_schema(
        parameters=[*CYCLE_PARAMETERS, AGENCY_PARAMETER, CODE_PARAMETER, IF_MATCH_OPTIONAL],
        request=serializers.ReviewInput,
        responses={200: serializers.ScoreSerializer, **errors(400, 401, 403, 404, 409, 412)},
    )
    def post(self, request, province, year, block, agency, code):
        """The appraisal council accepts, adjusts (with a comment) or returns a criterion.

        Returns the verified score, or the self-assessed one when it was returned for
        more evidence ("cần bổ sung minh chứng").
        """
        cycle = self.get_cycle()
        agency = self.get_agency(cycle)
        self.require(
            permissions.can_review(request.user, cycle=cycle),
            _("Chỉ hội đồng thẩm định được thẩm định."),
        )
        criterion = get_object_or_404(
            Criterion, criteria_set=cycle.criteria_set_id, code=self.kwargs["code"]
        )
        body = serializers.ReviewInput(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        with transaction.atomic():
            Agency.objects.select_for_update(no_key=True).filter(pk=agency.pk).exists()
            own = self.current(cycle, agency, criterion, Stage.SELF)
            if request.headers.get("If-Match") is not None:
                check_preconditions(request, own)
            try:
                score = _score_reviewed(cycle, agency, criterion, data, user=request.user)
            except (assessments.Locked, assessments.InvalidInput) as error:
                raise refused(error) from None
            score = self.current(cycle, agency, criterion, score.stage)
        return self.respond(score)


class EvidenceFile(WorkflowView):
    """One evidence file, for integrations: the same permission as the site's download."""

    @extend_schema(
        operation_id="cycles_scores_evidence_file",
        parameters=[*CYCLE_PARAMETERS, AGENCY_PARAMETER, CODE_PARAMETER],
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            **errors(401, 403, 404),
        },
    )
    def get(self, request, province, year, block, agency, code, pk):
        """Download the file of one piece of evidence (a link-only one has none: 404).

        Evidence is an unpublished draft: only those who may read the agency's drafts get
        it, as on the site; the file is sent as an attachment, never rendered inline.
        """
        cycle = self.get_cycle()
        unit = self.get_agency(cycle)
        self.require(
            permissions.can_read_agency_drafts(request.user, cycle=cycle, agency=unit),
            _("Bạn không có quyền xem minh chứng của đơn vị này."),
        )
        evidence = Evidence.objects.filter(
            pk=pk, score__cycle=cycle, score__agency=unit, score__criterion__code=code
        ).first()
        if evidence is None or not evidence.file:
            raise NotFound(_("Không có tệp minh chứng này."))
        return FileResponse(
            evidence.file.open("rb"),
            as_attachment=True,
            filename=evidence.file.name.rsplit("/", 1)[-1],
            content_type="application/octet-stream",
        )


class EvidenceList(WorkflowView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def lookup(self, request):
        cycle = self.get_cycle()
        agency = self.get_agency(cycle)
        return cycle, agency

    @extend_schema(
        parameters=[*CYCLE_PARAMETERS, AGENCY_PARAMETER, CODE_PARAMETER],
        responses={200: serializers.EvidenceSerializer(many=True), **errors(401, 403, 404)},
    )
    def get(self, request, province, year, block, agency, code):
        """The evidence attached to an agency's self-assessed score of one criterion."""
        cycle, agency = self.lookup(request)
        self.require(
            permissions.can_read_agency_drafts(request.user, cycle=cycle, agency=agency),
            _("Bạn không có quyền xem số liệu của đơn vị này."),
        )
        rows = Evidence.objects.filter(
            score__cycle=cycle,
            score__agency=agency,
            score__stage=Stage.SELF,
            score__criterion__code=code,
        ).order_by("created_at", "id")
        return Response(serializers.EvidenceSerializer(rows, many=True).data)

    @extend_schema(
        parameters=[*CYCLE_PARAMETERS, AGENCY_PARAMETER, CODE_PARAMETER],
        request={"multipart/form-data": serializers.EvidenceInput},
        responses={201: serializers.EvidenceSerializer, **errors(400, 401, 403, 404, 409, 413)},
    )
    def post(self, request, province, year, block, agency, code):
        """Attach evidence (a file or a link) to the agency's self-assessed score."""
        cycle, agency = self.lookup(request)
        self.require(
            permissions.can_self_assess(request.user, cycle=cycle, agency=agency),
            _("Chỉ cán bộ của chính đơn vị được gửi minh chứng."),
        )
        body = serializers.EvidenceInput(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data.get("file")
        if upload is not None and upload.size > assessments.MAX_EVIDENCE_BYTES:
            raise TooLarge(
                _("Tệp “%(n)s” vượt quá %(mb)s MB.")
                % {"n": upload.name, "mb": assessments.MAX_EVIDENCE_BYTES >> 20}
            )
        try:
            evidence = assessments.evidence_add(
                cycle=cycle,
                agency=agency,
                criterion_code=code,
                user=request.user,
                path=audit.API,
                **body.validated_data,
            )
        except (assessments.Locked, assessments.InvalidInput) as error:
            raise refused(error) from None
        return Response(serializers.EvidenceSerializer(evidence).data, status=201)


class SubmissionView(WorkflowView):
    @extend_schema(
        parameters=[*CYCLE_PARAMETERS, AGENCY_PARAMETER],
        request=None,
        responses={200: serializers.SubmissionSerializer, **errors(401, 403, 404, 409)},
    )
    def post(self, request, province, year, block, agency):
        """The agency head submits the self-assessment; it is then locked for review."""
        cycle = self.get_cycle()
        agency = self.get_agency(cycle)
        self.require(
            permissions.can_submit_self_assessment(request.user, cycle=cycle, agency=agency),
            _("Chỉ thủ trưởng đơn vị được nộp bản tự đánh giá."),
        )
        try:
            submission = assessments.self_assessment_submit(
                cycle=cycle, agency=agency, user=request.user
            )
        except assessments.Locked as error:
            raise refused(error) from None
        return Response(serializers.SubmissionSerializer(submission).data)


def _upload_parsed(cycle, upload):
    """The uploaded file read as the cycle's scores; refused past MAX_UPLOAD_BYTES."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise TooLarge(_("Tệp nặng hơn giới hạn %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES >> 20})
    return import_parse(cycle=cycle, upload=upload.read(), filename=upload.name)


def _import_result(parsed, preview, summary) -> dict:
    """What an import answers: the ranking it gives, and what it wrote unless a dry run."""
    return {
        "dry_run": summary is None,
        "agencies": len(parsed.rows),
        "scores_created": summary.scores_created if summary else None,
        "scores_updated": summary.scores_updated if summary else None,
        "warnings": [str(w) for w in parsed.warnings],
        "preview": preview.rows,
    }


class ImportView(WorkflowView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        parameters=CYCLE_PARAMETERS,
        request={"multipart/form-data": serializers.ImportInput},
        responses={200: serializers.ImportResultSerializer, **errors(400, 401, 403, 404, 409, 413)},
    )
    @security_log.api_import
    def post(self, request, province, year, block):
        """Import final scores from the entry template (.xlsx) or a CSV, all or nothing.

        With `dry_run` nothing is saved: the answer is the ranking the file would give.
        A refused file answers 400 with every problem located by row, column and value
        (`error.problems`), and nothing is written.
        """
        cycle = self.get_cycle()
        self.require(
            permissions.can_enter_scores(request.user, cycle=cycle),
            _("Chỉ cán bộ Sở TT&TT nhập điểm từ tệp."),
        )
        if cycle.state == CycleState.ARCHIVED:  # out of use: nothing is written any more
            raise Locked(assessments.entry_lock_reason(cycle=cycle))
        body = serializers.ImportInput(data=request.data)
        body.is_valid(raise_exception=True)
        parsed = _upload_parsed(cycle, body.validated_data["file"])
        if not parsed.ok:
            return self.invalid(_("Tệp có lỗi; chưa có gì được lưu."), parsed.problems)
        try:
            preview = import_preview(cycle=cycle, parsed=parsed)
            summary = None
            if not body.validated_data["dry_run"]:
                summary = import_apply(
                    cycle=cycle,
                    parsed=parsed,
                    user=request.user,
                    reason=body.validated_data["reason"],
                    path=audit.API,
                )
        except ImportRefused as error:
            return self.invalid(str(error), error.problems)
        result = _import_result(parsed, preview, summary)
        return Response(serializers.ImportResultSerializer(result).data)

    def invalid(self, message, problems) -> Response:
        body = error_body("invalid", message, {"file": [str(p) for p in problems]})
        body["error"]["problems"] = [
            {"row": p.row, "column": p.column, "value": p.value, "message": p.message}
            for p in problems
        ]
        return Response(body, status=status.HTTP_400_BAD_REQUEST)


class TransitionView(WorkflowView):
    @extend_schema(
        parameters=CYCLE_PARAMETERS,
        request=serializers.TransitionInput,
        responses={200: serializers.CycleStateSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, province, year, block):
        """Move the cycle: review (end self-assessment), reopen, approve."""
        cycle = self.get_cycle()
        body = serializers.TransitionInput(data=request.data)
        body.is_valid(raise_exception=True)
        action = body.validated_data["action"]
        self.require(
            permissions.can_transition(request.user, cycle=cycle, action=action),
            _("Bạn không có quyền chuyển trạng thái này."),
        )
        try:
            cycle = services.cycle_transition(
                cycle=cycle, to=services.CYCLE_ACTIONS[action], user=request.user, path=audit.API
            )
        except ValueError as refused:  # the state machine's reason (or what is unreviewed)
            raise Locked(str(refused)) from None
        cycle.revisions = cycle.publications.count()
        cycle.actions = permissions.allowed_actions(request.user, cycle=cycle)
        return Response(serializers.CycleStateSerializer(cycle).data)


class PublicationCreate(WorkflowView):
    @extend_schema(
        parameters=CYCLE_PARAMETERS,
        responses={200: serializers.FinalPreviewSerializer, **errors(401, 403, 404, 409)},
    )
    def get(self, request, province, year, block):
        """The final preview: the ranking publishing would freeze, and its fingerprint."""
        cycle = self.get_cycle()
        self.require(
            can_see_preview(request.user, cycle=cycle),
            _("Chỉ người phê duyệt và cán bộ Sở TT&TT xem bản xem trước."),
        )
        if cycle.state not in PREVIEW_STATES:
            raise Locked(_("Bản xem trước chính thức có từ khi kỳ chuyển sang thẩm định."))
        preview = final.final_preview(cycle=cycle, with_differences=False)
        body = {
            "fingerprint": preview.fingerprint(),
            "revision": cycle.publications.count() + 1,
            "rule": str(final.RULE_TEXT),
            "refusal": services.publish_refusal(cycle=cycle),
            "unaccounted": preview.unaccounted,
            "rows": preview.rows,
        }
        return Response(serializers.FinalPreviewSerializer(body).data)

    @extend_schema(
        parameters=CYCLE_PARAMETERS,
        request=serializers.PublicationInput,
        responses={
            201: serializers.PublishedSerializer,
            **errors(400, 401, 403, 404, 409),
        },
    )
    def post(self, request, province, year, block):
        """Publish the final preview the approver saw (its `fingerprint` as `preview`) by
        decision, or publish a correction with a reason; 409 when the preview changed."""
        cycle = self.get_cycle()
        self.require(
            permissions.can_publish(request.user, cycle=cycle),
            _("Chỉ người phê duyệt được công bố."),
        )
        body = serializers.PublicationInput(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            publication = publication_create(cycle=cycle, **body.validated_data)
        except PublicationRefused as refused:
            if refused.field:
                raise ValidationError({refused.field: [refused.message]}) from refused
            raise Locked(refused.message) from refused
        security_log.publication(request, cycle=cycle, publication=publication)
        return Response(serializers.PublishedSerializer(publication).data, status=201)
