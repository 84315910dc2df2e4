from django.contrib import admin

from tips.feeds.models import Feed, FeedEntry


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = ["url", "owner", "mode", "active", "last_status", "failures", "next_poll_at"]
    list_filter = ["mode", "active"]
    search_fields = ["url", "title", "owner__handle", "owner__email"]
    raw_id_fields = ["owner"]
    readonly_fields = ["etag", "last_modified", "last_polled_at", "last_status", "last_error"]


@admin.register(FeedEntry)
class FeedEntryAdmin(admin.ModelAdmin):
    list_display = ["title", "feed", "status", "seen_at"]
    list_filter = ["status"]
    search_fields = ["title", "link", "feed__url"]
    raw_id_fields = ["feed", "thing"]
