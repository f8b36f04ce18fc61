"""File questions: uploads checked by content and size, stored out of reach, downloaded by the
host through a signed link that expires, and never left behind."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from booking import answers
from booking.models import Booking
from booking.questions import Question
from tests.conftest import NOW, login

START = "2026-11-24T10:00:00+01:00"
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def asking(link, media):
    link.questions = [
        Question(id=1, kind="short_text", label="Company").to_dict(),
        Question(id=6, kind="file", label="Brief", required=True, max_bytes=1024 * 1024).to_dict(),
    ]
    link.save()
    return link


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()]


def book(client, content: bytes, name: str = "brief.pdf", start: str = START, **extra):
    upload = SimpleUploadedFile(name, content, "application/pdf")
    data = {
        "start": start,
        "timezone": "Europe/Berlin",
        "name": "Alice",
        "email": "alice@example.com",
        "a6": upload,
        **extra,
    }
    return client.post("/book/intro", data)


def download_href(client, booking) -> str:
    page = client.get(f"/calendar/bookings/{booking.pk}").content.decode()
    match = re.search(r'<a href="(/calendar/bookings/files/[^"]+)" download>brief.pdf</a>', page)
    assert match, "no download link"
    return match.group(1)


def test_the_page_form_sends_files_as_multipart(client, asking, frozen):
    response = client.get("/book/intro", {"tz": "Europe/Berlin", "slot": START})

    body = response.content.decode()
    assert 'enctype="multipart/form-data"' in body
    assert 'type="file" name="a6"' in body and "accept=" in body


def test_a_pdf_is_stored_under_a_random_name_with_its_answer(client, asking, media, frozen):
    response = book(client, PDF, a1="Acme")

    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.answers == {"a1": "Acme", "a6": "brief.pdf"}
    info = booking.answer_files["a6"]
    assert (info["name"], info["size"], info["type"]) == ("brief.pdf", len(PDF), "pdf")
    assert "brief" not in info["key"] and len(info["key"]) > 40
    [path] = stored_files(media)
    assert path.read_bytes() == PDF


def test_a_disguised_program_is_refused_and_nothing_is_kept(client, asking, media, frozen):
    response = book(client, ELF)

    assert response.status_code == 400
    assert "not one of the accepted types" in response.content.decode()
    assert not Booking.objects.exists()
    assert stored_files(media) == []


def test_a_file_over_the_questions_limit_is_refused(client, asking, media, frozen):
    response = book(client, PDF + b"0" * 1024 * 1024)

    assert response.status_code == 400
    assert "larger than 1 MB" in response.content.decode()
    assert stored_files(media) == []


def test_a_refused_booking_leaves_no_file_behind(client, asking, media, frozen, monkeypatch):
    removed = []
    remove = answers.delete_stored
    monkeypatch.setattr(
        answers, "delete_stored", lambda files: [removed.append(files), remove(files)]
    )

    # 03:00 is outside the link's hours: the booking itself is refused after the form passed,
    # so the file was stored, then removed.
    response = book(client, PDF, start="2026-11-24T03:00:00+01:00")

    assert response.status_code == 400
    assert not Booking.objects.exists()
    assert list(removed[0]) == ["a6"]
    assert stored_files(media) == []


def test_the_host_downloads_the_file_through_a_signed_link(client, asking, frozen):
    book(client, PDF)
    host = login(asking.owner)

    response = host.get(download_href(host, Booking.objects.get()))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="brief.pdf"'
    assert "no-store" in response["Cache-Control"]


def test_an_expired_link_is_refused(client, asking, frozen):
    book(client, PDF)
    host = login(asking.owner)
    href = download_href(host, Booking.objects.get())

    with time_machine.travel(NOW + timedelta(minutes=11), tick=False):
        response = host.get(href)

    assert response.status_code == 403


def test_a_forged_link_is_refused(client, asking, frozen):
    book(client, PDF)
    host = login(asking.owner)
    href = download_href(host, Booking.objects.get())

    assert host.get(href[:-3] + "xyz").status_code == 403
    assert host.get("/calendar/bookings/files/1:a6:abc").status_code == 403


def test_another_workspace_gets_a_404_even_with_a_valid_link(client, asking, outsider, frozen):
    book(client, PDF)
    href = download_href(login(asking.owner), Booking.objects.get())

    assert login(outsider).get(href).status_code == 404


def test_a_signed_out_visitor_cannot_download(client, asking, frozen):
    book(client, PDF)
    href = download_href(login(asking.owner), Booking.objects.get())

    response = client.get(href)

    assert response.status_code == 302
    assert "/login" in response["Location"] or "/accounts" in response["Location"]


def test_the_file_goes_when_the_booking_is_deleted(
    client, asking, media, frozen, django_capture_on_commit_callbacks
):
    book(client, PDF)
    assert len(stored_files(media)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        Booking.objects.get().delete()

    assert stored_files(media) == []


def test_a_file_another_booking_still_names_is_kept(
    client, asking, media, frozen, django_capture_on_commit_callbacks
):
    book(client, PDF)
    booking = Booking.objects.get()
    twin = Booking.objects.get(pk=booking.pk)
    twin.pk, twin.reschedule_token, twin.ical_uid = None, "other-token", "other@workestra"
    twin.start, twin.end = booking.start + timedelta(days=1), booking.end + timedelta(days=1)
    twin.save()

    with django_capture_on_commit_callbacks(execute=True):
        booking.delete()

    assert len(stored_files(media)) == 1


def test_the_host_email_points_to_the_bookings_page_for_the_file(client, asking, frozen):
    from django.core import mail

    from workflows import outbox

    book(client, PDF)
    outbox.drain()

    to_host = next(m for m in mail.outbox if m.to == ["owner@acme.test"])
    booking = Booking.objects.get()
    assert "Brief: brief.pdf (a file: download it from the booking's page)" in to_host.body
    assert f"/calendar/bookings/{booking.pk}" in to_host.body


def test_bytes_past_the_largest_allowed_size_are_never_kept(client, asking, media, frozen):
    from django.core.files.uploadhandler import TemporaryFileUploadHandler

    from booking.questions import MAX_FILE_BYTES
    from booking.uploads import CappedUploadHandler

    sizes = []
    complete = TemporaryFileUploadHandler.file_complete

    def recording(self, file_size):
        sizes.append(file_size)
        return complete(self, file_size)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TemporaryFileUploadHandler, "file_complete", recording)
        response = book(client, PDF + b"0" * (MAX_FILE_BYTES + 5 * 1024 * 1024))

    assert response.status_code == 400
    assert "larger than 1 MB" in response.content.decode()
    assert MAX_FILE_BYTES < sizes[0] <= MAX_FILE_BYTES + CappedUploadHandler.chunk_size
    assert stored_files(media) == []
