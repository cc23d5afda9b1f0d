"""Request rates per client, read when each request is throttled.

DRF's throttles copy the rates into a class attribute at import; these read the current
settings, so `override_settings` in tests and the `API_THROTTLE_*` variables both apply.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from config.client_ip import client_ip


class AnonymousRate(AnonRateThrottle):
    """Anonymous clients, keyed by address (`API_THROTTLE_ANON`).

    The address is the one our proxies vouch for (config.client_ip): a client that writes
    a new `X-Forwarded-For` on each request is still one client.
    """

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_ident(self, request):
        return client_ip(request)


class UserRate(UserRateThrottle):
    """Signed-in users, keyed by user id (`API_THROTTLE_USER`); anonymous ones are not theirs."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def allow_request(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return True  # DRF would count them by address at this rate too
        return super().allow_request(request, view)
