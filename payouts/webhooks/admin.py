"""Admin of provider events: read-only."""

from django.contrib import admin

from flattr_clone.admin import ReadOnlyAdmin
from payouts.webhooks.models import ProviderEvent


@admin.register(ProviderEvent)
class ProviderEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "provider", "event_type", "outcome", "object_id", "top_up"]
    list_filter = ["outcome", "provider", "event_type"]
    search_fields = ["event_id", "object_id", "note", "=top_up__id"]
    date_hierarchy = "received_at"
