from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from rankings.models import (
    AssessmentCycle,
    Band,
    CriteriaSet,
    Criterion,
    CriterionGroup,
    Evidence,
    Membership,
    Publication,
    Result,
    Score,
    Submission,
)


class BandInline(admin.TabularInline):
    model = Band
    extra = 0


class GroupInline(admin.TabularInline):
    model = CriterionGroup
    extra = 0
    fields = ["code", "name", "parent", "order"]


@admin.register(CriteriaSet)
class CriteriaSetAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "province",
        "block",
        "decision_number",
        "decision_date",
        "max_points",
        "is_synthetic",
    ]
    list_filter = ["province", "block", "is_synthetic"]
    search_fields = ["name", "decision_number", "slug"]
    list_select_related = ["province", "block"]
    inlines = [BandInline, GroupInline]


@admin.register(CriterionGroup)
class CriterionGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "criteria_set", "parent"]
    list_filter = ["criteria_set"]
    search_fields = ["code", "name"]
    list_select_related = ["criteria_set", "parent"]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "max_points",
        "rule",
        "required",
        "evidence_required",
        "criteria_set",
    ]
    list_filter = ["criteria_set", "rule", "required", "evidence_required"]
    search_fields = ["code", "name"]
    list_select_related = ["criteria_set"]
    autocomplete_fields = ["group"]


@admin.register(AssessmentCycle)
class AssessmentCycleAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "province", "year", "block", "state", "submission_deadline"]
    list_filter = ["province", "block", "year", "state"]
    search_fields = ["province__name", "block__name"]
    list_select_related = ["province", "block"]


class EvidenceInline(admin.StackedInline):
    model = Evidence
    extra = 0


@admin.register(Score)
class ScoreAdmin(SimpleHistoryAdmin):
    list_display = ["agency", "criterion", "stage", "points", "max_points", "cycle", "is_synthetic"]
    list_filter = ["stage", "is_synthetic", "cycle__province", "cycle__year", "cycle__block"]
    search_fields = ["agency__name", "criterion__code", "criterion__name"]
    list_select_related = ["agency", "criterion", "cycle__province", "cycle__block"]
    autocomplete_fields = ["agency", "criterion"]
    readonly_fields = ["updated_at", "updated_by"]
    inlines = [EvidenceInline]

    def save_model(self, request, obj, form, change):
        obj._change_reason = "admin"  # the audit trail names the path
        super().save_model(request, obj, form, change)


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = [
        "decision_number",
        "decision_date",
        "revision",
        "cycle",
        "signer",
        "is_synthetic",
    ]
    list_filter = ["cycle__province", "cycle__year", "cycle__block"]
    search_fields = ["decision_number", "signer"]
    list_select_related = ["cycle__province", "cycle__block"]


@admin.register(Result)
class ResultAdmin(admin.ModelAdmin):
    """Results are computed by `recompute` and frozen by publication: read-only here."""

    list_display = ["agency", "cycle", "publication", "rank", "score", "percent", "band"]
    list_filter = ["cycle__province", "cycle__year", "cycle__block"]
    search_fields = ["agency__name"]
    list_select_related = ["agency", "cycle__province", "cycle__block", "publication"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "province", "agency"]
    list_filter = ["role", "province"]
    search_fields = ["user__username", "user__email", "agency__name"]
    list_select_related = ["user", "province", "agency"]
    autocomplete_fields = ["user", "agency"]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["agency", "cycle", "state", "submitted_at", "submitted_by"]
    list_filter = ["state", "cycle__province", "cycle__year"]
    search_fields = ["agency__name"]
    list_select_related = ["agency", "cycle__province", "cycle__block", "submitted_by"]
