from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from rankings.frozen import criteria_set_published
from rankings.models import (
    AssessmentCycle,
    Band,
    CriteriaSet,
    Criterion,
    CriterionGroup,
    CycleState,
    Evidence,
    Membership,
    Publication,
    Result,
    Score,
    Submission,
)


def _set_published(criteria_set) -> bool:
    return criteria_set is not None and criteria_set.pk and criteria_set_published(criteria_set.pk)


def _cycle_published(cycle) -> bool:
    return cycle is not None and (
        cycle.state == CycleState.PUBLISHED or cycle.publications.exists()
    )


class PublishedCycleForm(forms.ModelForm):
    """Adding a score to a published cycle is a correction: refused with the form's error."""

    def clean(self):
        cleaned = super().clean()
        if _cycle_published(cleaned.get("cycle")):
            raise forms.ValidationError(
                _("Kỳ đánh giá đã công bố: sửa số liệu bằng đính chính (nhập tệp kèm lý do).")
            )
        return cleaned


class FrozenCriteriaAdmin(admin.ModelAdmin):
    """A published criteria set and its parts show read-only: no change, no delete.

    The model refuses too (`FrozenOncePublished`); here the admin never offers the form.
    """

    def criteria_set_of(self, obj):
        return obj.criteria_set if obj is not None else None

    def has_change_permission(self, request, obj=None) -> bool:
        if _set_published(self.criteria_set_of(obj)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if _set_published(self.criteria_set_of(obj)):
            return False
        return super().has_delete_permission(request, obj)


class FrozenInline(admin.TabularInline):
    """Parts of a published set: shown, never added, changed or deleted inline."""

    def _frozen(self, obj) -> bool:
        return _set_published(obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


class PublishedCycleAdmin(admin.ModelAdmin):
    """Rows of a published cycle (its scores, evidence, submissions) are read-only here:
    a change of published data is a correction, made by import with its reason."""

    def cycle_of(self, obj):
        return obj.cycle if obj is not None else None

    def has_change_permission(self, request, obj=None) -> bool:
        if _cycle_published(self.cycle_of(obj)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if _cycle_published(self.cycle_of(obj)):
            return False
        return super().has_delete_permission(request, obj)


class BandInline(FrozenInline):
    model = Band
    extra = 0


class GroupInline(FrozenInline):
    model = CriterionGroup
    extra = 0
    fields = ["code", "name", "parent", "order"]


@admin.register(CriteriaSet)
class CriteriaSetAdmin(FrozenCriteriaAdmin):
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

    def criteria_set_of(self, obj):
        return obj


@admin.register(CriterionGroup)
class CriterionGroupAdmin(FrozenCriteriaAdmin):
    list_display = ["code", "name", "criteria_set", "parent"]
    list_filter = ["criteria_set"]
    search_fields = ["code", "name"]
    list_select_related = ["criteria_set", "parent"]


@admin.register(Criterion)
class CriterionAdmin(FrozenCriteriaAdmin):
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
class AssessmentCycleAdmin(PublishedCycleAdmin, SimpleHistoryAdmin):
    list_display = ["__str__", "province", "year", "block", "state", "submission_deadline"]
    list_filter = ["province", "block", "year", "state"]
    search_fields = ["province__name", "block__name"]
    list_select_related = ["province", "block"]

    def cycle_of(self, obj):
        return obj


class EvidenceInline(admin.StackedInline):
    model = Evidence
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return not _cycle_published(getattr(obj, "cycle", None)) and super().has_add_permission(
            request, obj
        )


@admin.register(Score)
class ScoreAdmin(PublishedCycleAdmin, SimpleHistoryAdmin):
    list_display = ["agency", "criterion", "stage", "points", "max_points", "cycle", "is_synthetic"]
    list_filter = ["stage", "is_synthetic", "cycle__province", "cycle__year", "cycle__block"]
    search_fields = ["agency__name", "criterion__code", "criterion__name"]
    list_select_related = ["agency", "criterion", "cycle__province", "cycle__block"]
    autocomplete_fields = ["agency", "criterion"]
    readonly_fields = ["updated_at", "updated_by"]
    inlines = [EvidenceInline]
    form = PublishedCycleForm

    def save_model(self, request, obj, form, change):
        obj._change_reason = "admin"  # the audit trail names the path
        super().save_model(request, obj, form, change)


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    """Publications are made by the publication service only (a decision, or a correction
    with its reason): shown here, never added, changed or deleted."""

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

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


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
class SubmissionAdmin(PublishedCycleAdmin, admin.ModelAdmin):
    list_display = ["agency", "cycle", "state", "submitted_at", "submitted_by"]
    list_filter = ["state", "cycle__province", "cycle__year"]
    search_fields = ["agency__name"]
    list_select_related = ["agency", "cycle__province", "cycle__block", "submitted_by"]
