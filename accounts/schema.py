"""The OpenAPI schema keeps calling the token scheme `tokenAuth`, as before knox: clients
generated from v1 keep working (v1 only ever adds)."""

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme


class TokenScheme(KnoxTokenScheme):
    target_class = "accounts.auth.TokenAuthentication"
    name = "tokenAuth"
    priority = 1  # over drf-spectacular's own `knoxApiToken`
