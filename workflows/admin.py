from django.contrib import admin

from workflows.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["kind", "subject", "due_at", "attempts", "state", "last_error"]
    list_filter = ["kind"]
    search_fields = ["subject", "idempotency_key"]
    readonly_fields = ["created_at"]
