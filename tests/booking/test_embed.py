"""Embedding a link on another site: framing per link, cookieless forms with a signed token, the
Origin check, the allowed-sites setting and CORS for the public API."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client

from booking import embed
from booking.models import Booking
from tests.booking.otp_helpers import latest_code
from tests.factories import LinkFactory

SITE = "https://shop.example"
FORM = {
    "start": "2026-11-25T10:00:00+01:00",
    "duration": "30",
    "timezone": "Europe/Berlin",
    "name": "Alice Attendee",
    "email": "alice@example.com",
}
EXPIRED = "This form has expired. Reload the page and try again."
NOT_ALLOWED = "This site may not send bookings to this link."


@pytest.fixture
def browser():
    """A browser in a cross-site iframe: third-party cookies blocked, so no CSRF cookie."""
    return Client(enforce_csrf_checks=True)


def embed_path(link, origin: str = SITE, extra: str = "") -> str:
    return f"{link.public_path}?embed=1&embed_origin={origin}{extra}"


def form_token(body: str) -> str:
    found = re.search(r'name="embed_token" value="([^"]+)"', body)
    assert found, "the embedded form carries no token"
    return html.unescape(found.group(1))


def page_token(client: Client, link, origin: str = SITE) -> str:
    body = client.get(embed_path(link, origin, "&slot=2026-11-25T10:00:00%2B01:00")).content
    return form_token(body.decode())


def post_booking(client: Client, link, token: str, origin: str = SITE, **headers):
    return client.post(embed_path(link, origin), {**FORM, "embed_token": token}, headers=headers)


# --- framing -----------------------------------------------------------------------------------


def test_the_product_refuses_to_be_framed(client, owner_client, link, frozen):
    for response in (client.get(link.public_path), owner_client.get("/settings/booking-links")):
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"


def test_an_embedded_page_may_be_framed_by_any_site_when_the_link_lists_none(client, link, frozen):
    response = client.get(embed_path(link))
    assert response.status_code == 200
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert not response.has_header("X-Frame-Options")


def test_an_embedded_page_may_be_framed_only_by_the_links_sites(client, link, frozen):
    link.embed_origins = [SITE, "https://blog.example:8443"]
    link.save()
    for path in (embed_path(link), embed_path(link, "https://evil.example")):
        policy = client.get(path)["Content-Security-Policy"]
        assert "frame-ancestors https://shop.example https://blog.example:8443" in policy
    other = LinkFactory(workspace=link.workspace, owner=link.owner, slug="other")
    assert "frame-ancestors *" in client.get(embed_path(other))["Content-Security-Policy"]


def test_messages_go_only_to_an_allowed_parent(client, link, frozen):
    link.embed_origins = [SITE]
    link.save()
    allowed = client.get(embed_path(link)).content.decode()
    assert f'data-parent-origin="{SITE}"' in allowed
    refused = client.get(embed_path(link, "https://evil.example")).content.decode()
    assert "embed-child.js" not in refused
    assert "embed-child.js" not in client.get(link.public_path).content.decode()


# --- cookieless booking ------------------------------------------------------------------------


def test_an_embedded_booking_needs_no_cookie_and_stays_embedded(browser, link, frozen):
    response = post_booking(browser, link, page_token(browser, link))

    assert response.status_code == 302
    assert (
        f"embed=1&embed_origin={SITE.replace(':', '%3A').replace('/', '%2F')}"
        in response["Location"]
    )
    booking = Booking.objects.get()
    page = browser.get(response["Location"])
    body = page.content.decode()
    assert "You're booked" in body
    assert f'data-booking-id="{booking.pk}"' in body and 'data-booking-status="confirmed"' in body
    assert "frame-ancestors *" in page["Content-Security-Policy"]


def test_the_normal_page_still_needs_its_csrf_cookie(browser, link, frozen):
    response = browser.post(link.public_path, FORM)
    assert response.status_code == 403
    assert not Booking.objects.exists()


def test_a_form_token_is_good_once(browser, link, frozen):
    token = page_token(browser, link)
    assert post_booking(browser, link, token).status_code == 302

    again = post_booking(browser, link, token)

    assert again.status_code == 403
    assert "This form was already sent. Reload the page to book again." in again.content.decode()
    assert Booking.objects.count() == 1


def test_an_expired_token_is_refused(browser, link, frozen):
    token = page_token(browser, link)
    frozen.shift(timedelta(seconds=embed.TOKEN_MAX_AGE + 1))
    response = post_booking(browser, link, token)
    assert response.status_code == 403 and EXPIRED in response.content.decode()
    assert "frame-ancestors *" in response["Content-Security-Policy"]  # shown in the iframe
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not-a-token",
        signing.dumps({"l": 1, "o": SITE, "n": "x"}, salt="another.salt"),
        signing.dumps({"l": 1, "o": SITE, "n": "x"}, key="a-guessed-secret", salt=embed.TOKEN_SALT),
    ],
)
def test_a_missing_or_forged_token_is_refused(browser, link, frozen, token):
    response = post_booking(browser, link, token)
    assert response.status_code == 403 and EXPIRED in response.content.decode()
    assert not Booking.objects.exists()


def test_a_token_for_another_link_is_refused(browser, link, frozen):
    other = LinkFactory(workspace=link.workspace, owner=link.owner, slug="other")
    response = post_booking(browser, link, embed.make_token(other, SITE))
    assert response.status_code == 403 and EXPIRED in response.content.decode()


# --- the Origin check --------------------------------------------------------------------------


def test_posts_from_our_own_page_or_an_allowed_site_pass(browser, link, frozen):
    link.embed_origins = [SITE]
    link.save()
    own = post_booking(browser, link, page_token(browser, link), Origin="http://testserver")
    assert own.status_code == 302
    Booking.objects.all().delete()
    direct = post_booking(browser, link, page_token(browser, link), Origin=SITE)
    assert direct.status_code == 302


def test_a_post_from_another_site_is_refused(browser, link, frozen):
    link.embed_origins = [SITE]
    link.save()
    response = post_booking(browser, link, page_token(browser, link), Origin="https://evil.example")
    assert response.status_code == 403 and NOT_ALLOWED in response.content.decode()
    assert not Booking.objects.exists()


def test_a_token_bound_to_a_site_no_longer_allowed_is_refused(browser, link, frozen):
    token = page_token(browser, link, "https://evil.example")  # any site while the list is empty
    link.embed_origins = [SITE]
    link.save()
    response = post_booking(browser, link, token, "https://evil.example")
    assert response.status_code == 403 and NOT_ALLOWED in response.content.decode()
    assert not Booking.objects.exists()


# --- email verification inside the iframe -------------------------------------------------------


def test_the_code_step_works_without_cookies(browser, link, frozen):
    link.require_email_verification = True
    link.save()
    landing = post_booking(browser, link, page_token(browser, link))["Location"]
    assert "/book/verify/" in landing and "embed=1" in landing
    page = browser.get(landing)
    assert "frame-ancestors *" in page["Content-Security-Policy"]
    body = page.content.decode()
    assert 'data-booking-status="pending_verification"' in body

    response = browser.post(landing, {"code": latest_code(), "embed_token": form_token(body)})

    assert response.status_code == 302 and "embed=1" in response["Location"]
    assert Booking.objects.get().status == Booking.Status.CONFIRMED
    assert 'data-booking-status="confirmed"' in browser.get(response["Location"]).content.decode()


# --- the allowed sites -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "origin"),
    [
        ("https://shop.example", "https://shop.example"),
        ("HTTPS://Shop.Example:443/", "https://shop.example"),
        ("https://shop.example:8443", "https://shop.example:8443"),
        ("http://localhost:8000", "http://localhost:8000"),
        ("http://127.0.0.1:5173", "http://127.0.0.1:5173"),
        ("http://app.localhost", "http://app.localhost"),
    ],
)
def test_origins_are_normalized(value, origin):
    assert embed.clean_origins(value) == [origin]


@pytest.mark.parametrize(
    "value",
    [
        "http://shop.example",  # plain http away from localhost
        "https://shop.example; script-src *",
        "https://*.example.com",
        "*",
        "'none'",
        "'self'",
        "javascript:alert(1)",
        "data:text/html,x",
        "https://user@shop.example",
        "https://shop.example/path",
        "https://shop.example?x=1",
        "https://shop.example:99999",
        "https://-shop.example",
        "shop.example",
        "ftp://shop.example",
        "https://shop.exa\u200bmple",
    ],
)
def test_hostile_origins_are_refused(value):
    with pytest.raises(embed.ValidationError):
        embed.clean_origins(value)


def test_the_editor_saves_the_allowed_sites(owner_client, link):
    page = owner_client.get(f"/settings/booking-links/{link.pk}").content.decode()
    assert "Share &amp; Embed" in page and "data-workestra-inline" in page

    response = owner_client.post(
        f"/settings/booking-links/{link.pk}/embed",
        {"embed_origins": "https://shop.example\nhttps://shop.example/\nhttp://localhost:3000"},
    )

    assert response.status_code == 302
    link.refresh_from_db()
    assert link.embed_origins == ["https://shop.example", "http://localhost:3000"]


def test_bad_sites_are_named_and_nothing_changes(owner_client, link):
    link.embed_origins = [SITE]
    link.save()
    response = owner_client.post(
        f"/settings/booking-links/{link.pk}/embed",
        {"embed_origins": "https://ok.example\nhttps://evil.example; script-src *"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "is not a site origin" in body and 'aria-invalid="true"' in body
    link.refresh_from_db()
    assert link.embed_origins == [SITE]


def test_at_most_fifty_sites(owner_client, link):
    many = "\n".join(f"https://s{i}.example" for i in range(51))
    response = owner_client.post(
        f"/settings/booking-links/{link.pk}/embed", {"embed_origins": many}
    )
    assert response.status_code == 400 and "at most 50" in response.content.decode()


def test_another_workspaces_link_is_not_found(outsider_client, link):
    response = outsider_client.post(
        f"/settings/booking-links/{link.pk}/embed", {"embed_origins": SITE}
    )
    assert response.status_code == 404


def test_the_embed_script_has_a_stable_address(client):
    response = client.get("/embed.js")
    assert response.status_code == 302 and response["Location"].endswith("embed/v1/embed.js")


# --- CORS for the public API -------------------------------------------------------------------


def test_an_allowed_site_may_read_the_public_api(client, link, frozen):
    link.embed_origins = [SITE]
    link.save()
    response = client.get("/api/v1/public/links/intro", headers={"Origin": SITE})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == SITE
    assert "Origin" in response["Vary"]
    assert not response.has_header("Access-Control-Allow-Credentials")


def test_another_site_gets_no_cors_headers(client, link, frozen):
    link.embed_origins = [SITE]
    link.save()
    response = client.get("/api/v1/public/links/intro", headers={"Origin": "https://evil.example"})
    assert not response.has_header("Access-Control-Allow-Origin")
    assert "Origin" in response["Vary"]


def test_a_link_without_sites_allows_any_site(client, link, frozen):
    response = client.get("/api/v1/public/links/intro", headers={"Origin": "https://any.example"})
    assert response["Access-Control-Allow-Origin"] == "https://any.example"


def test_a_preflight_for_an_allowed_site_is_answered(client, link):
    link.embed_origins = [SITE]
    link.save()
    headers = {"Origin": SITE, "Access-Control-Request-Method": "POST"}
    response = client.options("/api/v1/public/links/intro/bookings", headers=headers)
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == SITE
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "Content-Type" in response["Access-Control-Allow-Headers"]

    headers["Origin"] = "https://evil.example"
    refused = client.options("/api/v1/public/links/intro/bookings", headers=headers)
    assert not refused.has_header("Access-Control-Allow-Origin")
    assert not refused.has_header("Access-Control-Allow-Methods")


def test_host_api_gets_no_cors_headers(client, link):
    response = client.get("/api/v1/links", headers={"Origin": SITE})
    assert not response.has_header("Access-Control-Allow-Origin")


def test_our_public_address_counts_as_our_own_page_behind_a_proxy(browser, link, frozen, settings):
    settings.PUBLIC_BASE_URL = "https://book.acme.test"
    token = page_token(browser, link)
    response = post_booking(browser, link, token, Origin="https://book.acme.test")
    assert response.status_code == 302


def test_the_links_redirect_is_not_followed_inside_the_frame(browser, link, frozen):
    link.redirect_url = "https://shop.example/thanks"
    link.save()
    response = post_booking(browser, link, page_token(browser, link))
    assert response.status_code == 302
    assert response["Location"].startswith(f"{link.public_path}/booked/")
    body = browser.get(response["Location"]).content.decode()
    assert 'data-booking-status="confirmed"' in body


def test_an_instant_meeting_can_be_booked_inside_the_frame(browser, link, frozen):
    instant = LinkFactory(
        workspace=link.workspace, owner=link.owner, kind="instant", title="Urgent", slug="now"
    )
    page = browser.get(f"/book/now?embed=1&embed_origin={SITE}").content.decode()
    data = {"name": "Ivy", "email": "ivy@example.com", "timezone": "UTC"}
    response = browser.post(
        f"/book/now?embed=1&embed_origin={SITE}", {**data, "embed_token": form_token(page)}
    )
    assert response.status_code == 302 and "embed=1" in response["Location"]
    assert Booking.objects.get().link == instant


def test_a_link_with_sites_needs_to_know_the_embedding_site(browser, link, frozen):
    link.embed_origins = [SITE]
    link.save()
    page = browser.get(f"{link.public_path}?embed=1&slot=2026-11-25T10:00:00%2B01:00")
    response = browser.post(
        f"{link.public_path}?embed=1", {**FORM, "embed_token": form_token(page.content.decode())}
    )
    assert response.status_code == 403 and NOT_ALLOWED in response.content.decode()
