"""``/scim/v2/Groups``: a workspace's teams as SCIM groups (members are user ids)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from workestra.models import ScimToken, Team
from workestra.scim import schema, services
from workestra.scim.schema import ScimError, bad
from workestra.scim.views import base_url, read_body, respond, scim_endpoint


def _teams(token: ScimToken) -> QuerySet[Team]:
    return (
        Team.objects.filter(workspace_id=token.workspace_id)
        .select_related("workspace")
        .prefetch_related("team_members__user")
        .order_by("pk")
    )


def _team(token: ScimToken, raw_id: str) -> Team:
    team = _teams(token).filter(pk=schema.parse_id(raw_id)).first()
    if team is None:
        raise ScimError(404, "No such group in this workspace.")
    return team


@scim_endpoint(("GET", "POST"))
def groups(request: HttpRequest, token: ScimToken) -> HttpResponse:
    if request.method == "POST":
        body = read_body(request)
        name = schema.parse_name({"displayName": body.get("displayName", "")}) or ""
        ids = schema.parse_member_ids(body.get("members") or [])
        team = services.scim_group_create(workspace=token.workspace, name=name, member_ids=ids)
        return respond(schema.group_resource(_team(token, str(team.pk)), base_url()), 201)
    wanted = schema.parse_filter(request.GET.get("filter"), "displayName")
    start, count = schema.parse_page(request.GET.get("startIndex"), request.GET.get("count"))
    found = _teams(token)
    if wanted is not None:
        found = found.filter(name__iexact=wanted)
    page = [schema.group_resource(t, base_url()) for t in found[start - 1 : start - 1 + count]]
    return respond(schema.list_response(page, total=found.count(), start=start))


@scim_endpoint(("GET", "PUT", "PATCH", "DELETE"))
def group(request: HttpRequest, token: ScimToken, pk: str) -> HttpResponse:
    team = _team(token, pk)
    if request.method == "DELETE":
        services.scim_group_delete(team=team)
        return respond(None, 204)
    if request.method == "PUT":
        body = read_body(request)
        name = schema.parse_name({"displayName": body.get("displayName", "")}) or ""
        ids = schema.parse_member_ids(body.get("members") or [])
        services.scim_group_change(team=team, name=name, add=[], remove=[], replace=ids)
        team = _team(token, pk)
    elif request.method == "PATCH":
        _patch(team, schema.parse_patch(read_body(request)))
        team = _team(token, pk)
    return respond(schema.group_resource(team, base_url()))


def _patch(team: Team, operations: list[schema.Operation]) -> None:
    name: str | None = None
    add: list[int] = []
    remove: list[int] = []
    replace: list[int] | None = None
    for op in operations:
        path = op.path.lower()
        one = schema.member_path_id(op.path)
        if one is not None and op.op == "remove":
            remove.append(one)
        elif path == "members" and op.op == "add":
            add += schema.parse_member_ids(op.value)
        elif path == "members" and op.op == "remove":
            remove += schema.parse_member_ids(op.value) if op.value is not None else []
        elif path == "members" and op.op == "replace":
            replace = schema.parse_member_ids(op.value)
        elif path == "displayname" and op.op in ("add", "replace"):
            name = schema.parse_name({"displayName": op.value}) or ""
        elif path == "" and op.op == "replace" and isinstance(op.value, dict):
            if "displayName" in op.value:
                name = schema.parse_name({"displayName": op.value["displayName"]}) or ""
            if "members" in op.value:
                replace = schema.parse_member_ids(op.value["members"])
        else:
            raise bad(f"{op.op} {op.path[:60]} is not supported on a group.", "invalidPath")
    services.scim_group_change(team=team, name=name, add=add, remove=remove, replace=replace)
