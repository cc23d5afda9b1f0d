"""The language switch: Django's `set_language`, remembered for a signed-in person."""

from django.conf import settings
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from rankings.language.preference import remember


@csrf_exempt
def language_switch(request):
    """Set the language cookie (Django's view) and, for a signed-in person, store it.

    Csrf-exempt like Django's view on its own (config/urls.py: public pages carry no
    token so that they can be cached for everyone). Storing the choice needs the session,
    and the session cookie is SameSite=Lax, which a browser does not send with another
    site's POST: a forged post arrives signed out and stores nothing.
    """
    response = set_language(request)
    chosen = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen is not None and request.user.is_authenticated:
        remember(request.user, chosen.value)
    return response
