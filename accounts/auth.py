"""knox's token authentication, without its sweep of the user's other tokens.

knox deletes the user's expired tokens on every authenticated request, one more query a
request (the workflow API pins its query counts). An expired token is still refused and
deleted when it is used, and `accounts.tokens.manageable` never lists one.
"""

from django.utils import timezone
from knox import auth
from knox.signals import token_expired


class TokenAuthentication(auth.TokenAuthentication):
    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            return True
        return False
