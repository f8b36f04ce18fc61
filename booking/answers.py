"""A booking's answers to its link's questions: the labels kept with them, the uploaded files,
and the signed links the host downloads those files through.

Files go through Django's storage API under an unguessable name and are never served from a
public URL: the host's booking page signs a link that expires after ``DOWNLOAD_MAX_AGE``.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse

from booking.models import Booking
from booking.questions import Question, file_display_name, parse_questions

log = logging.getLogger(__name__)

UPLOAD_FOLDER = "booking-answers"
DOWNLOAD_MAX_AGE = 10 * 60
_SALT = "booking.answer-file"
_KEY = re.compile(r"a(\d{1,6})")


def link_questions(raw: Any) -> list[Question]:
    """The questions stored on a link; a list that no longer reads (never written by the editor)
    asks nothing rather than breaking the booking page."""
    try:
        return parse_questions(raw)
    except ValidationError:
        log.exception("unreadable questions on a booking link")
        return []


def labels_snapshot(questions: Iterable[Question], keys: Iterable[str]) -> list[dict[str, str]]:
    """What was asked for the answered ``keys``, in the order asked."""
    answered = set(keys)
    return [
        {"key": q.key, "label": q.label, "kind": q.kind} for q in questions if q.key in answered
    ]


def store_uploads(uploads: dict[str, UploadedFile]) -> dict[str, dict[str, Any]]:
    """Save each upload under a fresh random name; what ``Booking.answer_files`` keeps. If one
    fails, the ones already saved are removed before the error goes on."""
    stored: dict[str, dict[str, Any]] = {}
    try:
        for key, upload in uploads.items():
            name = f"{UPLOAD_FOLDER}/{secrets.token_urlsafe(32)}"
            upload.seek(0)
            stored[key] = {
                "key": default_storage.save(name, upload),
                "name": file_display_name(upload.name or ""),
                "size": upload.size,
                "type": getattr(upload, "content_kind", ""),
            }
    except BaseException:
        delete_stored(stored)
        raise
    return stored


def delete_stored(files: dict[str, Any]) -> None:
    """Remove stored answer files (missing ones are fine: a repeat is harmless)."""
    for info in files.values():
        name = info.get("key") if isinstance(info, dict) else None
        if not name or not str(name).startswith(f"{UPLOAD_FOLDER}/"):
            continue
        try:
            default_storage.delete(name)
        except OSError:
            log.exception("could not delete an answer file")


def on_booking_deleted(sender: Any, instance: Booking, **kwargs: Any) -> None:
    """A deleted booking's files go once the deletion is committed (not before: a rolled back
    delete keeps its booking, which still needs them), unless another booking still names them
    (a rescheduled booking and its new time share theirs)."""
    files = dict(instance.answer_files or {})
    if files:
        transaction.on_commit(lambda: delete_stored(_unreferenced(files)))


def _unreferenced(files: dict[str, Any]) -> dict[str, Any]:
    left = {}
    for key, info in files.items():
        name = info.get("key") if isinstance(info, dict) else None
        if not _KEY.fullmatch(key) or not name:
            continue
        if not Booking.objects.filter(**{f"answer_files__{key}__key": name}).exists():
            left[key] = info
    return left


@dataclass(frozen=True)
class AnswerRow:
    key: str
    label: str
    text: str
    download_url: str = ""  # a file answer, for the host: signed, expires


def booking_answer_rows(booking: Booking, *, downloads: bool = False) -> list[AnswerRow]:
    """A booking's answers with their labels; with ``downloads``, file answers carry a fresh
    signed link (only for pages a host of the booking's workspace sees)."""
    rows = answer_rows(booking.answers or {}, booking.answer_labels or [])
    if not downloads:
        return rows
    files = booking.answer_files or {}
    return [
        replace(row, download_url=download_url(booking.pk, row.key)) if row.key in files else row
        for row in rows
    ]


def answer_rows(answers: dict[str, str], labels: list[dict[str, str]]) -> list[AnswerRow]:
    """The answers to show, in the order they were asked, each with the label it was asked
    with; answers that came with no question (older bookings, free ``a<id>`` values) follow,
    labelled by their key."""
    rows = []
    seen = set()
    for item in labels:
        key = item.get("key", "")
        if key in answers and key not in seen:
            seen.add(key)
            rows.append(AnswerRow(key=key, label=item.get("label") or key, text=answers[key]))
    rest = sorted((k for k in answers if k not in seen), key=_key_order)
    rows.extend(AnswerRow(key=k, label=k, text=answers[k]) for k in rest)
    return rows


def _key_order(key: str) -> tuple[int, str]:
    match = _KEY.fullmatch(key)
    return (int(match.group(1)) if match else 10**7, key)


def download_token(booking_id: int, key: str) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(f"{booking_id}:{key}")


def download_url(booking_id: int, key: str) -> str:
    token = download_token(booking_id, key)
    return reverse("booking:calendar-answer-file", args=[token])


class DownloadRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_download_token(token: str) -> tuple[int, str]:
    """The booking id and answer key a signed link names. Raises :class:`DownloadRefused`."""
    signer = signing.TimestampSigner(salt=_SALT)
    try:
        value = signer.unsign(token, max_age=DOWNLOAD_MAX_AGE)
    except signing.SignatureExpired:
        raise DownloadRefused(
            "This download link has expired. Open the booking again for a fresh one."
        ) from None
    except signing.BadSignature:
        raise DownloadRefused("This download link is not valid.") from None
    booking_id, _, key = value.partition(":")
    return int(booking_id), key
