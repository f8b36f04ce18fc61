"""``/scim/v2/``: the SCIM 2.0 subset Okta and Entra ID use, per workspace.

Every request carries ``Authorization: Bearer <token>``; the token's workspace is the tenant.
Wrong, missing or revoked tokens get a 401, a plan without SCIM a 403, and every refusal is a
SCIM Error body; nothing is written on any of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from workestra import plans
from workestra.lib import ratelimit
from workestra.models import Membership, ScimToken
from workestra.scim import discovery, schema, services
from workestra.scim.schema import ScimError, bad

CONTENT_TYPE = "application/scim+json"
MAX_BODY = 64 * 1024
PER_TOKEN_PER_MINUTE = 600
FAILED_AUTH_PER_MINUTE = 30

View = Callable[..., HttpResponse]


def respond(body: dict[str, Any] | None, status: int = 200) -> HttpResponse:
    content = json.dumps(body) if body is not None else ""
    return HttpResponse(content, status=status, content_type=CONTENT_TYPE)


def base_url() -> str:
    return f"{settings.PUBLIC_BASE_URL}/scim/v2"


def _authenticate(request: HttpRequest) -> ScimToken:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    token = services.scim_token_for(secret.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        if not ratelimit.hit(
            "scim-auth", ratelimit.client_ip(request), limit=FAILED_AUTH_PER_MINUTE
        ):
            raise ScimError(429, "Too many failed attempts; try again in a minute.")
        raise ScimError(401, "A valid bearer token is required.")
    if not ratelimit.hit("scim", str(token.pk), limit=PER_TOKEN_PER_MINUTE):
        raise ScimError(429, "Too many requests; try again in a minute.")
    if not plans.allows(token.workspace.plan, "scim"):
        label = plans.plan_label(plans.min_plan("scim") or "")
        raise ScimError(403, f"SCIM provisioning needs the {label} plan.")
    ScimToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


def _no_nul(value: Any) -> None:
    if isinstance(value, str) and "\x00" in value:
        raise bad("Text may not contain NUL characters.")
    if isinstance(value, dict):
        for key, item in value.items():
            _no_nul(key)
            _no_nul(item)
    elif isinstance(value, list):
        for item in value:
            _no_nul(item)


def read_body(request: HttpRequest) -> dict[str, Any]:
    try:
        too_big = int(request.headers.get("Content-Length") or 0) > MAX_BODY
        raw = b"" if too_big else request.body
    except RequestDataTooBig:
        too_big = True
    if too_big or len(raw) > MAX_BODY:
        raise ScimError(413, "The request body is too large.", "tooLarge")
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise bad("The body must be a JSON object.", "invalidSyntax") from None
    if not isinstance(body, dict):
        raise bad("The body must be a JSON object.", "invalidSyntax")
    _no_nul(body)
    return body


def scim_endpoint(methods: tuple[str, ...]) -> Callable[[View], View]:
    """Authenticate, allow ``methods``, and turn every :class:`ScimError` into its answer."""

    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in methods:
                    raise ScimError(405, f"Use {', '.join(methods)} here.")
                if "\x00" in request.get_full_path():
                    raise bad("The address may not contain NUL characters.")
                token = _authenticate(request)
                return view(request, token, *args, **kwargs)
            except ScimError as error:
                return respond(error.body(), error.status)
            except (ValueError, OverflowError):
                return respond(bad("The request could not be read.").body(), 400)

        return wrapper

    return decorate


# --- Discovery ----------------------------------------------------------------------------------


@scim_endpoint(("GET",))
def service_provider_config(request: HttpRequest, token: ScimToken) -> HttpResponse:
    return respond(discovery.service_provider_config(base_url()))


@scim_endpoint(("GET",))
def resource_types(request: HttpRequest, token: ScimToken) -> HttpResponse:
    types = discovery.resource_types(base_url())
    return respond(schema.list_response(types, total=len(types), start=1))


@scim_endpoint(("GET",))
def schemas(request: HttpRequest, token: ScimToken) -> HttpResponse:
    found = discovery.schemas(base_url())
    return respond(schema.list_response(found, total=len(found), start=1))


# --- Users --------------------------------------------------------------------------------------


def _membership(token: ScimToken, raw_id: str) -> Membership:
    membership = (
        Membership.objects.select_related("user")
        .filter(workspace_id=token.workspace_id, user_id=schema.parse_id(raw_id))
        .first()
    )
    if membership is None:
        raise ScimError(404, "No such user in this workspace.")
    return membership


@scim_endpoint(("GET", "POST"))
def users(request: HttpRequest, token: ScimToken) -> HttpResponse:
    if request.method == "POST":
        data = schema.parse_user(read_body(request))
        membership = services.scim_user_create(
            workspace=token.workspace, data=data, now=timezone.now()
        )
        return respond(schema.user_resource(membership, base_url()), 201)
    email = schema.parse_filter(request.GET.get("filter"), "userName")
    start, count = schema.parse_page(request.GET.get("startIndex"), request.GET.get("count"))
    found = Membership.objects.select_related("user").filter(workspace_id=token.workspace_id)
    if email is not None:
        found = found.filter(user__email__iexact=email)
    found = found.order_by("user_id")
    page = [schema.user_resource(m, base_url()) for m in found[start - 1 : start - 1 + count]]
    return respond(schema.list_response(page, total=found.count(), start=start))


@scim_endpoint(("GET", "PUT", "PATCH", "DELETE"))
def user(request: HttpRequest, token: ScimToken, pk: str) -> HttpResponse:
    membership = _membership(token, pk)
    now = timezone.now()
    if request.method == "DELETE":
        services.scim_user_delete(membership=membership)
        return respond(None, 204)
    if request.method == "PUT":
        data = schema.parse_user(read_body(request))
        if data.email != membership.user.email.lower():
            raise bad("userName cannot be changed here.", "mutability")
        membership = services.scim_user_update(
            membership=membership, name=data.name, active=data.active, now=now
        )
    elif request.method == "PATCH":
        name, active = _user_patch(schema.parse_patch(read_body(request)), membership.user.name)
        membership = services.scim_user_update(
            membership=membership, name=name, active=active, now=now
        )
    return respond(schema.user_resource(membership, base_url()))


# Attributes identity providers send that are not kept here: accepted and left alone, so a
# provider's routine update does not fail on them.
IGNORED = (
    "externalid",
    "emails",
    "title",
    "preferredlanguage",
    "locale",
    "timezone",
    "nickname",
    "usertype",
    "phonenumbers",
    "addresses",
    "name.middlename",
    "name.honorificprefix",
    "name.honorificsuffix",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user",
)


def _ignored(key: str) -> bool:
    return any(
        key == name or key.startswith((f"{name}[", f"{name}.", f"{name}:")) for name in IGNORED
    )


def _user_patch(operations: list[schema.Operation], current: str) -> tuple[str | None, bool | None]:
    """The name and active state a PATCH asks for (None: unchanged)."""
    given, _, family = current.partition(" ")
    parts = {"givenname": given, "familyname": family}
    name: str | None = None
    active: bool | None = None
    for op in operations:
        if op.op == "remove":
            raise bad("Attributes of a user cannot be removed.", "mutability")
        values = op.value if op.path == "" else {op.path: op.value}
        if not isinstance(values, dict):
            raise bad("An operation without path needs an object value.", "invalidSyntax")
        for path, value in values.items():
            key = str(path).lower()
            if key == "active":
                active = schema.parse_bool(value)
            elif key in ("displayname", "name.formatted"):
                name = schema.parse_name({"displayName": value})
            elif key == "name":
                name = schema.parse_name({"name": value})
            elif key in ("name.givenname", "name.familyname"):
                parts[key[5:]] = schema.parse_name({"displayName": value}) or ""
                name = f"{parts['givenname']} {parts['familyname']}".strip()
            elif key == "username":
                raise bad("userName cannot be changed here.", "mutability")
            elif not _ignored(key):
                raise bad(f"{str(path)[:60]} cannot be changed here.", "invalidPath")
    return name, active
