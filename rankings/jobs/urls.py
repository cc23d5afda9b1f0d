"""`/quan-ly/<province>/viec-nen/…`: the province's jobs (rankings.jobs.views)."""

from django.urls import path

from rankings.jobs import views

urlpatterns = [
    path("", views.job_list, name="jobs"),
    path("<int:pk>/", views.job_detail, name="job"),
    path("<int:pk>.json", views.job_status, name="job-status"),
]
