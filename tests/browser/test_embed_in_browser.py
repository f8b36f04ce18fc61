"""A marketing page on another site embeds a booking link with /embed.js: the visitor books
inside the iframe with third-party cookies blocked, and the page hears what happened."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from booking.models import Booking
from tests.browser.axe import assert_accessible
from tests.browser.helpers import BROWSER_MARKS, CHROMIUM

pytestmark = BROWSER_MARKS

EVENTS = ("page_height", "date_selected", "slot_selected", "booking_created", "error")


class ParentSite:
    """A second local origin (127.0.0.1, while the app runs on localhost) serving one page."""

    def __init__(self) -> None:
        self.html = ""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = site.html.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def page(self, app: str, body: str) -> str:
        """The page: the app's script, ``body``, and a record of every event in window.events."""
        listen = json.dumps(list(EVENTS))
        self.html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Acme shop</title></head><body><main><h1>Acme shop</h1>{body}</main>
<script>window.events = [];
{listen}.forEach(function (t) {{ document.addEventListener("workestra:" + t, function (e) {{
  window.events.push({{type: t, payload: e.detail}}); }}); }});</script>
<script src="{app}/embed.js"></script></body></html>"""
        return self.origin + "/"


@pytest.fixture
def parent_site() -> Iterator[ParentSite]:
    site = ParentSite()
    yield site
    site.server.shutdown()


@pytest.fixture
def cookieless_page():
    """Chromium blocking third-party cookies, as more and more browsers do."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--test-third-party-cookie-phaseout"],
        )
        context = browser.new_context(timezone_id="Europe/Berlin", locale="en-US")
        yield context.new_page()
        context.close()
        browser.close()


def events_of(page, kind: str) -> list[dict]:
    return [e["payload"] for e in page.evaluate("window.events") if e["type"] == kind]


def book_in_frame(frame) -> None:
    frame.wait_for_url("**tz=**")  # the first swap, to the browser's zone, has landed
    day = frame.locator("a.day").first
    date = day.get_attribute("data-date")
    day.click()
    frame.wait_for_url(f"**date={date}**")
    frame.locator("a.slot").first.click()
    frame.wait_for_url("**slot=**")
    frame.wait_for_selector("#booking-form")
    frame.locator("button.primary").click()


def test_a_visitor_books_inside_another_sites_page_without_cookies(
    live_server, cookieless_page, parent_site, link, settings, frozen
):
    settings.PUBLIC_BASE_URL = live_server.url
    page = cookieless_page
    url = parent_site.page(
        live_server.url,
        f"""<div id="booking"></div><script>window.addEventListener("load", function () {{
  Workestra.inline({{url: "{live_server.url}{link.public_path}", parent: "#booking",
    prefill: {{name: "Ada Lovelace", email: "ada@example.com"}}}});
}});</script>""",
    )
    link.embed_origins = [parent_site.origin]
    link.save()
    posts: list[dict[str, str]] = []
    page.on("request", lambda r: posts.append(r.headers) if r.method == "POST" else None)

    page.goto(url + "?utm_source=newsletter&utm_campaign=winter")
    frame = page.frame_locator("#booking iframe")
    frame.locator("h1").wait_for()
    child = next(f for f in page.frames if f.url.startswith(live_server.url))
    assert page.locator("#booking iframe").get_attribute("title") == "Book a meeting"
    assert_accessible_frame(child)
    book_in_frame(child)

    page.wait_for_function("window.events.some(e => e.type === 'booking_created')")
    booking = Booking.objects.get()
    assert (booking.name, booking.email) == ("Ada Lovelace", "ada@example.com")
    assert booking.utm == {"utm_source": "newsletter", "utm_campaign": "winter"}
    assert posts and all("csrftoken" not in h.get("cookie", "") for h in posts)
    created = events_of(page, "booking_created")
    assert created == [
        {
            "booking_id": booking.pk,
            "start": booking.start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "end": booking.end.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "status": "confirmed",
        }
    ]
    assert events_of(page, "slot_selected")[-1]["start"] == created[0]["start"]
    assert events_of(page, "date_selected")
    heights = events_of(page, "page_height")
    content = child.evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)")
    assert heights[-1]["height"] == content  # the frame fits the confirmation, no inner scroll
    assert (
        heights
        and page.locator("#booking iframe").evaluate("f => f.offsetHeight")
        == (heights[-1]["height"])
    )


def test_a_site_not_on_the_list_cannot_frame_the_link(
    live_server, cookieless_page, parent_site, link, settings, frozen
):
    settings.PUBLIC_BASE_URL = live_server.url
    link.embed_origins = ["https://shop.example"]
    link.save()
    page = cookieless_page
    url = parent_site.page(
        live_server.url, f'<div data-workestra-inline="{live_server.url}{link.public_path}"></div>'
    )
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "frame-ancestors" in m.text else None)

    page.goto(url)
    page.locator("iframe").wait_for()
    page.wait_for_timeout(1500)

    assert refused, "Chromium did not report refusing the frame"
    assert page.evaluate("window.events") == []
    child = [f for f in page.frames if f.url.startswith(live_server.url)]
    assert not child or child[0].locator("h1").count() == 0


def assert_accessible_frame(frame) -> None:
    """axe-core on the embedded page itself."""
    assert_accessible(frame)


def test_the_popup_opens_a_modal_that_escape_closes(
    live_server, cookieless_page, parent_site, link, settings, frozen
):
    settings.PUBLIC_BASE_URL = live_server.url
    page = cookieless_page
    target = f"{live_server.url}{link.public_path}"
    page.goto(
        parent_site.page(live_server.url, f'<a href="{target}" data-workestra-popup>Book</a>')
    )

    page.get_by_role("link", name="Book").click()
    dialog = page.get_by_role("dialog", name="Book a meeting")
    dialog.wait_for()
    assert page.evaluate("document.activeElement.textContent") == "Close"
    page.wait_for_function("window.events.some(e => e.type === 'page_height')")
    assert page.url == parent_site.origin + "/"  # the visitor never left the page

    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    assert page.evaluate("document.activeElement.textContent") == "Book"
