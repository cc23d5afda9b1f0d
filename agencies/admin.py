from django.contrib import admin

from agencies.models import Agency, Block, Province, Succession


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "slug", "valid_from", "valid_to"]
    search_fields = ["name", "code", "slug"]
    list_filter = ["valid_to"]
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
        "valid_from",
        "valid_to",
    ]
    list_filter = ["province", "block", "kind"]
    search_fields = ["name", "short_name", "slug", "admin_unit_code"]
    list_select_related = ["province", "block"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["short_name"]}
    inlines = [SuccessionInline]


@admin.register(Succession)
class SuccessionAdmin(admin.ModelAdmin):
    list_display = ["predecessor", "successor", "effective", "whole"]
    list_filter = ["effective", "whole"]
    search_fields = ["predecessor__name", "successor__name"]
    autocomplete_fields = ["predecessor", "successor"]
    list_select_related = ["predecessor", "successor"]
