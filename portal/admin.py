from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import (
    Enrolment,
    GuardianLink,
    ImportRun,
    RoleAssignment,
    School,
    SchoolClass,
    SchoolYear,
    Subject,
    TeachingAssignment,
    TeachingGroup,
    Term,
    User,
)


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("Portal"), {"fields": ("phone", "pesel", "date_of_birth", "is_demo")}),
    )
    list_display = ("username", "first_name", "last_name", "email", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "email")
    inlines = [RoleInline]


class TermInline(admin.TabularInline):
    model = Term
    extra = 0


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ("name", "school_type", "rspo", "city", "is_active")
    prepopulated_fields = {"slug": ("short_name",)}


@admin.register(SchoolYear)
class SchoolYearAdmin(admin.ModelAdmin):
    list_display = ("school", "name", "start", "end", "is_current")
    list_filter = ("school", "is_current")
    inlines = [TermInline]


@admin.register(SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
    list_display = ("name", "school_year", "level", "homeroom_teacher")
    list_filter = ("school_year__school",)
    list_select_related = ("school_year", "homeroom_teacher")
    raw_id_fields = ("homeroom_teacher",)


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ("pupil", "school_class", "start_date", "end_date", "register_number")
    list_select_related = ("pupil", "school_class")
    raw_id_fields = ("pupil",)


@admin.register(TeachingAssignment)
class TeachingAssignmentAdmin(admin.ModelAdmin):
    list_display = ("subject", "school_class", "group", "teacher")
    list_select_related = ("subject", "school_class", "group", "teacher")
    raw_id_fields = ("teacher",)


admin.site.register(Subject)
admin.site.register(TeachingGroup)
admin.site.register(GuardianLink, raw_id_fields=("guardian", "pupil"))
admin.site.register(
    RoleAssignment, list_display=("user", "role", "school"), raw_id_fields=("user",)
)
admin.site.register(ImportRun, list_display=("school", "kind", "file_name", "created_at"))
