"""factory_boy factories for the tenant core, CRM and booking links."""

from __future__ import annotations

import factory

from booking.models import BookingLink
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
    weekly_hours = factory.LazyFunction(lambda: dict(WEEKDAYS_9_TO_5))
