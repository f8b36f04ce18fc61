"""CRM writes: a booking's stranger becomes one contact, details fill gaps but never overwrite."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from crm import services
from crm.models import Contact, Pipeline, Stage
from tests.factories import StageFactory, WorkspaceFactory

THREADS = 12


def find_or_create(workspace, email="ada@example.com", **details) -> Contact:
    return services.contact_find_or_create(workspace=workspace, email=email, **details)


def stored(contact: Contact) -> tuple[str, str, str]:
    contact.refresh_from_db()
    return contact.email, contact.name, contact.phone


# --- Find or create ---------------------------------------------------------------------------


def test_a_new_email_creates_a_contact_with_its_details(workspace):
    contact = find_or_create(workspace, name="Ada Lovelace", phone="+4915112345678")

    assert stored(contact) == ("ada@example.com", "Ada Lovelace", "+4915112345678")
    assert contact.workspace == workspace


def test_the_same_email_in_another_case_finds_the_same_contact(workspace):
    first = find_or_create(workspace, email="Ada@Example.com")
    again = find_or_create(workspace, email="ada@EXAMPLE.com")

    assert again.pk == first.pk
    assert Contact.objects.count() == 1
    assert stored(again)[0] == "Ada@Example.com"  # the first spelling is kept


def test_the_same_email_in_another_workspace_is_another_contact(workspace):
    mine = find_or_create(workspace)
    theirs = find_or_create(WorkspaceFactory())

    assert mine.pk != theirs.pk
    assert Contact.objects.count() == 2


# --- Blank filling ----------------------------------------------------------------------------


def test_blank_name_and_phone_are_filled_by_a_later_booking(workspace):
    contact = find_or_create(workspace)

    find_or_create(workspace, name="Ada Lovelace", phone="+4915112345678")

    assert stored(contact) == ("ada@example.com", "Ada Lovelace", "+4915112345678")


def test_known_name_and_phone_are_never_overwritten(workspace):
    contact = find_or_create(workspace, name="Ada Lovelace", phone="+4915112345678")

    find_or_create(workspace, name="A. King", phone="+4917000000000")

    assert stored(contact) == ("ada@example.com", "Ada Lovelace", "+4915112345678")


def test_only_the_blank_field_is_filled(workspace):
    contact = find_or_create(workspace, name="Ada Lovelace")

    find_or_create(workspace, name="A. King", phone="+4915112345678")

    assert stored(contact) == ("ada@example.com", "Ada Lovelace", "+4915112345678")


def test_blank_details_do_not_erase_known_ones(workspace):
    contact = find_or_create(workspace, name="Ada Lovelace", phone="+4915112345678")

    find_or_create(workspace, name="", phone="")

    assert stored(contact) == ("ada@example.com", "Ada Lovelace", "+4915112345678")


def test_a_contact_edited_by_hand_keeps_the_edit(workspace):
    contact = find_or_create(workspace, name="Ada Lovelace")
    Contact.objects.filter(pk=contact.pk).update(name="Countess of Lovelace")

    returned = find_or_create(workspace, name="Ada Lovelace")

    assert returned.name == "Countess of Lovelace"
    assert stored(contact)[1] == "Countess of Lovelace"


# --- Deals and the default pipeline -----------------------------------------------------------


def test_a_deal_title_is_cut_to_200_characters(workspace):
    stage = StageFactory(pipeline__workspace=workspace)
    contact = find_or_create(workspace)

    deal = services.deal_create(
        workspace=workspace, contact=contact, stage=stage, title="x" * 250, value=Decimal("90")
    )

    deal.refresh_from_db()
    assert deal.title == "x" * 200
    assert deal.value == Decimal("90.00")
    assert (deal.contact, deal.stage) == (contact, stage)


def test_the_default_pipeline_is_created_once_with_its_stages_in_order(workspace):
    first = services.pipeline_ensure_default(workspace=workspace)
    again = services.pipeline_ensure_default(workspace=workspace)

    assert again.pk == first.pk
    assert Pipeline.objects.filter(workspace=workspace).count() == 1
    stages = Stage.objects.filter(pipeline=first).order_by("position")
    assert [s.name for s in stages] == list(services.DEFAULT_STAGES)


# --- Racing -----------------------------------------------------------------------------------


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_threads_racing_on_one_new_email_in_any_case_make_exactly_one_contact():
    workspace = WorkspaceFactory()
    barrier = threading.Barrier(THREADS)
    found: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def attempt(n: int) -> None:
        barrier.wait()
        try:
            email = "Racer@Example.com" if n % 2 else "racer@example.com"
            contact = find_or_create(workspace, email=email)
            with lock:
                found.append(contact.pk)
        except BaseException as exc:  # every thread must get the contact, none may fail
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    assert len(found) == THREADS
    [contact] = Contact.objects.filter(workspace=workspace)
    assert set(found) == {contact.pk}
