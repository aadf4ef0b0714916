from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from improveplan.models import (
    Invitation,
    Membership,
    Organisation,
    Partnership,
    Plan,
    SecurityEvent,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "full_name", "password"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]
    filter_horizontal = ["groups"]


class OrganisationInline(admin.TabularInline):
    model = Organisation
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Offer only the organisations of the partnership being edited.
        if db_field.name == "organisation" and request.resolver_match.kwargs.get("object_id"):
            kwargs["queryset"] = Organisation.objects.filter(
                partnership_id=request.resolver_match.kwargs["object_id"]
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    inlines = [OrganisationInline, MembershipInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "partnership"]
    list_filter = ["kind"]
    list_select_related = ["partnership"]
    search_fields = ["name", "partnership__name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "partnership", "organisation", "role"]
    list_filter = ["role"]
    list_select_related = ["user", "partnership", "organisation"]
    search_fields = ["user__email", "user__full_name", "partnership__name"]
    autocomplete_fields = ["user"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "partnership", "role", "created_at", "expires_at", "accepted_at"]
    list_select_related = ["partnership"]
    search_fields = ["email", "partnership__name"]
    readonly_fields = ["created_at", "accepted_at", "accepted_by"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "partnership", "status", "method", "period_start", "period_end"]
    list_filter = ["status", "method"]
    list_select_related = ["partnership"]
    search_fields = ["title", "partnership__name"]


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """The security log is evidence: administrators read it, nobody edits it."""

    list_display = [
        "at",
        "kind",
        "count",
        "last_at",
        "email",
        "user",
        "partnership",
        "ip_address",
        "path",
    ]
    list_filter = ["kind"]
    list_select_related = ["user", "partnership"]
    search_fields = ["email", "user__email", "ip_address", "path", "detail"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
