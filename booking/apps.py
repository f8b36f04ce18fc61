from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = "Booking"

    def ready(self) -> None:
        # Registers the outbox handlers for booking emails and the release of unverified holds.
        from booking import lifecycle, notifications  # noqa: F401
