"""API v1: provincial staff run a cycle (the same services and permission as the page
`rankings.cycles.management_views`): move the deadline, extend it for one agency, reopen
one agency's submission, cancel a cycle opened by mistake or archive it. A refusal of
the service is 409 with its reason; an invalid body is 400 naming the field."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from api import serializers as shapes
from api.messages import VietnameseErrors
from api.views import errors
from api.workflow import AGENCY_PARAMETER, CYCLE_PARAMETERS, Locked, WorkflowView
from rankings import permissions
from rankings.cycles import audit, management
from rankings.models import Submission

REASON_MAX_LENGTH = Submission._meta.get_field("extension_reason").max_length


class DeadlineInput(VietnameseErrors, serializers.Serializer):
    deadline = serializers.DateField()
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    confirm_past = serializers.BooleanField(
        required=False, default=False, help_text="Needed when the new deadline is already past."
    )


class ExtensionInput(VietnameseErrors, serializers.Serializer):
    until = serializers.DateField(help_text="The agency's own deadline, after the cycle's.")
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class ReopenInput(VietnameseErrors, serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)
    until = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Needed when the deadline passed."
    )


class EndInput(VietnameseErrors, serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


CORRECTION_HELP = (
    "Once the cycle is published: true records the change for the next correction "
    "(the published revision never changes); without it, 409."
)


class ExclusionInput(VietnameseErrors, serializers.Serializer):
    reason = serializers.CharField(
        max_length=management.EXCLUSION_MAX,
        help_text="The decision's own words; shown as the not-ranked reason.",
    )
    correction = serializers.BooleanField(required=False, default=False, help_text=CORRECTION_HELP)


class InclusionInput(VietnameseErrors, serializers.Serializer):
    """The query of DELETE (a DELETE carries no body)."""

    correction = serializers.BooleanField(required=False, default=False, help_text=CORRECTION_HELP)


CORRECTION_PARAMETER = OpenApiParameter(
    "correction", OpenApiTypes.BOOL, OpenApiParameter.QUERY, description=CORRECTION_HELP
)


class ManageView(WorkflowView):
    def managed(self):
        cycle = self.get_cycle()
        self.require(
            permissions.can_manage_cycle(self.request.user, cycle=cycle),
            _("Chỉ Sở TT&TT điều hành kỳ đánh giá."),
        )
        return cycle

    def body(self, shape):
        body = shape(data=self.request.data)
        body.is_valid(raise_exception=True)
        return body.validated_data

    def state(self, cycle) -> Response:
        cycle.refresh_from_db()
        cycle.revisions = cycle.publications.count()
        cycle.actions = permissions.allowed_actions(self.request.user, cycle=cycle)
        return Response(shapes.CycleStateSerializer(cycle).data)


def _refused(error) -> Locked:
    return Locked(str(error))


class DeadlineView(ManageView):
    @extend_schema(
        parameters=CYCLE_PARAMETERS,
        request=DeadlineInput,
        responses={200: shapes.CycleStateSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, province, year, block):
        """Move the whole cycle's self-assessment deadline; agencies are told the new one."""
        cycle = self.managed()
        data = self.body(DeadlineInput)
        try:
            management.cycle_deadline_move(cycle=cycle, user=request.user, **data)
        except management.Refused as error:
            raise _refused(error) from None
        return self.state(cycle)


class SubmissionShape(shapes.SubmissionSerializer):
    class Meta(shapes.SubmissionSerializer.Meta):
        fields = [
            *shapes.SubmissionSerializer.Meta.fields,
            "extended_to",
            "extension_reason",
            "excluded_reason",
        ]


