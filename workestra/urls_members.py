from django.urls import path

from workestra.views import members, scim_settings, sso

app_name = "members"

urlpatterns = [
    path("settings/members", members.member_list, name="list"),
    path("settings/members/invite", members.member_invite, name="invite"),
    path("settings/members/leave", members.member_leave, name="leave"),
    path("settings/members/<int:pk>/role", members.member_role, name="role"),
    path("settings/members/<int:pk>/remove", members.member_remove, name="remove"),
    path(
        "settings/members/invitations/<int:pk>/revoke",
        members.invitation_revoke,
        name="invitation-revoke",
    ),
    path("settings/scim", scim_settings.scim_settings, name="scim"),
    path("settings/scim/create", scim_settings.scim_token_create, name="scim-create"),
    path("settings/scim/<int:pk>/revoke", scim_settings.scim_token_revoke, name="scim-revoke"),
    path("settings/sso", sso.sso_settings, name="sso"),
    path("settings/sso/delete", sso.sso_delete, name="sso-delete"),
    path("settings/workspace", members.workspace_switch, name="switch-workspace"),
]
