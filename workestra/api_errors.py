"""The error bodies of the JSON API, declared once so the OpenAPI schema names every answer."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class Error(Schema):
    detail: str


class FieldErrors(Schema):
    detail: str
    errors: dict[str, list[str]]


def responses(ok: dict[int, Any], *errors: int) -> dict[int, Any]:
    """``ok`` plus an error body for each status in ``errors`` and the three every operation can
    answer: 400 (a body that is not JSON or not UTF-8), 413 (a body over the upload limit) and
    422 (a field of the wrong type, or missing)."""
    declared: dict[int, Any] = dict(ok)
    for status in sorted({400, 413, 422, *errors}):
        declared[status] = FieldErrors if status == 422 else Error
    return declared