class ExtensionView(ManageView):
    @extend_schema(
        parameters=[*CYCLE_PARAMETERS, AGENCY_PARAMETER],
        request=ExtensionInput,
        responses={200: SubmissionShape, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, province, year, block, agency):
        """Extend one agency's deadline past the cycle's, with a reason."""
        cycle = self.managed()
        unit = self.get_agency(cycle)
        data = self.body(ExtensionInput)
        try:
            submission = management.submission_extend(
                cycle=cycle, agency=unit, user=request.user, **data
            )
        except management.Refused as error:
            raise _refused(error) from None
        return Response(SubmissionShape(submission).data)


class ReopenView(ManageView):
    @extend_schema(
        parameters=[*CYCLE_PARAMETERS, AGENCY_PARAMETER],
        request=ReopenInput,
        responses={200: SubmissionShape, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, province, year, block, agency):
        """Give one agency's submitted self-assessment back to it (with an extension when
        its deadline passed)."""
        cycle = self.managed()
        unit = self.get_agency(cycle)
        data = self.body(ReopenInput)
        try:
            submission = management.submission_reopen(
                cycle=cycle, agency=unit, user=request.user, **data
            )
        except management.Refused as error:
            raise _refused(error) from None
        return Response(SubmissionShape(submission).data)


class CancelView(ManageView):
    @extend_schema(
        parameters=CYCLE_PARAMETERS,
        request=EndInput,
        responses={204: None, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, province, year, block):
        """Remove a cycle opened by mistake; 409 once it holds data (archive it instead)."""
        cycle = self.managed()
        data = self.body(EndInput)
        try:
            management.cycle_cancel(cycle=cycle, user=request.user, reason=data["reason"])
        except management.Refused as error:
            raise _refused(error) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class ArchiveView(ManageView):
    @extend_schema(
        parameters=CYCLE_PARAMETERS,
        request=EndInput,
        responses={200: shapes.CycleStateSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, province, year, block):
        """Take a cycle out of use with a reason; its data is kept, nobody writes to it."""
        cycle = self.managed()
        data = self.body(EndInput)
        try:
            management.cycle_archive(cycle=cycle, user=request.user, reason=data["reason"])
        except management.Refused as error:
            raise _refused(error) from None
        return self.state(cycle)


class ExclusionView(ManageView):
    """An agency the decision leaves unranked: ICT staff or the approver, audited."""

    def excluder(self):
        cycle = self.get_cycle()
        self.require(
            permissions.can_exclude_agency(self.request.user, cycle=cycle),
            _("Chỉ Sở TT&TT và người phê duyệt ghi đơn vị không xếp hạng."),
        )
        return cycle

    @extend_schema(
        parameters=[*CYCLE_PARAMETERS, AGENCY_PARAMETER],
        request=ExclusionInput,
        responses={200: SubmissionShape, **errors(400, 401, 403, 404, 409)},
    )
    def put(self, request, province, year, block, agency):
        """Leave the agency unranked, in the decision's words (the final preview and the
        published ranking show them); 409 once published, unless for a correction."""
        cycle = self.excluder()
        unit = self.get_agency(cycle)
        data = self.body(ExclusionInput)
        try:
            submission = management.agency_exclude(
                cycle=cycle, agency=unit, user=request.user, path=audit.API, **data
            )
        except management.Refused as error:
            raise _refused(error) from None
        return Response(SubmissionShape(submission).data)

    @extend_schema(
        parameters=[*CYCLE_PARAMETERS, AGENCY_PARAMETER, CORRECTION_PARAMETER],
        request=None,
        responses={200: SubmissionShape, **errors(400, 401, 403, 404, 409)},
    )
    def delete(self, request, province, year, block, agency):
        """Rank the agency by its values again (`?correction=true` once published); 409
        when it was not excluded, or once published without `correction`."""
        cycle = self.excluder()
        unit = self.get_agency(cycle)
        query = InclusionInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        try:
            submission = management.agency_include(
                cycle=cycle, agency=unit, user=request.user, path=audit.API, **data
            )
        except management.Refused as error:
            raise _refused(error) from None
        return Response(SubmissionShape(submission).data)
