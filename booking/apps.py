from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = "Booking"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from booking import answers, crm_pages, kinds, selectors
        from booking.automation import BookingProvider
        from booking.calendar_sync import calendar_tick
        from booking.models import Booking
        from booking.services.one_off import one_offs_expire
        from booking.services.payments import release_overdue
        from booking.services.polls import polls_expire
        from crm import hooks as crm_hooks
        from workestra import hooks
        from workflows import context, periodic
        from workflows import kinds as outbox_kinds

        outbox_kinds.register(*kinds.KINDS)
        periodic.register("calendar-sync", calendar_tick)
        periodic.register("one-off-expiry", one_offs_expire)
        periodic.register("poll-expiry", polls_expire)
        periodic.register("payment-holds", release_overdue)
        context.register("booking", BookingProvider())
        hooks.provide_hostless_lister(selectors.bookings_needing_new_host)
        crm_hooks.provide_booking_lister(crm_pages.crm_bookings)
        crm_hooks.provide_link_lister(crm_pages.member_links)
        crm_hooks.provide_contact_actions("booking", crm_pages.contact_actions)
        # However a booking goes (directly or with its workspace), its uploaded files go too.
        post_delete.connect(answers.on_booking_deleted, sender=Booking, dispatch_uid="answer-files")
