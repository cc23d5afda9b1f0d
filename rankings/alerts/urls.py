"""`/thu-bao/…`: e-mail alert sign-up, confirmation and unsubscribe."""

from django.urls import path

from rankings.alerts import views

urlpatterns = [
    path("da-gui/", views.sent, name="alert-sent"),
    path("xac-nhan/<str:token>/", views.confirm, name="alert-confirm"),
    path("huy/<str:token>/", views.unsubscribe, name="alert-unsubscribe"),
    path("<slug:province>/", views.subscribe, name="alert-subscribe-province"),
    path("<slug:province>/don-vi/<slug:slug>/", views.subscribe, name="alert-subscribe-agency"),
]
