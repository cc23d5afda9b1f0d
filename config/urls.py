"""Root URLs: health, admin, language switch, the read API, then the public site."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts import api as accounts_api
from config import health
from rankings import feeds
from rankings.language.views import language_switch

admin.site.site_header = _("Xếp hạng ứng dụng CNTT, chính quyền điện tử")
admin.site.site_title = _("Quản trị xếp hạng CNTT")
admin.site.index_title = pgettext_lazy("admin index", "Quản trị")

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # The language switch posts without a CSRF token, so that public pages carry nothing
    # per visitor and can be cached for all (rankings.public.page_cache). That is safe: set_language
    # only sets the language cookie and redirects to a `next` on this site; it reads no
    # session, writes no data and signs no one in, so a forged post can at most change a
    # visitor's language. For a signed-in person the choice is also stored
    # (rankings.language.views: the Lax session cookie does not come with a forged post).
    path("i18n/setlang/", language_switch, name="set_language"),
    path("tai-khoan/", include("accounts.urls")),  # first: replaces the reset views
    path("tai-khoan/", include("django.contrib.auth.urls")),
    path("api/v1/tokens/", accounts_api.TokenList.as_view(), name="api-tokens"),
    path("api/v1/tokens/<str:key>/", accounts_api.TokenDetail.as_view(), name="api-token"),
    path("api/v1/", include("api.urls")),
    # Before the public site, whose "<province>/…" patterns would otherwise match first.
    path("quan-ly/thiet-lap/", include("rankings.setup.urls")),
    # Embeds, feeds and e-mail alerts (issue #20), before "<province>/…" too.
    path("nhung/", include("rankings.embeds.urls")),
    path("thu-bao/", include("rankings.alerts.urls")),
    path("cong-bo.atom", feeds.SiteFeed(), name="feed-site"),
    path("<slug:province>/cong-bo.atom", feeds.ProvinceFeed(), name="feed-province"),
    path("<slug:province>/don-vi/<slug:slug>/cong-bo.atom", feeds.AgencyFeed(), name="feed-agency"),
    path("", include("rankings.urls")),
]
# Styled, bilingual error pages that say why and what to do next (config.errors).
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"

# No media route, not even with DEBUG: uploaded evidence is served by
# rankings.cycles.assessment_views.evidence_file, behind the same permission as the drafts.
