"""factory_boy factories for the tenant core, CRM, booking links and bookings."""

from __future__ import annotations

from datetime import datetime, timedelta

import factory
from django.utils import timezone

from availability.models import Schedule
from availability.services import schedule_default_ensure
from booking.models import Booking, BookingLink
from booking.services import Attendee, booking_create
from crm.models import Pipeline, Stage
from workestra.models import Membership, User, Workspace

WEEKDAYS_9_TO_5 = {str(day): [["09:00", "17:00"]] for day in range(5)}


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Workspace {n}")
    slug = factory.Sequence(lambda n: f"workspace-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Sequence(lambda n: f"User {n}")
    timezone = "Europe/Berlin"
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.OWNER


class PipelineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pipeline

    workspace = factory.SubFactory(WorkspaceFactory)
    name = "Sales"


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    pipeline = factory.SubFactory(PipelineFactory)
    workspace = factory.SelfAttribute("pipeline.workspace")
    name = factory.Sequence(lambda n: f"Stage {n}")


class LinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BookingLink

    workspace = factory.SubFactory(WorkspaceFactory)
    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Intro call {n}")
    slug = factory.Sequence(lambda n: f"intro-{n}")
    duration = 30
    timezone = "Europe/Berlin"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        weekly = kwargs.pop("weekly_hours", WEEKDAYS_9_TO_5)
        overrides = kwargs.pop("date_overrides", {})
        link = super()._create(model_class, *args, **kwargs)
        if link.schedule_id is None:
            link_hours_into_schedule(link, weekly, overrides)
        return link


def link_hours_into_schedule(link: BookingLink, weekly: dict, overrides: dict) -> None:
    """Give ``link`` the ``weekly`` hours and date ``overrides`` in its ``timezone``, the way the
    migration to schedules did: its owner's default when they are the same, else a schedule
    named after the link. The factory takes ``weekly_hours`` and ``date_overrides`` (columns
    links had before schedules) so tests read simply."""
    default = schedule_default_ensure(workspace=link.workspace, user=link.owner)
    same = (
        _days(weekly) == _days(default.weekly)
        and not overrides
        and link.timezone == default.timezone
    )
    if same and not link.is_team:
        return
    link.schedule = (
        default
        if same
        else Schedule.objects.create(
            workspace=link.workspace,
            owner=link.owner,
            name=link.title[:100],
            timezone=link.timezone,
            weekly=_days(weekly),
            overrides=dict(overrides),
        )
    )
    link.save(update_fields=["schedule"])


def _days(hours: dict) -> dict:
    return {str(day): windows for day, windows in hours.items() if windows}


class BookingFactory(factory.django.DjangoModelFactory):
    """A booking row written straight to the table, two days from now on the link's owner.

    No host reservation, CRM contact or outbox rows: for tests that need a booking to exist and
    test something else. :meth:`through_service` (the ``booked`` fixture) books the real way.
    """

    class Meta:
        model = Booking

    link = factory.SubFactory(LinkFactory)
    workspace = factory.SelfAttribute("link.workspace")
    host = factory.SelfAttribute("link.owner")
    start = factory.LazyFunction(lambda: timezone.now() + timedelta(days=2))
    end = factory.LazyAttribute(lambda booking: booking.start + timedelta(minutes=30))
    timezone = "Europe/Berlin"
    name = "Ada Attendee"
    email = "ada@example.com"
    ical_uid = factory.Sequence(lambda n: f"booking-{n}@workestra.test")

    @staticmethod
    def through_service(
        link: BookingLink,
        start: datetime,
        *,
        now: datetime | None = None,
        duration: int | None = None,
        guest: str = "",
        **who,
    ) -> Booking:
        """Book ``start`` on ``link`` through ``booking_create``, with every side effect.

        ``who`` overrides the attendee (Alice Attendee, alice@example.com, Europe/Berlin): name,
        email, timezone, phone, guests, answers or utm; ``guest="mo"`` is short for Mo,
        mo@example.com.
        """
        fields = {
            "name": "Alice Attendee",
            "email": "alice@example.com",
            "timezone": "Europe/Berlin",
        }
        if guest:
            fields |= {"name": guest.title(), "email": f"{guest}@example.com"}
        attendee = Attendee(**(fields | who))
        return booking_create(link=link, start=start, attendee=attendee, duration=duration, now=now)
