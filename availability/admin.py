from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from availability.busy_cache import forget
from availability.models import ExternalBusy, Schedule, TimeOff


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "timezone", "is_default", "workspace"]
    list_filter = ["workspace", "is_default"]
    search_fields = ["name", "owner__email"]
    raw_id_fields = ["owner"]


@admin.register(TimeOff)
class TimeOffAdmin(admin.ModelAdmin):
    list_display = ["user", "start", "end", "reason", "workspace"]
    list_filter = ["workspace"]
    search_fields = ["user__email", "reason"]
    date_hierarchy = "start"
    raw_id_fields = ["user", "created_by"]

    def delete_model(self, request: HttpRequest, obj: TimeOff) -> None:
        super().delete_model(request, obj)
        forget([obj.user_id])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[TimeOff]) -> None:
        forget(queryset.values_list("user_id", flat=True))
        super().delete_queryset(request, queryset)


@admin.register(ExternalBusy)
class ExternalBusyAdmin(admin.ModelAdmin):
    list_display = ["user", "source", "start", "end", "fetched_at"]
    list_filter = ["source"]
    search_fields = ["user__email", "calendar_id"]
    raw_id_fields = ["user"]

    def delete_model(self, request: HttpRequest, obj: ExternalBusy) -> None:
        super().delete_model(request, obj)
        forget([obj.user_id])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ExternalBusy]) -> None:
        forget(queryset.values_list("user_id", flat=True))
        super().delete_queryset(request, queryset)
