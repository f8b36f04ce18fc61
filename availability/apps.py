from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class AvailabilityConfig(AppConfig):
    name = "availability"
    verbose_name = "Availability"

    def ready(self) -> None:
        from availability.models import ExternalBusy, Schedule, TimeOff
        from workestra.models import User

        # Single-row saves (the admin, factories) forget the host's cached busy time; bulk writes
        # and deletes call busy_cache.forget themselves, so deletes keep Django's fast path.
        for model in (TimeOff, ExternalBusy):
            post_save.connect(_forget_saved, sender=model, dispatch_uid=f"busy-{model.__name__}")
        # Any change to a schedule, or to a user's own hours or zone, retires cached schedules.
        post_save.connect(_forget_schedules, sender=Schedule, dispatch_uid="schedules-save")
        post_delete.connect(_forget_schedules, sender=Schedule, dispatch_uid="schedules-delete")
        post_save.connect(_forget_user_hours, sender=User, dispatch_uid="schedules-user")


def _forget_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    from availability.busy_cache import forget

    forget([instance.user_id])


def _forget_schedules(sender: Any, **kwargs: Any) -> None:
    from availability import schedule_cache

    schedule_cache.forget()


def _forget_user_hours(sender: Any, update_fields: Any = None, **kwargs: Any) -> None:
    from availability import schedule_cache

    if update_fields is None or schedule_cache.USER_FIELDS & set(update_fields):
        schedule_cache.forget()
