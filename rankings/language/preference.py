"""Which language a person reads: the stored preference, or Vietnamese.

Everything written to one person (notifications, e-mails) is rendered under
`translation.override(language_of(user))`, never in the language of whoever caused it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings

from rankings.language.models import UserLanguage

AVAILABLE = frozenset(code for code, _name in settings.LANGUAGES)


def stored_language(user) -> str | None:
    """The language `user` chose with the switch, if they ever did."""
    if user is None or not getattr(user, "pk", None):
        return None
    stored = UserLanguage.objects.filter(user=user.pk).values_list("language", flat=True).first()
    return stored if stored in AVAILABLE else None


def language_of(user) -> str:
    """`user`'s stored language, or the site's default (Vietnamese)."""
    return stored_language(user) or settings.LANGUAGE_CODE


def by_language(users: Iterable) -> dict[str, list]:
    """`users` grouped by the language each reads, in one query; the given order kept."""
    users = list(users)
    stored = dict(
        UserLanguage.objects.filter(user__in=[u.pk for u in users]).values_list(
            "user_id", "language"
        )
    )
    groups: dict[str, list] = defaultdict(list)
    for user in users:
        language = stored.get(user.pk)
        groups[language if language in AVAILABLE else settings.LANGUAGE_CODE].append(user)
    return dict(groups)


def remember(user, language: str) -> None:
    """Store `language` as `user`'s (an unknown code is ignored)."""
    if language in AVAILABLE and getattr(user, "pk", None):
        UserLanguage.objects.update_or_create(user_id=user.pk, defaults={"language": language})
