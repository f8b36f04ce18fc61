"""A cap on every uploaded file, before any view sees it.

Django keeps whole uploads (in memory, then in a temporary file) however large they are. This
handler, first in ``FILE_UPLOAD_HANDLERS``, passes a file's bytes on only up to just past the
largest size any question allows: a bigger file arrives cut short but still larger than every
limit, so its field refuses it with its size message, and the rest is never written anywhere.
"""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler

from booking.questions import MAX_FILE_BYTES


class CappedUploadHandler(FileUploadHandler):
    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        # A chunk starting at or before the cap still goes on, so a file over it arrives with
        # more than MAX_FILE_BYTES; nothing after that chunk does.
        return raw_data if start <= MAX_FILE_BYTES else None

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler builds the file from what was passed on
