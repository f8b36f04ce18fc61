from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = "Booking"

    def ready(self) -> None:
        from booking import kinds
        from booking.automation import BookingProvider
        from workflows import context
        from workflows import kinds as outbox_kinds

        outbox_kinds.register(*kinds.KINDS)
        context.register("booking", BookingProvider())
