from django.urls import path

from rankings.targets import views

STAFF = "quan-ly/<slug:province>/muc-tieu/"

urlpatterns = [
    path(STAFF, views.staff_list, name="targets-staff"),
    path(STAFF + "them/", views.target_edit, name="target-add"),
    path(STAFF + "nhap-tep/", views.target_import, name="target-import"),
    path(STAFF + "<int:pk>/", views.target_edit, name="target-edit"),
    path(STAFF + "<int:pk>/xoa/", views.target_delete, name="target-delete"),
    path("<slug:province>/muc-tieu/", views.province_page, name="province-targets"),
    path("<slug:province>/muc-tieu.<fmt:fmt>", views.province_page, name="province-targets-export"),
    path(
        "<slug:province>/don-vi/<slug:slug>/muc-tieu.<fmt:fmt>",
        views.agency_export,
        name="agency-targets-export",
    ),
]
