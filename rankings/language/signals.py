"""On sign-in the language follows the person's stored preference, if they have one.

The switch sets the language cookie (config.middleware.VietnameseFirstLocaleMiddleware
reads only that); a person who chose English on another computer, or whose cookie was
cleared, gets it back on signing in. The cookie itself is written on the sign-in
response by the middleware (`request.language_to_remember`).
"""

from django.contrib.auth.signals import user_logged_in
from django.utils import translation

from rankings.language.models import UserLanguage
from rankings.language.preference import AVAILABLE


def _signed_in(sender, request, user, **kwargs):
    stored = UserLanguage.objects.filter(user=user.pk).values_list("language", flat=True).first()
    if request is None or stored not in AVAILABLE or not hasattr(request, "LANGUAGE_CODE"):
        return  # only a request the locale middleware saw (not the test client's force_login)
    translation.activate(stored)
    request.LANGUAGE_CODE = stored
    request.language_to_remember = stored


def connect() -> None:
    user_logged_in.connect(_signed_in, dispatch_uid="rankings-language-on-sign-in")
