"""A signed-in user's language; registered from rankings.apps (app label rankings)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserLanguage(models.Model):
    """The language a person reads the site, notifications and e-mails in (ngôn ngữ).

    Set when the signed-in person uses the language switch; applied when they sign in.
    A person without a row reads Vietnamese (`settings.LANGUAGE_CODE`).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="language_preference",
        verbose_name=_("người dùng"),
    )
    language = models.CharField(_("ngôn ngữ"), max_length=8, choices=settings.LANGUAGES)
    updated_at = models.DateTimeField(_("đổi lúc"), auto_now=True)

    class Meta:
        app_label = "rankings"
        verbose_name = _("ngôn ngữ người dùng")
        verbose_name_plural = _("ngôn ngữ người dùng")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"
