"""Under /tai-khoan/, before Django's own auth URLs: these replace the reset views."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("ma-truy-cap/", views.token_list, name="api-token-list"),
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password_reset/done/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
