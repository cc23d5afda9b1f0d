"""The owner's token page, and the password reset throttled per address and per client."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts import tokens
from config.client_ip import client_ip
from rankings import security_log
from rankings.language.preference import stored_language


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    """`/tai-khoan/ma-truy-cap/`: make a token (shown once), list and revoke tokens."""
    created = None
    if request.method == "POST":
        if request.POST.get("action") == "create":
            _row, created = tokens.issue(request.user, request=request)
        elif tokens.revoke(request.user, request.POST.get("key", ""), request=request):
            messages.success(request, _("Đã thu hồi mã truy cập."))
            return redirect("api-token-list")
        else:
            raise Http404(_("Không có mã truy cập này."))
    rows = list(tokens.manageable(request.user))
    context = {
        "own": [row for row in rows if row.user_id == request.user.pk],
        "others": [row for row in rows if row.user_id != request.user.pk],
        "created": created,
        "days": settings.API_TOKEN_DAYS,
    }
    return render(request, "accounts/tokens.html", context)


def _over(key: str, limit: int, seconds: int) -> bool:
    """Count one more under `key` (for `seconds`); True once past `limit`."""
    cache.add(key, 0, seconds)
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        return False


class RecipientLanguageResetForm(PasswordResetForm):
    """The reset mail in the account's stored language (rankings.language), else in the
    language of the page it was asked from (the asker is nearly always the owner)."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        language = stored_language(context.get("user")) or translation.get_language()
        with translation.override(language):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset, in the site's pages, with two limits per `PASSWORD_RESET_WINDOW`:

    - per client address (config.client_ip): past it the form answers 429 and sends nothing;
    - per e-mail address: past it the usual "check your mail" page, and no mail, so the
      answer never tells whether an address has an account or was asked for too often.
    """

    form_class = RecipientLanguageResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def dispatch(self, request, *args, **kwargs):
        if not settings.PASSWORD_RESET_ENABLED:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        window = settings.PASSWORD_RESET_WINDOW_MINUTES * 60
        client = client_ip(request)
        if _over(f"pwreset:ip:{client}", settings.PASSWORD_RESET_PER_CLIENT, window):
            security_log.event("password_reset_throttled", request, scope="client")
            form = self.get_form()
            context = self.get_context_data(form=form, throttled=True)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        window = settings.PASSWORD_RESET_WINDOW_MINUTES * 60
        if _over(f"pwreset:email:{email}", settings.PASSWORD_RESET_PER_ADDRESS, window):
            security_log.event("password_reset_throttled", self.request, scope="address")
            return redirect(self.get_success_url())
        security_log.event("password_reset_requested", self.request)
        return super().form_valid(form)


class EnabledOnly:
    def dispatch(self, request, *args, **kwargs):
        if not settings.PASSWORD_RESET_ENABLED:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class PasswordResetDoneView(EnabledOnly, auth_views.PasswordResetDoneView):
    pass


class PasswordResetConfirmView(EnabledOnly, auth_views.PasswordResetConfirmView):
    pass


class PasswordResetCompleteView(EnabledOnly, auth_views.PasswordResetCompleteView):
    pass
