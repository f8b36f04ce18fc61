from django.contrib import admin

from crm.models import Contact, Deal, Pipeline, Stage


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace"]
    list_filter = ["workspace"]
    inlines = [StageInline]


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["name", "pipeline", "position", "workspace"]
    list_filter = ["workspace"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "phone", "workspace", "created_at"]
    list_filter = ["workspace"]
    search_fields = ["email", "name"]


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = ["title", "contact", "stage", "value", "workspace", "created_at"]
    list_filter = ["workspace", "stage"]
    raw_id_fields = ["contact"]
