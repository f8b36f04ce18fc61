"""The outbox kinds booking owns: one declaration each, registered from ``BookingConfig.ready()``."""

from __future__ import annotations

from workflows.kinds import Kind

CONFIRMATION = Kind(
    "booking.confirmation",
    handler="booking.notifications.send_confirmation",
    title="Confirmation email to the attendee",
    is_email=True,
)
HOST_NOTIFICATION = Kind(
    "booking.host_notification",
    handler="booking.notifications.send_host_notification",
    title="New-booking email to the host",
    is_email=True,
)
REMINDER = Kind(
    "booking.reminder",
    handler="booking.notifications.send_reminder",
    title="Reminder email to the attendee, 24 hours before",
    is_email=True,
)
CANCELLATION = Kind(
    "booking.cancellation",
    handler="booking.notifications.send_cancellation",
    title="Cancellation email to the {audience}",
    is_email=True,
)
RESCHEDULED = Kind(
    "booking.rescheduled",
    handler="booking.notifications.send_rescheduled",
    title="New-time email to the {audience}",
    is_email=True,
)
VERIFICATION_CODE = Kind(
    "booking.verification_code",
    handler="booking.notifications.send_verification_code",
    title="Verification code email to the attendee",
    is_email=True,
)
VERIFICATION_RELEASE = Kind(
    "booking.verification_release",
    handler="booking.services.verify.release_when_expired",
    title="Release of the held time if the email is not verified",
)
CRM_RECORDS = Kind(
    "booking.crm_records",
    handler="booking.crm_records.retry_crm_records",
    title="CRM contact and deal",
)
RECONFIRM_DEADLINE = Kind(
    "booking.reconfirm_deadline",
    handler="booking.services.cancel.reconfirm_deadline",
    title="Cancellation if the attendee has not reconfirmed by then",
)
NOT_RECONFIRMED = Kind(
    "booking.not_reconfirmed",
    handler="booking.notifications.send_not_reconfirmed",
    title="Not-reconfirmed cancellation email to the attendee",
    is_email=True,
)
NEW_TIME_REQUEST = Kind(
    "booking.new_time_request",
    handler="booking.notifications.send_new_time_request",
    title="Please-pick-a-new-time email to the attendee",
    is_email=True,
)
PAYMENT_REFUND = Kind(
    "booking.payment_refund",
    handler="booking.services.payments.send_refund",
    title="Refund to the attendee through Stripe",
)

CALENDAR_EVENT = Kind(
    "booking.calendar_event",
    handler="booking.calendar_events.write_event",
    title="Event in the host's calendar",
)
CALENDAR_CHANGE = Kind(
    "booking.calendar_change",
    handler="booking.calendar_sync.apply_change",
    title="Change the host made in their calendar",
)
CONFERENCE = Kind(
    "booking.conference",
    handler="booking.conference.sync_conference",
    title="Video meeting (Zoom, Webex or GoTo Meeting)",
)
CALENDAR_SYNC = Kind(
    "calendar.sync", handler="booking.calendar_sync.run_sync", title="Calendar sync"
)
CALENDAR_WATCH = Kind(
    "calendar.watch",
    handler="booking.calendar_sync.renew_watch",
    title="Calendar change notifications renewed",
)
ONE_OFF_HOLD = Kind(
    "booking.one_off_hold",
    handler="booking.one_off_events.write_hold",
    title="Placeholder of an offered one-off time in the host's calendar",
)
POLL_INVITATION = Kind(
    "booking.poll_invitation",
    handler="booking.poll_emails.send_invitation",
    title="Meeting poll invitation",
    is_email=True,
)
POLL_RESULT = Kind(
    "booking.poll_result",
    handler="booking.poll_emails.send_result",
    title="Meeting poll result to a voter",
    is_email=True,
)

#: The rows a pending verification schedules; both close once the email is verified.
VERIFICATION_KINDS = (VERIFICATION_CODE, VERIFICATION_RELEASE)

KINDS = (
    CONFIRMATION,
    HOST_NOTIFICATION,
    REMINDER,
    CANCELLATION,
    RESCHEDULED,
    VERIFICATION_CODE,
    VERIFICATION_RELEASE,
    CRM_RECORDS,
    RECONFIRM_DEADLINE,
    NOT_RECONFIRMED,
    NEW_TIME_REQUEST,
    PAYMENT_REFUND,
    CALENDAR_EVENT,
    CONFERENCE,
    CALENDAR_CHANGE,
    CALENDAR_SYNC,
    CALENDAR_WATCH,
    ONE_OFF_HOLD,
    POLL_INVITATION,
    POLL_RESULT,
)
