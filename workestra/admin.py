from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from workestra.models import (
    Invitation,
    Membership,
    ScimToken,
    SsoConnection,
    Team,
    TeamMember,
    User,
    Workspace,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "plan", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "timezone", "is_staff", "is_active"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["name", "timezone"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "workspace", "role", "created_at"]
    list_filter = ["role", "workspace"]
    raw_id_fields = ["user"]


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "workspace"]
    search_fields = ["name", "slug"]
    list_filter = ["workspace"]
    inlines = [TeamMemberInline]


@admin.register(TeamMember)
class TeamMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "role"]
    list_filter = ["role"]
    raw_id_fields = ["team", "user"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "workspace", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role", "workspace"]
    search_fields = ["email"]
    raw_id_fields = ["invited_by"]
    # The hash opens nothing, but nobody needs to see or edit it here.
    exclude = ["token_hash"]


@admin.register(ScimToken)
class ScimTokenAdmin(admin.ModelAdmin):
    list_display = ["workspace", "created_by", "created_at", "last_used_at", "revoked_at"]
    raw_id_fields = ["workspace", "created_by"]
    # The hash opens nothing, but nobody needs to see or edit it here.
    exclude = ["token_hash"]


@admin.register(SsoConnection)
class SsoConnectionAdmin(admin.ModelAdmin):
    list_display = ["domain", "workspace", "protocol", "required", "updated_at"]
    search_fields = ["domain", "workspace__name"]
    raw_id_fields = ["workspace", "created_by"]
    # Owners change the connection on /settings/sso; the secret never shows here.
    exclude = ["oidc_client_secret_encrypted"]
