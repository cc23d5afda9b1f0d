"""The alert subscription; imported from rankings.models (app label rankings)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Province


class AlertSubscription(models.Model):
    """An e-mail address asking to hear of a province's or an agency's publications
    (đăng ký nhận thư báo).

    Nobody is written to before the address confirms (`confirmed_at`), through a signed
    link that expires. `province` is always set (an agency's own province), so one query
    finds everyone a publication concerns; `agency` narrows it to one agency. The language
    is the page's when the address signed up: every mail is in it.
    """

    email = models.EmailField(_("thư điện tử"), max_length=254)
    province = models.ForeignKey(
        Province,
        on_delete=models.CASCADE,
        related_name="alert_subscriptions",
        verbose_name=_("tỉnh, thành phố"),
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alert_subscriptions",
        verbose_name=_("cơ quan, đơn vị"),
    )
    language = models.CharField(_("ngôn ngữ"), max_length=8, choices=settings.LANGUAGES)
    created_at = models.DateTimeField(_("đăng ký lúc"), auto_now_add=True)
    confirmation_sent_at = models.DateTimeField(_("gửi thư xác nhận lúc"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("xác nhận lúc"), null=True, blank=True)

    class Meta:
        app_label = "rankings"
        verbose_name = _("đăng ký nhận thư báo")
        verbose_name_plural = _("đăng ký nhận thư báo")
        ordering = ["email", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["email", "province"],
                condition=Q(agency__isnull=True),
                name="alert_province_once",
            ),
            models.UniqueConstraint(
                fields=["email", "agency"],
                condition=Q(agency__isnull=False),
                name="alert_agency_once",
            ),
        ]
        indexes = [models.Index(fields=["province", "confirmed_at"], name="alert_by_province")]

    def __str__(self) -> str:
        return f"{self.email} → {self.agency or self.province}"

    @property
    def target(self):
        return self.agency or self.province
