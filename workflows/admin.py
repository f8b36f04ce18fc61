from django.contrib import admin

from workflows.models import (
    OutboxMessage,
    SmsCredit,
    SmsMessage,
    SmsOptOut,
    WebhookDelivery,
    WebhookEndpoint,
    Workflow,
    WorkflowRun,
    WorkflowStep,
)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["kind", "subject", "due_at", "attempts", "state", "last_error"]
    list_filter = ["kind"]
    search_fields = ["subject", "idempotency_key"]
    readonly_fields = ["created_at"]


class WorkflowStepInline(admin.StackedInline):
    model = WorkflowStep
    extra = 0


@admin.register(Workflow)
class WorkflowAdmin(admin.ModelAdmin):
    list_display = ["name", "trigger", "offset_minutes", "is_enabled", "workspace"]
    list_filter = ["trigger", "is_enabled", "workspace"]
    search_fields = ["name"]
    inlines = [WorkflowStepInline]


@admin.register(WorkflowStep)
class WorkflowStepAdmin(admin.ModelAdmin):
    list_display = ["workflow", "position", "action", "recipient"]
    list_filter = ["action"]
    raw_id_fields = ["workflow"]


@admin.register(WorkflowRun)
class WorkflowRunAdmin(admin.ModelAdmin):
    list_display = ["workflow", "subject", "is_test", "created_at"]
    raw_id_fields = ["workflow", "step", "message"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "workspace", "is_active", "disabled_reason"]
    list_filter = ["is_active"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["endpoint", "event", "response_status", "error", "duration_ms", "created_at"]
    raw_id_fields = ["endpoint"]


@admin.register(SmsOptOut)
class SmsOptOutAdmin(admin.ModelAdmin):
    list_display = ["phone", "workspace", "created_at"]
    search_fields = ["phone"]


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):
    list_display = ["to", "status", "provider_id", "workspace", "created_at"]
    list_filter = ["status"]
    search_fields = ["to", "provider_id"]


@admin.register(SmsCredit)
class SmsCreditAdmin(admin.ModelAdmin):
    list_display = ["workspace", "delta", "reason", "created_at"]
    raw_id_fields = ["message"]
