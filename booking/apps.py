from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = "Booking"

    def ready(self) -> None:
        # Registers the outbox handlers for booking emails, the release of unverified holds, the
        # reconfirmation deadline and the retry of the CRM contact and deal.
        from booking import crm_records, notifications, services  # noqa: F401
