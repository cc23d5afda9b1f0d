"""Root URLs: health, admin, language switch, the read API, then the public site."""

from django.contrib import admin
from django.urls import include, path

from config import health

admin.site.site_header = "Xếp hạng ứng dụng CNTT, chính quyền điện tử"
admin.site.site_title = "Quản trị xếp hạng CNTT"
admin.site.index_title = "Quản trị"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("tai-khoan/", include("django.contrib.auth.urls")),
    path("api/v1/", include("api.urls")),
    path("", include("rankings.urls")),
]
# No media route, not even with DEBUG: uploaded evidence is served by
# rankings.assessment_views.evidence_file, behind the same permission as the drafts.
