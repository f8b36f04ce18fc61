"""What the first visit to a booking page costs: the JS and CSS bytes that cross the wire, served
as production serves them (collectstatic's hashed and compressed files, through WhiteNoise, pages
compressed on the way out)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.test.testcases import LiveServerThread

from tests.browser.helpers import BROWSER_MARKS

pytestmark = BROWSER_MARKS
BUDGET = 60 * 1024  # JS+CSS transferred, a generous bound


@pytest.fixture
def production_static(tmp_path):
    """The site served over loopback by a server whose every request, static files included,
    goes through the middleware, from a fresh collectstatic."""
    compressed = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
    with override_settings(
        STATIC_ROOT=tmp_path / "static",
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": compressed,
        },
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
        MEDIA_URL="/media/",
        DEBUG=False,
    ):
        call_command("collectstatic", "--noinput", verbosity=0)
        server = LiveServerThread("127.0.0.1", static_handler=lambda app: app)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        try:
            yield f"http://127.0.0.1:{server.port}"
        finally:
            server.terminate()


def test_the_booking_page_sends_under_60_kb_of_js_and_css(
    production_static, page, link, frozen, settings
):
    # collectstatic wrote each file hashed and compressed, for WhiteNoise to send as it is.
    assert list(settings.STATIC_ROOT.glob("vendor/htmx.min.*.js.gz"))
    sizes: dict[str, int] = {}
    encodings: dict[str, str] = {}

    def count(response) -> None:
        if response.request.resource_type in ("script", "stylesheet"):
            url = response.url
            sizes.setdefault(url, response.request.sizes()["responseBodySize"])
            encodings.setdefault(url, response.headers.get("content-encoding", ""))

    page.on("response", count)
    document = page.goto(f"{production_static}{link.public_path}")
    page.wait_for_load_state("networkidle")

    total = sum(sizes.values())
    print(f"\n/book/<slug> JS+CSS transferred: {total / 1024:.1f} KB in {len(sizes)} files")
    assert len(sizes) >= 3  # htmx, the page's script, the stylesheet
    assert set(encodings.values()) == {"gzip"}, encodings
    assert total < BUDGET
    assert document is not None and document.headers.get("content-encoding") == "gzip"
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(f"{production_static}{icon}").ok
