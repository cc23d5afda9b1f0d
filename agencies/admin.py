from django.contrib import admin

from agencies.models import Agency, Block, Province, Succession


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "slug", "valid_from", "valid_to", "is_national"]
    search_fields = ["name", "code", "slug"]
    list_filter = ["is_national", "valid_to"]
    prepopulated_fields = {"slug": ["name"]}
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


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
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
    prepopulated_fields = {"slug": ["short_name"]}
    inlines = [SuccessionInline]


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
