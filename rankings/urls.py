from django.urls import include, path, register_converter

from agencies.models import NATIONAL_SLUG
from rankings.cycles import (
    assessment_views,
    dashboard_views,
    management_views,
    preview_views,
    staff_views,
)
from rankings.documents import views as document_views
from rankings.imports import views as import_views
from rankings.public import simulator_views, views


class FormatConverter:
    regex = "csv|xlsx|json"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "fmt")


class DocumentFormatConverter(FormatConverter):
    regex = "pdf|docx"


register_converter(DocumentFormatConverter, "docfmt")

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("rankings.targets.urls")),  # targets and progress (issue 20)
    path("phuong-phap/", views.methodology_index, name="methodology-index"),
    path("thong-bao/", views.notification_list, name="notifications"),
    path("quan-ly/", staff_views.workspace, name="workspace"),
    path("quan-ly/<slug:province>/mo-ky/", staff_views.cycle_new, name="cycle-new"),
    path("quan-ly/<slug:province>/viec-nen/", include("rankings.jobs.urls")),  # issue 21
    path(
        "quan-ly/<slug:province>/<int:year>/<slug:block>/trang-thai/",
        staff_views.cycle_state,
        name="cycle-state",
    ),
    path(
        "quan-ly/<slug:province>/<int:year>/<slug:block>/tong-quan/",
        dashboard_views.cycle_dashboard,
        name="cycle-dashboard",
    ),
    path(
        "quan-ly/<slug:province>/<int:year>/<slug:block>/dieu-hanh/",
        management_views.cycle_manage,
        name="cycle-manage",
    ),
    path(
        "quan-ly/<slug:province>/<int:year>/<slug:block>/",
        staff_views.cycle_desk,
        name="cycle-desk",
    ),
    path(
        "quan-ly/<slug:province>/<int:year>/<slug:block>/mau-nhap-lieu.xlsx",
        import_views.entry_template,
        name="entry-template",
    ),
    path(
        "quan-ly/<slug:province>/<int:year>/<slug:block>/xem-truoc/",
        preview_views.final_preview_page,
        name="final-preview",
    ),
    path(
        "quan-ly/<slug:province>/<int:year>/<slug:block>/chap-nhan-con-lai/",
        preview_views.accept_remaining,
        name="accept-remaining",
    ),
    path(
        "quan-ly/<slug:province>/<int:year>/<slug:block>/cong-bo/",
        staff_views.publish,
        name="publish",
    ),
    path(
        "quan-ly/<slug:province>/<int:year>/<slug:block>/nhap-lieu/",
        import_views.score_import,
        name="score-import",
    ),
    path(
        "quan-ly/<slug:province>/<int:year>/<slug:block>/nhap-lieu/tien-do/<str:token>/",
        import_views.score_import_progress,
        name="score-import-progress",
    ),
    path(
        "quan-ly/<slug:province>/<int:year>/<slug:block>/don-vi/<slug:agency>/tu-danh-gia/",
        assessment_views.self_assessment,
        name="self-assessment",
    ),
    path(
        "quan-ly/<slug:province>/<int:year>/<slug:block>/don-vi/<slug:agency>/tu-danh-gia/nop/",
        assessment_views.self_assessment_submit,
        name="self-assessment-submit",
    ),
    path(
        "quan-ly/<slug:province>/<int:year>/<slug:block>/don-vi/<slug:agency>/tham-dinh/",
        assessment_views.review,
        name="review",
    ),
    path(
        "quan-ly/<slug:province>/<int:year>/<slug:block>/don-vi/<slug:agency>/minh-chung/<int:pk>/",
        assessment_views.evidence_file,
        name="evidence-file",
    ),
    path(
        "quan-ly/<slug:province>/<int:year>/<slug:block>/don-vi/<slug:agency>/bien-ban.<docfmt:fmt>",
        document_views.minutes,
        name="minutes-document",
    ),
    path(
        "quan-ly/<slug:province>/<int:year>/<slug:block>/don-vi/<slug:agency>/lich-su/",
        assessment_views.score_history,
        name="score-history",
    ),
    path(
        "quan-ly/<slug:province>/<int:year>/<slug:block>/ban-nhap/",
        views.draft_leaderboard,
        name="draft-leaderboard",
    ),
    path("phuong-phap/<slug:slug>/", views.methodology, name="methodology"),
    path("phuong-phap/<slug:slug>.<fmt:fmt>", views.methodology, name="methodology-export"),
    # Before "<slug:province>/": the national scope is a Province whose own page is this one.
    path(f"{NATIONAL_SLUG}/", views.national, name="national"),
    path("<slug:province>/", views.province, name="province"),
    path("<slug:province>/<int:year>/so-sanh/", views.compare, name="compare"),
    path("<slug:province>/<int:year>/so-sanh.<fmt:fmt>", views.compare, name="compare-export"),
    path("<slug:province>/<int:year>/<slug:block>/", views.leaderboard, name="leaderboard"),
    path(
        "<slug:province>/<int:year>/<slug:block>.<fmt:fmt>",
        views.leaderboard,
        name="leaderboard-export",
    ),
    path(
        "<slug:province>/<int:year>/<slug:block>/phu-luc.<docfmt:fmt>",
        document_views.annex,
        name="annex-document",
    ),
    path("<slug:province>/don-vi/<slug:slug>/", views.agency, name="agency"),
    path("<slug:province>/don-vi/<slug:slug>.<fmt:fmt>", views.agency, name="agency-export"),
    path(
        "<slug:province>/don-vi/<slug:slug>/mo-phong/",
        simulator_views.agency_simulator,
        name="agency-simulator",
    ),
    path("<slug:province>/xu-huong/<slug:block>/", views.trends, name="trends"),
    path("<slug:province>/xu-huong/<slug:block>.<fmt:fmt>", views.trends, name="trends-export"),
]
