"""Create the demo workspace, host and ``intro`` link. Safe to run any number of times."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from availability.services import schedule_default_ensure
from booking.models import BookingLink
from crm.services import pipeline_ensure_default
from workestra.models import Membership, User, Workspace
from workestra.serving import stored_secret

DEMO_EMAIL = "demo@workestra.test"


def demo_password(password_file: Path) -> tuple[str, str]:
    """The password and where it comes from: DEMO_PASSWORD, else one made once and kept."""
    chosen = os.environ.get("DEMO_PASSWORD", "").strip()
    if chosen:
        return chosen, "DEMO_PASSWORD"
    made = stored_secret(password_file, make=lambda: "demo-" + secrets.token_urlsafe(12))
    return made, f"kept in {password_file.name}"


class Command(BaseCommand):
    help = "Seed a demo workspace with host demo@workestra.test and the live link /book/intro."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password-file",
            type=Path,
            default=settings.BASE_DIR / ".demo_password",
            help="Where the demo password made on the first run is kept (default .demo_password).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password, source = demo_password(options["password_file"])
        with transaction.atomic():
            workspace, _ = Workspace.objects.get_or_create(
                slug="demo", defaults={"name": "Demo Company"}
            )
            host, _created = User.objects.get_or_create(
                email=DEMO_EMAIL, defaults={"name": "Dana Demo", "timezone": "Europe/Berlin"}
            )
            # The printed login always works: the same password every start, and a new one
            # (DEMO_PASSWORD, a lost .demo_password) takes over. The demo host runs the admin too.
            if not host.check_password(password):
                host.set_password(password)
            host.is_staff = host.is_superuser = True
            host.save()
            Membership.objects.get_or_create(
                workspace=workspace, user=host, defaults={"role": Membership.Role.OWNER}
            )
            schedule_default_ensure(workspace=workspace, user=host)
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
                    create_deal=True,
                    deal_stage=pipeline.stages.order_by("position").first(),
                    allow_guests=True,
                    phone_mode=BookingLink.PhoneMode.OPTIONAL,
                )
        base = settings.PUBLIC_BASE_URL
        self.stdout.write(self.style.SUCCESS("Demo workspace ready."))
        self.stdout.write(f"  Sign in:     {base}/login")
        self.stdout.write(f"  Host login:  {DEMO_EMAIL} / {password}  ({source})")
        self.stdout.write(f"  Admin:       {base}/admin/ (same login)")
        self.stdout.write(f"  Settings:    {base}/settings/booking-links")
        self.stdout.write(f"  Public link: {link.public_url}")
