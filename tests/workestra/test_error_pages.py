"""With DEBUG off (as served) a broken or unknown page shows the product's page, not Django's."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import path


def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [path("broken", broken)]


def test_an_unknown_address_shows_the_products_not_found_page(db):
    response = Client().get("/no-such-page")

    assert response.status_code == 404
    assert b"There is nothing at this address" in response.content
    assert b"Traceback" not in response.content


@pytest.mark.urls(__name__)
def test_a_crash_shows_the_products_error_page_without_details(db, settings):
    settings.DEBUG = False

    response = Client(raise_request_exception=False).get("/broken")

    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert b"a bug" not in response.content
    assert b"/static/css/app" in response.content
