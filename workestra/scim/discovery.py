"""The discovery documents: ServiceProviderConfig, ResourceTypes and Schemas (minimal)."""

from __future__ import annotations

from typing import Any

from workestra.scim.schema import GROUP, USER

CONFIG = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"


def service_provider_config(base: str) -> dict[str, Any]:
    return {
        "schemas": [CONFIG],
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": 100},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "description": "The workspace's SCIM token, from Settings → SCIM.",
                "primary": True,
            }
        ],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": f"{base}/ServiceProviderConfig",
        },
    }


def resource_types(base: str) -> list[dict[str, Any]]:
    return [
        {
            "schemas": [RESOURCE_TYPE],
            "id": kind,
            "name": kind,
            "endpoint": f"/{kind}s",
            "schema": urn,
            "meta": {"resourceType": "ResourceType", "location": f"{base}/ResourceTypes/{kind}"},
        }
        for kind, urn in (("User", USER), ("Group", GROUP))
    ]


def _attribute(name: str, kind: str = "string", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "type": kind,
        "multiValued": False,
        "required": False,
        "mutability": "readWrite",
        "returned": "default",
        **extra,
    }


def schemas(base: str) -> list[dict[str, Any]]:
    user = [
        _attribute("userName", required=True, uniqueness="server"),
        _attribute("displayName"),
        _attribute("name", "complex"),
        _attribute("active", "boolean"),
        _attribute("emails", "complex", multiValued=True),
    ]
    group = [
        _attribute("displayName", required=True),
        _attribute("members", "complex", multiValued=True),
    ]
    return [
        {
            "schemas": [SCHEMA],
            "id": urn,
            "name": name,
            "attributes": attributes,
            "meta": {"resourceType": "Schema", "location": f"{base}/Schemas/{urn}"},
        }
        for urn, name, attributes in ((USER, "User", user), (GROUP, "Group", group))
    ]
