from django.urls import path

from rankings.setup import editor_views, staff_views, views

urlpatterns = [
    path("", views.setup_index, name="setup-index"),
    path("chon-tinh/", views.setup_pick, name="setup-pick"),
    path("<slug:province>/", views.setup_home, name="setup-home"),
    path("<slug:province>/khoi/", views.setup_blocks, name="setup-blocks"),
    path("<slug:province>/don-vi/", views.setup_agencies, name="setup-agencies"),
    path("<slug:province>/bo-tieu-chi/", views.setup_criteria, name="setup-criteria"),
    path(
        "<slug:province>/bo-tieu-chi/moi/",
        editor_views.setup_criteria_edit,
        name="setup-criteria-new",
    ),
    path(
        "<slug:province>/bo-tieu-chi/<int:pk>/sua/",
        editor_views.setup_criteria_edit,
        name="setup-criteria-edit",
    ),
    path(
        "<slug:province>/bo-tieu-chi/<int:pk>/phu-luc.xlsx",
        views.setup_criteria_annex,
        name="setup-criteria-annex",
    ),
    path(
        "<slug:province>/bo-tieu-chi/<int:pk>/sao-chep/",
        views.setup_criteria_copy,
        name="setup-criteria-copy",
    ),
    path("<slug:province>/can-bo/", staff_views.setup_staff, name="setup-staff"),
    path("<slug:province>/can-bo/nhap/", staff_views.setup_staff_import, name="setup-staff-import"),
    path("<slug:province>/can-bo/<int:pk>/", staff_views.setup_staff_user, name="setup-staff-user"),
    path("<slug:province>/lich-su/", views.setup_backfill, name="setup-backfill"),
]
