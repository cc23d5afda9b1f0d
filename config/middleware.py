"""Vietnamese first: the language switch decides, never the browser's Accept-Language."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Serve Vietnamese unless the visitor chose another language with the switch.

    Most visitors' browsers ask for English even in Vietnamese offices; the public
    record is Vietnamese, so only the language cookie set by the switch changes it.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        available = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
