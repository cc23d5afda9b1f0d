"""The client's address, as far as the proxies we run can vouch for it.

`TRUSTED_PROXY_COUNT` is the number of proxies of ours between the client and gunicorn
(nginx: 1; a load balancer in front of nginx: 2). Each appends to `X-Forwarded-For` the
address it was reached from, so the client is the `TRUSTED_PROXY_COUNT`-th entry from the
right; whatever the client wrote itself is further left and never read. With 0 (the
default: gunicorn reached directly) the header is ignored and `REMOTE_ADDR` is the client.

One function for everything that keys on a client: DRF's throttles (api.throttling, and
`NUM_PROXIES` set to the same count), django-axes' lockouts (`AXES_CLIENT_IP_CALLABLE`),
the security log's `ip` and whether an incoming `X-Request-ID` is kept.
"""

import ipaddress

from django.conf import settings


def trusted_proxies() -> int:
    return getattr(settings, "TRUSTED_PROXY_COUNT", 0)


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    count = trusted_proxies()
    if count <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = [part.strip() for part in header.split(",") if part.strip()]
    if not forwarded:
        return remote
    # Fewer entries than proxies: the nearest proxies added none, take the furthest one.
    candidate = forwarded[-min(count, len(forwarded))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote  # our proxies write addresses; anything else is not theirs
