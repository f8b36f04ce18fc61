from django.urls import path

from booking.views import (
    analytics,
    calendar,
    confirmation,
    dashboard,
    links,
    manage,
    onboarding,
    public,
    schedules,
    teams,
    time_off,
    verify,
)

app_name = "booking"

urlpatterns = [
    path("onboarding", onboarding.onboarding, name="onboarding"),
    path(
        "onboarding/calendar/<int:pk>",
        onboarding.onboarding_calendar,
        name="onboarding-calendar",
    ),
    path("settings/booking-links", links.link_list, name="link-list"),
    path("settings/booking-links/new", links.link_create, name="link-create"),
    path("settings/booking-links/<int:pk>", links.link_edit, name="link-edit"),
    path("settings/booking-links/<int:pk>/toggle", links.link_toggle, name="link-toggle"),
    path("settings/booking-links/<int:pk>/delete", links.link_delete, name="link-delete"),
    path("settings/teams", teams.team_list, name="team-list"),
    path("settings/teams/new", teams.team_edit, name="team-create"),
    path("settings/teams/<int:pk>", teams.team_edit, name="team-edit"),
    path("team/<slug:slug>", teams.team_page, name="team-page"),
    path("settings/time-off", time_off.time_off, name="time-off"),
    path("settings/time-off/<int:pk>/delete", time_off.time_off_delete, name="time-off-delete"),
    path("book/<slug:slug>", public.book, name="public"),
    path("book/<slug:slug>/booked/<str:token>", confirmation.confirmed, name="confirmed"),
    path(
        "book/<slug:slug>/booked/<str:token>/invite.ics",
        confirmation.confirmed_ics,
        name="confirmed-ics",
    ),
    path("book/reschedule/<str:token>", manage.reschedule, name="reschedule"),
    path("book/rescheduled/<str:token>", manage.rescheduled, name="rescheduled"),
    path("book/rescheduled/<str:token>/invite.ics", manage.rescheduled_ics, name="rescheduled-ics"),
    path("book/cancel/<str:token>", manage.cancel, name="cancel"),
    path("book/reconfirm/<str:token>", manage.reconfirm, name="reconfirm"),
    path("book/verify/<str:token>", verify.verify, name="verify"),
    path("book/verify/<str:token>/resend", verify.resend, name="verify-resend"),
    path("calendar", dashboard.overview_page, name="calendar"),
    path("calendar/bookings", dashboard.bookings_page, name="calendar-bookings"),
    path("calendar/bookings/export.csv", dashboard.bookings_export, name="calendar-export"),
    path("calendar/event-types", dashboard.event_types, name="calendar-event-types"),
    path("calendar/admin", dashboard.admin_page, name="calendar-admin"),
    path("calendar/analytics", analytics.analytics, name="analytics"),
    path("calendar/analytics/<slug:chart>.csv", analytics.analytics_csv, name="analytics-csv"),
    path("calendar/schedules", schedules.schedule_list, name="schedule-list"),
    path("calendar/schedules/<int:pk>", schedules.schedule_edit, name="schedule-edit"),
    path(
        "calendar/schedules/<int:pk>/default", schedules.schedule_default, name="schedule-default"
    ),
    path("calendar/schedules/<int:pk>/delete", schedules.schedule_delete, name="schedule-delete"),
    path("calendar/bookings/<int:pk>", calendar.booking_detail, name="calendar-booking"),
    path("calendar/bookings/files/<str:token>", calendar.answer_file, name="calendar-answer-file"),
    path("calendar/bookings/<int:pk>/cancel", calendar.booking_cancel, name="calendar-cancel"),
    path("calendar/bookings/<int:pk>/no-show", calendar.booking_no_show, name="calendar-no-show"),
    path(
        "calendar/bookings/<int:pk>/ask-to-reschedule",
        calendar.booking_ask_to_reschedule,
        name="calendar-ask-to-reschedule",
    ),
]
