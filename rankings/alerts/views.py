"""Alert pages: sign up for a province or an agency, confirm, unsubscribe.

The sign-up form is throttled per client address (`ALERT_SIGNUPS_PER_CLIENT` an hour:
then 429) and per e-mail address (the same limit, silently: the answer is the usual
"check your mail", which never says whether the address is known).
"""

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from agencies.models import Agency, Province
from config.client_ip import client_ip
from rankings import security_log
from rankings.alerts import services, tokens
from rankings.alerts.forms import SubscribeForm

WINDOW = 3600


def _over(key: str, limit: int) -> bool:
    """Count one more under `key` for the window; True once past `limit`."""
    cache.add(key, 0, WINDOW)
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW)
        return False


def _target(province: str, slug: str | None):
    place = get_object_or_404(Province, slug=province)
    unit = get_object_or_404(Agency, province=place, slug=slug) if slug else None
    return place, unit


@never_cache
@require_http_methods(["GET", "POST"])
def subscribe(request, province, slug=None):
    place, unit = _target(province, slug)
    form = SubscribeForm(request.POST if request.method == "POST" else None)
    context = {
        "province": place,
        "agency": unit,
        "form": form,
        "hours": settings.ALERT_CONFIRM_HOURS,
    }
    if request.method == "GET":
        return render(request, "alerts/subscribe.html", context)
    if _over(f"alerts:ip:{client_ip(request)}", settings.ALERT_SIGNUPS_PER_CLIENT):
        security_log.event("alert_signup_throttled", request, scope="client")
        return render(request, "alerts/subscribe.html", {**context, "throttled": True}, status=429)
    if not form.is_valid():
        return render(request, "alerts/subscribe.html", context, status=400)
    email = form.cleaned_data["email"].strip().lower()
    if not _over(f"alerts:email:{email}", settings.ALERT_SIGNUPS_PER_CLIENT):
        services.subscription_request(
            email=email, province=place, agency=unit, language=get_language()
        )
    return redirect("alert-sent")


@never_cache
def sent(request):
    return render(request, "alerts/sent.html", {"hours": settings.ALERT_CONFIRM_HOURS})


@never_cache
def confirm(request, token):
    subscription, expired = services.subscription_confirm(token=token)
    status = 200 if subscription is not None else 400
    context = {"subscription": subscription, "expired": expired}
    return render(request, "alerts/confirmed.html", context, status=status)


# Mail clients post the one-click unsubscribe (RFC 8058) without a CSRF token; the signed
# token in the URL is the authority, and all a forged post can do is stop that address's mail.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET asks (a link scanner must not unsubscribe anyone); POST removes the address."""
    if request.method == "GET":
        valid = tokens.unsubscribe_read(token) is not None
        context = {"valid": valid, "done": False}
    else:
        removed = services.address_unsubscribe(token=token)
        context = {"valid": removed is not None, "done": removed is not None}
    status = 200 if context["valid"] else 400
    return render(request, "alerts/unsubscribe.html", context, status=status)
