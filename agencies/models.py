"""Who is ranked: provinces, ranking blocks and the agencies inside them."""

import datetime
import unicodedata

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.slugs import slugify

# The national scope's slug: its page is /toan-quoc/ (see `Province.is_national`).
NATIONAL_SLUG = "toan-quoc"


class Province(models.Model):
    """A province (tỉnh, thành phố trực thuộc trung ương), before or after the 2025 reform.

    The 63 legacy provinces end on 30 June 2025; the 34 current ones start on 1 July 2025.
    A deployment holds several: the new Phú Thọ keeps the old Vĩnh Phúc's rankings. The
    official code is the General Statistics Office code (Vĩnh Phúc 26), unique per era.
    One row may instead be the national scope (toàn quốc, `is_national`): its agencies are
    the provinces' People's Committees, each pointing at the province it `represents`, and
    its cycles rank provinces as the Ministry's DTI does, with the same engine and pages.
    """

    code = models.CharField(_("mã đơn vị hành chính"), max_length=8)
    name = models.CharField(_("tên"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    valid_from = models.DateField(_("hiệu lực từ"), default=datetime.date(1900, 1, 1))
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successors = models.ManyToManyField(
        "self",
        symmetrical=False,
        related_name="predecessors",
        blank=True,
        verbose_name=_("đơn vị kế thừa"),
    )
    is_national = models.BooleanField(
        _("phạm vi toàn quốc"),
        default=False,
        help_text=_("Không phải một tỉnh: phạm vi xếp hạng các tỉnh, thành phố (như DTI)."),
    )

    class Meta:
        verbose_name = _("tỉnh, thành phố")
        verbose_name_plural = _("tỉnh, thành phố")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="province_code_per_era"),
            models.UniqueConstraint(
                fields=["is_national"], condition=Q(is_national=True), name="province_one_national"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="province_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name, max_length=80)
        super().save(*args, **kwargs)


class Block(models.Model):
    """A ranking block (khối): agencies ranked against each other with one criteria set.

    Departments, districts and communes are ranked separately; each block has its own
    criteria set, maximum, averages and ranks.
    """

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name = models.CharField(_("tên khối"), max_length=120)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=120)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("khối xếp hạng")
        verbose_name_plural = _("khối xếp hạng")
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.name


class AgencyKind(models.TextChoices):
    DEPARTMENT = "department", _("Sở, ban, ngành")
    CENTRAL = "central", _("Cơ quan trung ương đóng trên địa bàn")
    DISTRICT = "district", _("UBND cấp huyện")
    COMMUNE = "commune", _("UBND cấp xã")
    PROVINCE = "province", _("UBND cấp tỉnh")


class Agency(models.Model):
    """A ranked unit (cơ quan, đơn vị): a department, a central agency or a People's Committee.

    Agencies have a lifetime: the 2025 reform ended every district and merged communes, so
    an agency carries `valid_from`/`valid_to` and links to its successors (many to many: a
    district's area went to several communes, and a commune was formed from several).
    In the national scope an agency is a province's People's Committee and `represents`
    that province, so a national ranking links each row to the province's own pages.
    """

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("tỉnh")
    )
    block = models.ForeignKey(
        Block, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("khối")
    )
    kind = models.CharField(_("loại"), max_length=16, choices=AgencyKind.choices)
    name = models.CharField(_("tên"), max_length=200)
    short_name = models.CharField(_("tên ngắn"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=100)
    search_name = models.CharField(max_length=300, editable=False, db_index=True)
    admin_unit_code = models.CharField(_("mã đơn vị hành chính"), max_length=8, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("cơ quan cấp trên"),
    )
    valid_from = models.DateField(_("hiệu lực từ"), default=datetime.date(1900, 1, 1))
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successors = models.ManyToManyField(
        "self",
        symmetrical=False,
        through="Succession",
        related_name="predecessors",
        blank=True,
        verbose_name=_("đơn vị kế thừa"),
    )
    represents = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="represented_by",
        verbose_name=_("tỉnh được xếp hạng"),
        help_text=_("Chỉ với UBND cấp tỉnh trong xếp hạng toàn quốc: tỉnh mà đơn vị đại diện."),
    )

    class Meta:
        verbose_name = _("cơ quan, đơn vị")
        verbose_name_plural = _("cơ quan, đơn vị")
        ordering = ["province", "block", "name"]
        constraints = [
            models.UniqueConstraint(fields=["province", "slug"], name="agency_slug_per_province"),
            models.UniqueConstraint(
                fields=["province", "represents"],
                condition=Q(represents__isnull=False),
                name="agency_represents_once_per_scope",
            ),
            models.CheckConstraint(
                condition=Q(represents__isnull=True) | Q(kind="province"),
                name="agency_represents_only_provinces",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="agency_valid_range",
            ),
        ]
        indexes = [
            models.Index(fields=["admin_unit_code"], name="agency_admin_code"),
            # The API's agency list is paged in this order: a page's keys come from the
            # index alone, however deep (api.pagination.KeysFirstPaginator).
            models.Index(fields=["province", "block", "name", "id"], name="agency_list_order"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = fold(f"{self.name} {self.short_name}")
        if not self.slug:
            self.slug = slugify(self.short_name or self.name, max_length=100)
        super().save(*args, **kwargs)

    def is_active_in(self, year: int) -> bool:
        """Whether the agency existed at some point in `year`."""
        return self.valid_from.year <= year and (
            self.valid_to is None or self.valid_to.year >= year
        )


def fold(text: str) -> str:
    """Lower-case and strip Vietnamese diacritics, so "lap thach" finds "Lập Thạch"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


class AgencyAlias(models.Model):
    """Another name an agency is printed under (tên gọi khác), learned when staff confirm it.

    A decision may print "Sở TT&TT" or "BHXH tỉnh"; once someone confirms that name means
    this agency, every later import of the province matches it without asking. `key` is
    the comparison key of `agencies.names.name_key`, unique per province.
    """

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("cơ quan")
    )
    province = models.ForeignKey(
        Province, on_delete=models.CASCADE, related_name="+", verbose_name=_("tỉnh")
    )
    name = models.CharField(_("tên gọi khác"), max_length=200)
    key = models.CharField(max_length=300, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người xác nhận"),
    )

    class Meta:
        verbose_name = _("tên gọi khác của cơ quan")
        verbose_name_plural = _("tên gọi khác của cơ quan")
        ordering = ["agency", "name"]
        constraints = [
            models.UniqueConstraint(fields=["province", "key"], name="agency_alias_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.agency}"

    def save(self, *args, **kwargs):
        from agencies.names import name_key

        self.key = name_key(self.name)
        self.province_id = self.agency.province_id
        super().save(*args, **kwargs)


class Succession(models.Model):
    """One predecessor → successor link of an administrative reform (many to many).

    `share` says whether the successor took the whole predecessor or only part of its area,
    which decides whether a predecessor's ranking may be shown as the successor's history.
    """

    predecessor = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        related_name="successions_out",
        verbose_name=_("đơn vị cũ"),
    )
    successor = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        related_name="successions_in",
        verbose_name=_("đơn vị mới"),
    )
    effective = models.DateField(_("ngày hiệu lực"))
    whole = models.BooleanField(_("toàn bộ đơn vị cũ"), default=True)
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("kế thừa")
        verbose_name_plural = _("kế thừa")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_unique"),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="succession_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


# ---------------------------------------------------------------------------------------
# The official administrative units of both eras and how the 2025 reform mapped them.


class UnitEra(models.TextChoices):
    LEGACY = "legacy", _("Trước 01/07/2025 (tỉnh, huyện, xã)")
    CURRENT = "current", _("Từ 01/07/2025 (tỉnh, xã)")


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện")
    COMMUNE = "commune", _("Cấp xã")


class AdministrativeUnit(models.Model):
    """An official administrative unit (đơn vị hành chính) of one era, as the GSO lists it.

    The legacy era has 63 provinces, 696 districts and 10,051 communes; the current era
    (from 1 July 2025) has 34 provinces and 3,321 communes and no district level. Codes are
    the General Statistics Office's, zero-padded as published (Hà Nội "01", Lập Thạch
    "246", Phúc Xá "00001"); the same code may mean different units in the two eras, so a
    code is unique per era and level. Loaded from `vietnam-provinces` by `import_units`.
    """

    era = models.CharField(_("thời kỳ"), max_length=8, choices=UnitEra.choices)
    level = models.CharField(_("cấp"), max_length=8, choices=UnitLevel.choices)
    code = models.CharField(_("mã đơn vị hành chính"), max_length=8)
    name = models.CharField(_("tên"), max_length=120)
    division_type = models.CharField(_("loại đơn vị"), max_length=24, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("đơn vị cấp trên"),
    )
    province_code = models.CharField(_("mã tỉnh"), max_length=2)
    successors = models.ManyToManyField(
        "self",
        symmetrical=False,
        through="UnitSuccession",
        related_name="predecessors",
        blank=True,
        verbose_name=_("đơn vị kế thừa"),
    )

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["era", "level", "code"]
        constraints = [
            models.UniqueConstraint(fields=["era", "level", "code"], name="admin_unit_code"),
            models.CheckConstraint(
                condition=Q(era="legacy") | ~Q(level="district"),
                name="admin_unit_no_current_district",
            ),
        ]
        indexes = [models.Index(fields=["era", "province_code"], name="admin_unit_province")]

    def __str__(self) -> str:
        return self.name


class UnitSuccession(models.Model):
    """One old → new link of the 2025 reorganisation (sắp xếp đơn vị hành chính), many to many.

    A legacy commune went to one or more current communes, a district's area to several,
    a province to one (Tiền Giang to two). `whole` says the entire old unit went to this
    new one, rather than part of its area.
    """

    predecessor = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.CASCADE,
        related_name="successions_out",
        verbose_name=_("đơn vị cũ"),
    )
    successor = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.CASCADE,
        related_name="successions_in",
        verbose_name=_("đơn vị mới"),
    )
    effective = models.DateField(_("ngày hiệu lực"), default=datetime.date(2025, 7, 1))
    whole = models.BooleanField(_("toàn bộ đơn vị cũ"), default=True)

    class Meta:
        verbose_name = _("sắp xếp đơn vị hành chính")
        verbose_name_plural = _("sắp xếp đơn vị hành chính")
        ordering = ["predecessor", "successor"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="unit_succession_unique"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="unit_succession_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"
