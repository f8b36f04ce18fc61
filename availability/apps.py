from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_save


class AvailabilityConfig(AppConfig):
    name = "availability"
    verbose_name = "Availability"

    def ready(self) -> None:
        from availability.models import ExternalBusy, TimeOff

        # Single-row saves (the admin, factories) forget the host's cached busy time; bulk writes
        # and deletes call busy_cache.forget themselves, so deletes keep Django's fast path.
        for model in (TimeOff, ExternalBusy):
            post_save.connect(_forget_saved, sender=model, dispatch_uid=f"busy-{model.__name__}")


def _forget_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    from availability.busy_cache import forget

    forget([instance.user_id])
