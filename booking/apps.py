from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = "Booking"

    def ready(self) -> None:
        # Registers the outbox handlers for booking emails, the release of unverified holds and
        # the retry of the CRM contact and deal.
        from booking import crm_records, lifecycle, notifications  # noqa: F401
