from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from api import cycle_management, simulator, targets, views, workflow

CYCLE = "cycles/<slug:province>/<int:year>/<slug:block>/"
SCORE = CYCLE + "scores/<slug:agency>/<str:code>/"

urlpatterns = [
    path("provinces/", views.ProvinceList.as_view(), name="api-provinces"),
    path("blocks/", views.BlockList.as_view(), name="api-blocks"),
    path("agencies/", views.AgencyList.as_view(), name="api-agencies"),
    path("agencies/<int:pk>/", views.AgencyDetail.as_view(), name="api-agency"),
    path("agencies/<int:pk>/history/", views.AgencyHistory.as_view(), name="api-agency-history"),
    path("criteria-sets/", views.CriteriaSetList.as_view(), name="api-criteria-sets"),
    path("criteria-sets/<slug:slug>/", views.CriteriaSetDetail.as_view(), name="api-criteria-set"),
    path("cycles/", views.CycleList.as_view(), name="api-cycles"),
    path("rankings/", views.RankingView.as_view(), name="api-rankings"),
    path("rankings/criteria/", views.CriterionPointsView.as_view(), name="api-ranking-criteria"),
    path("results/", views.YearResultsView.as_view(), name="api-results"),
    path("targets/", targets.TargetList.as_view(), name="api-targets"),
    path("me/", workflow.WhoAmI.as_view(), name="api-me"),
    path("simulator/", simulator.SimulatorView.as_view(), name="api-simulator"),
    path(CYCLE, workflow.CycleDetail.as_view(), name="api-cycle"),
    path(CYCLE + "transitions/", workflow.TransitionView.as_view(), name="api-transitions"),
    path(CYCLE + "publications/", workflow.PublicationCreate.as_view(), name="api-publish"),
    path(CYCLE + "imports/", workflow.ImportView.as_view(), name="api-import"),
    path(CYCLE + "scores/", workflow.ScoreList.as_view(), name="api-scores"),
    path(SCORE, workflow.ScoreDetail.as_view(), name="api-score"),
    path(SCORE + "review/", workflow.ScoreReview.as_view(), name="api-score-review"),
    path(SCORE + "evidence/", workflow.EvidenceList.as_view(), name="api-evidence"),
    path(SCORE + "evidence/<int:pk>/", workflow.EvidenceFile.as_view(), name="api-evidence-file"),
    path(CYCLE + "deadline/", cycle_management.DeadlineView.as_view(), name="api-deadline"),
    path(CYCLE + "cancellation/", cycle_management.CancelView.as_view(), name="api-cancel"),
    path(CYCLE + "archive/", cycle_management.ArchiveView.as_view(), name="api-archive"),
    path(
        CYCLE + "agencies/<slug:agency>/extension/",
        cycle_management.ExtensionView.as_view(),
        name="api-extension",
    ),
    path(
        CYCLE + "agencies/<slug:agency>/reopen/",
        cycle_management.ReopenView.as_view(),
        name="api-reopen",
    ),
    path(
        CYCLE + "agencies/<slug:agency>/exclusion/",
        cycle_management.ExclusionView.as_view(),
        name="api-exclusion",
    ),
    path(
        CYCLE + "agencies/<slug:agency>/submission/",
        workflow.SubmissionView.as_view(),
        name="api-submission",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path(
        "redoc/",
        SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html"),
        name="api-redoc",
    ),
    re_path(r"^[\s\S]*/$", views.Unknown.as_view()),  # any other path, newlines included
]
