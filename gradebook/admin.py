"""Grades are written only through gradebook.services, which record history.
The Django admin therefore shows grade records read-only; settings and
categories (no history needed) are editable."""

from django.contrib import admin

from .models import (
    Assessment,
    BehaviourGrade,
    Grade,
    GradeCategory,
    GradeHistory,
    GradingSettings,
    TermGrade,
)


@admin.register(GradingSettings)
class GradingSettingsAdmin(admin.ModelAdmin):
    list_display = ["school", "plus_value", "minus_value", "improvement_replaces"]


@admin.register(GradeCategory)
class GradeCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "weight", "counts_to_average"]
    list_filter = ["school"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Grade)
class GradeAdmin(ReadOnlyAdmin):
    list_display = ["symbol", "pupil", "assessment", "teacher", "updated_at"]
    list_select_related = ["pupil", "assessment", "teacher"]


@admin.register(TermGrade)
class TermGradeAdmin(ReadOnlyAdmin):
    list_display = ["pupil", "assignment", "term", "kind", "grade"]


@admin.register(BehaviourGrade)
class BehaviourGradeAdmin(ReadOnlyAdmin):
    list_display = ["pupil", "school_class", "term", "kind", "value"]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["name", "assignment", "term", "date", "weight"]


@admin.register(GradeHistory)
class GradeHistoryAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "action", "pupil", "old_value", "new_value", "actor_name"]
    list_select_related = ["pupil"]
