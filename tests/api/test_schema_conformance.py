"""The OpenAPI schema tells the truth: schemathesis drives every operation of the real app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import hypothesis
import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from schemathesis.core.parameters import ParameterLocation

from booking import services, verification
from booking.models import Booking
from tests.booking.helpers import attendee, utc
from tests.conftest import login
from tests.factories import LinkFactory

# A well-formed request can still be refused by the state it meets: a range or zone the slots
# endpoints do not serve (400), a start that is not an offered slot (422), a wrong or expired
# code (422, 410). The schema documents each; it cannot say in advance which state applies.
REFUSED_BY_STATE = {
    "/public/links/{slug}/slots": ["400"],
    "/links/{link_id}/slots": ["400"],
    "/public/links/{slug}/bookings": ["422"],
    "/public/bookings/{token}/verify": ["410", "422"],
    "/public/bookings/{token}/resend-code": ["410"],
}
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429"]  # schemathesis' own list

config = schemathesis.Config.from_dict(
    {
        "generation": {"mode": "all", "max-examples": 25, "deterministic": True},
        "operations": [
            {
                "include-path": f"/api/v1{path}",
                "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED + statuses}},
            }
            for path, statuses in REFUSED_BY_STATE.items()
        ],
    }
)
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", get_wsgi_application(), config=config
)


@dataclass(frozen=True)
class Seeded:
    path_parameters: dict[str, object]
    cookies: dict[str, str]


@pytest.fixture
def _wsgi_keeps_the_test_connection():
    """Django closes the connection at the end of each request; the test transaction needs it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(frozen, settings, link, owner, workspace, _wsgi_keeps_the_test_connection):
    """The data the schema's examples name: the live link ``intro``, a booking that waits for
    the code ``123456`` (sent two minutes ago, so one resend is due), a signed-in host."""
    # Every generated request should reach the booking rules, not the limiter (429 is declared
    # and has its own tests).
    settings.RATELIMIT_BOOKINGS_PER_MINUTE = settings.RATELIMIT_TOKENS_PER_MINUTE = 10_000
    checked = LinkFactory(
        workspace=workspace, owner=owner, slug="checked", require_email_verification=True
    )
    frozen.shift(-timedelta(minutes=2))
    pending = services.booking_create(link=checked, start=utc(2026, 11, 24, 9), attendee=attendee())
    frozen.shift(timedelta(minutes=2))
    assert pending.status == Booking.Status.PENDING_VERIFICATION
    pending.verification_code_hash = verification.code_hash(pending.pk, "123456")
    pending.save(update_fields=["verification_code_hash"])
    session = login(owner).cookies[django_settings.SESSION_COOKIE_NAME].value
    return Seeded(
        path_parameters={"slug": link.slug, "link_id": link.pk, "token": pending.reschedule_token},
        cookies={django_settings.SESSION_COOKIE_NAME: session},
    )


@schema.parametrize()
@hypothesis.settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_operation_answers_as_its_schema_says(case, seeded):
    # Well-formed requests of the examples and fuzzing phases go to the seeded link and booking;
    # the coverage phase keeps the paths it generated, so unknown slugs, ids and tokens are
    # asked for too (404), and so do malformed requests, which must be refused on their own.
    meta = case.meta
    if meta.generation.mode.is_positive and meta.phase.name != "coverage":
        case.path_parameters = {
            name: seeded.path_parameters.get(name, value)
            for name, value in (case.path_parameters or {}).items()
        }
    # The WSGI client hands over the body as sent; ask for it uncompressed, as the schema
    # describes it (browsers and HTTP clients undo the gzip the app applies for them).
    # A case made to lack the session cookie is sent without it: a host operation with no path
    # to miss (a list) must then answer 401, not be signed in behind the generator's back.
    cookies = {} if meta.is_negative_at(ParameterLocation.COOKIE) else seeded.cookies
    case.call_and_validate(cookies=cookies, headers={"Accept-Encoding": "identity"})
