from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, AgencyAlias, Block, Province, Succession


class ServerSlugMixin(admin.ModelAdmin):
    """The slug may be left empty: the model fills it with `agencies.slugs.slugify`.

    Django's prepopulated_fields JavaScript mangles Vietnamese ("Đắk Nông" → "djk-nong"),
    so it is not used; the server's slug is the one every import and URL uses.
    """

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "slug" in form.base_fields:
            form.base_fields["slug"].required = False
            form.base_fields["slug"].help_text = _("Để trống: tạo tự động từ tên (đ → d).")
        return form


@admin.register(Province)
class ProvinceAdmin(ServerSlugMixin, admin.ModelAdmin):
    list_display = ["name", "code", "slug", "valid_from", "valid_to", "is_national"]
    search_fields = ["name", "code", "slug"]
    list_filter = ["is_national", "valid_to"]
    filter_horizontal = ["successors"]


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "slug", "order"]
    search_fields = ["name", "name_en", "slug"]


class SuccessionInline(admin.TabularInline):
    model = Succession
    fk_name = "predecessor"
    autocomplete_fields = ["successor"]
    extra = 0


class AliasInline(admin.TabularInline):
    model = AgencyAlias
    fields = ["name", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]
    extra = 0


@admin.register(Agency)
class AgencyAdmin(ServerSlugMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "short_name",
        "kind",
        "block",
        "province",
        "admin_unit_code",
        "represents",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["province", "block", "kind"]
    search_fields = ["name", "short_name", "slug", "admin_unit_code"]
    list_select_related = ["province", "block", "represents"]
    # `represents` (the national scope's province agencies) searches ProvinceAdmin's fields.
    autocomplete_fields = ["parent", "represents"]
    inlines = [SuccessionInline, AliasInline]


@admin.register(Succession)
class SuccessionAdmin(admin.ModelAdmin):
    list_display = ["predecessor", "successor", "effective", "whole"]
    list_filter = ["effective", "whole"]
    search_fields = ["predecessor__name", "successor__name"]
    autocomplete_fields = ["predecessor", "successor"]
    list_select_related = ["predecessor", "successor"]


# Administrative units are reference data loaded by `manage.py import_units`: read-mostly.
from agencies.models import AdministrativeUnit, UnitSuccession  # noqa: E402


class UnitSuccessionInline(admin.TabularInline):
    model = UnitSuccession
    fk_name = "predecessor"
    autocomplete_fields = ["successor"]
    extra = 0


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "era", "division_type", "province_code", "parent"]
    list_filter = ["era", "level", "division_type"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    inlines = [UnitSuccessionInline]


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(admin.ModelAdmin):
    list_display = ["predecessor", "successor", "effective", "whole"]
    list_filter = ["whole", "predecessor__level", "successor__level"]
    search_fields = ["predecessor__name", "predecessor__code", "successor__name", "successor__code"]
    autocomplete_fields = ["predecessor", "successor"]
    list_select_related = ["predecessor", "successor"]
