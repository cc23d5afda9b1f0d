"""`/nhung/<vi|en>/…`: the embeds, before the public site's `<province>/…` patterns."""

from django.urls import path, register_converter

from rankings.embeds import views


class LanguageConverter:
    regex = "vi|en"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(LanguageConverter, "lang")

urlpatterns = [
    path(
        "<lang:lang>/<slug:province>/<int:year>/<slug:block>/",
        views.leaderboard,
        name="embed-leaderboard",
    ),
    path("<lang:lang>/<slug:province>/don-vi/<slug:slug>/", views.agency, name="embed-agency"),
]
