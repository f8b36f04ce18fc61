from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = "Booking"

    def ready(self) -> None:
        # Registers the outbox handlers for booking emails.
        from booking import notifications  # noqa: F401
