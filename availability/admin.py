from django.contrib import admin

from availability.models import ExternalBusy, TimeOff


@admin.register(TimeOff)
class TimeOffAdmin(admin.ModelAdmin):
    list_display = ["user", "start", "end", "reason", "workspace"]
    list_filter = ["workspace"]
    search_fields = ["user__email", "reason"]
    date_hierarchy = "start"
    raw_id_fields = ["user", "created_by"]


@admin.register(ExternalBusy)
class ExternalBusyAdmin(admin.ModelAdmin):
    list_display = ["user", "source", "start", "end", "fetched_at"]
    list_filter = ["source"]
    search_fields = ["user__email", "calendar_id"]
    raw_id_fields = ["user"]
