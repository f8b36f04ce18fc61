from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = "Booking"

    def ready(self) -> None:
        from booking import kinds, selectors
        from booking.automation import BookingProvider
        from booking.calendar_sync import calendar_tick
        from workestra import hooks
        from workflows import context, periodic
        from workflows import kinds as outbox_kinds

        outbox_kinds.register(*kinds.KINDS)
        periodic.register("calendar-sync", calendar_tick)
        context.register("booking", BookingProvider())
        hooks.provide_hostless_lister(selectors.bookings_needing_new_host)
