from django.contrib import admin

from booking.models import (
    Booking,
    BookingEvent,
    BookingLink,
    LinkHost,
    LinkPrice,
    OneOffHold,
    OneOffMeeting,
    OneOffTime,
    Payment,
    Poll,
    PollHold,
    PollTime,
    PollVote,
    Reservation,
    RoutingForm,
    RoutingResponse,
    RoutingRule,
    SingleUseLink,
)


class LinkHostInline(admin.TabularInline):
    model = LinkHost
    extra = 0
    raw_id_fields = ["user"]


@admin.register(BookingLink)
class BookingLinkAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "kind", "owner", "workspace", "is_active", "deleted_at"]
    list_filter = ["kind", "is_active", "workspace"]
    search_fields = ["title", "slug", "owner__email"]
    raw_id_fields = ["owner", "deal_stage"]
    inlines = [LinkHostInline]


class ReservationInline(admin.TabularInline):
    model = Reservation
    extra = 0
    raw_id_fields = ["host"]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "link", "host", "start", "status", "workspace"]
    list_filter = ["status", "workspace"]
    search_fields = ["name", "email", "reschedule_token"]
    date_hierarchy = "start"
    raw_id_fields = ["link", "host", "contact", "deal", "rescheduled_from"]
    readonly_fields = ["reschedule_token", "ical_uid", "created_at"]
    inlines = [ReservationInline]


@admin.register(Reservation)
class ReservationAdmin(admin.ModelAdmin):
    list_display = ["host", "blocked_start", "blocked_end", "active", "booking"]
    list_filter = ["active"]
    raw_id_fields = ["booking", "host"]


@admin.register(LinkHost)
class LinkHostAdmin(admin.ModelAdmin):
    list_display = ["user", "link", "weight", "priority", "always_attending"]
    list_filter = ["priority", "always_attending"]
    raw_id_fields = ["link", "user"]


@admin.register(BookingEvent)
class BookingEventAdmin(admin.ModelAdmin):
    list_display = ["booking", "kind", "at", "by", "actor"]
    list_filter = ["kind", "by"]
    raw_id_fields = ["booking", "actor"]
    date_hierarchy = "at"


class RoutingRuleInline(admin.TabularInline):
    model = RoutingRule
    extra = 0
    raw_id_fields = ["link"]


@admin.register(RoutingForm)
class RoutingFormAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "owner", "is_active", "created_at"]
    list_filter = ["is_active", "workspace"]
    search_fields = ["name", "public_id"]
    raw_id_fields = ["owner"]
    readonly_fields = ["public_id", "created_at", "updated_at"]
    inlines = [RoutingRuleInline]


@admin.register(RoutingResponse)
class RoutingResponseAdmin(admin.ModelAdmin):
    list_display = ["email", "form", "route_label", "owner_outcome", "booking", "created_at"]
    list_filter = ["owner_outcome", "destination"]
    search_fields = ["name", "email"]
    date_hierarchy = "created_at"
    raw_id_fields = ["form", "link", "booking", "preferred_host"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["form", "position", "label", "destination", "is_fallback"]
    list_filter = ["destination", "is_fallback"]
    raw_id_fields = ["form", "link"]


@admin.register(SingleUseLink)
class SingleUseLinkAdmin(admin.ModelAdmin):
    list_display = ["contact", "link", "expires_at", "consumed_at", "created_at"]
    list_filter = ["allow_forwarding"]
    search_fields = ["contact__email"]
    raw_id_fields = ["workspace", "link", "contact", "consumed_by_booking", "pending_booking"]
    raw_id_fields += ["created_by"]
    readonly_fields = ["token", "send_key", "created_at"]


class OneOffTimeInline(admin.TabularInline):
    model = OneOffTime
    extra = 0


@admin.register(OneOffMeeting)
class OneOffMeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "host", "invitee_email", "status", "expires_at", "created_at"]
    list_filter = ["status"]
    search_fields = ["title", "invitee_email"]
    raw_id_fields = ["workspace", "host", "link", "booking"]
    readonly_fields = ["token", "created_at", "closed_at"]
    inlines = [OneOffTimeInline]


@admin.register(OneOffTime)
class OneOffTimeAdmin(admin.ModelAdmin):
    list_display = ["meeting", "start", "end"]
    raw_id_fields = ["meeting"]


@admin.register(OneOffHold)
class OneOffHoldAdmin(admin.ModelAdmin):
    list_display = ["meeting", "host", "start", "end"]
    raw_id_fields = ["time", "meeting", "host"]


# Meeting polls (booking/poll_models.py).
class PollTimeInline(admin.TabularInline):
    model = PollTime
    extra = 0


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "status", "expires_at", "workspace"]
    list_filter = ["status", "workspace"]
    search_fields = ["title", "owner__email"]
    raw_id_fields = ["owner", "co_hosts", "link", "chosen", "booking"]
    readonly_fields = ["token", "created_at"]
    inlines = [PollTimeInline]


@admin.register(PollTime)
class PollTimeAdmin(admin.ModelAdmin):
    list_display = ["poll", "start", "end"]
    raw_id_fields = ["poll"]


@admin.register(PollVote)
class PollVoteAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "poll", "updated_at"]
    search_fields = ["name", "email"]
    raw_id_fields = ["poll"]


@admin.register(PollHold)
class PollHoldAdmin(admin.ModelAdmin):
    list_display = ["host", "start", "end", "expires_at", "released_at", "poll"]
    raw_id_fields = ["poll", "time", "host"]


@admin.register(LinkPrice)
class LinkPriceAdmin(admin.ModelAdmin):
    list_display = ["link", "amount", "currency", "refund_hours"]
    raw_id_fields = ["link"]


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["booking", "status", "amount", "currency", "refunded_amount", "created_at"]
    list_filter = ["status", "currency"]
    search_fields = ["checkout_session_id", "payment_intent_id"]
    raw_id_fields = ["workspace", "booking"]
    readonly_fields = ["checkout_session_id", "payment_intent_id", "created_at", "paid_at"]
