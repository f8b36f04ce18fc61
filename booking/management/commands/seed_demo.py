"""Create the demo workspace, host and ``intro`` link. Safe to run any number of times."""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from booking.models import BookingLink
from crm.services import pipeline_ensure_default
from workestra.models import Membership, User, Workspace

DEMO_EMAIL = "demo@workestra.test"
WEEKDAY_HOURS = {str(day): [["09:00", "17:00"]] for day in range(5)}


class Command(BaseCommand):
    help = "Seed a demo workspace with host demo@workestra.test and the live link /book/intro."

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("DEMO_PASSWORD") or "demo-" + secrets.token_urlsafe(6)
        with transaction.atomic():
            workspace, _ = Workspace.objects.get_or_create(
                slug="demo", defaults={"name": "Demo Company"}
            )
            host, _created = User.objects.get_or_create(
                email=DEMO_EMAIL, defaults={"name": "Dana Demo", "timezone": "Europe/Berlin"}
            )
            # Each run prints a fresh password that works, so nobody needs the old one.
            host.set_password(password)
            host.save()
            Membership.objects.get_or_create(
                workspace=workspace, user=host, defaults={"role": Membership.Role.OWNER}
            )
            pipeline = pipeline_ensure_default(workspace=workspace)
            link = BookingLink.objects.live().filter(slug="intro").first()
            if link is None:
                link = BookingLink.objects.create(
                    workspace=workspace,
                    owner=host,
                    title="30-minute intro call",
                    slug="intro",
                    description="A quick call to get to know each other.",
                    duration=30,
                    timezone="Europe/Berlin",
                    weekly_hours=WEEKDAY_HOURS,
                    create_deal=True,
                    deal_stage=pipeline.stages.order_by("position").first(),
                    allow_guests=True,
                    phone_mode=BookingLink.PhoneMode.OPTIONAL,
                )
        self.stdout.write(self.style.SUCCESS("Demo workspace ready."))
        self.stdout.write(f"  Host login:  {DEMO_EMAIL} / {password}")
        self.stdout.write(f"  Settings:    {settings.PUBLIC_BASE_URL}/settings/booking-links")
        self.stdout.write(f"  Public link: {link.public_url}")
