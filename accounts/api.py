"""`/api/v1/tokens/`: the caller's tokens (and those of the users it administers), revoked
by `DELETE /api/v1/tokens/{key}/`. Tokens are made by `manage.py create_api_token` or on
the owner's page, never through the API itself."""

from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from accounts import tokens
from api.views import errors
from api.workflow import WorkflowView


class TokenSerializer(serializers.Serializer):
    key = serializers.CharField(
        source="token_key", help_text="The token's first 15 characters: enough to name it."
    )
    user = serializers.CharField(source="user.username")
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True)


class TokenSchema(AutoSchema):
    def get_tags(self) -> list[str]:
        return ["tokens"]


class TokenList(WorkflowView):
    schema = TokenSchema()

    @extend_schema(responses={200: TokenSerializer(many=True), **errors(401)})
    def get(self, request):
        """Live tokens the caller may revoke: its own, and its province's users' if it
        administers a province. Never the token itself, which is stored only hashed."""
        rows = tokens.manageable(request.user)
        return Response(TokenSerializer(rows, many=True).data)


class TokenDetail(WorkflowView):
    schema = TokenSchema()

    @extend_schema(
        parameters=[OpenApiParameter("key", {"type": "string", "pattern": r"^[0-9a-f]{1,15}$"})],
        responses={204: None, **errors(401, 404)},
    )
    def delete(self, request, key):
        """Revoke a token at once (the caller's own, or one it administers)."""
        if not tokens.revoke(request.user, key, request=request):
            raise NotFound(_("Không có mã truy cập này."))
        return Response(status=status.HTTP_204_NO_CONTENT)
