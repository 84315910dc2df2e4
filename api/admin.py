"""Admin of personal access tokens (django-oauth-toolkit registers apps and OAuth tokens)."""

from django.contrib import admin

from api.models import PersonalAccessToken


@admin.register(PersonalAccessToken)
class PersonalAccessTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "token_start", "scope", "created_at", "last_used_at"]
    list_filter = ["created_at"]
    search_fields = ["name", "user__handle", "user__email", "token_start"]
    raw_id_fields = ["user"]
    readonly_fields = ["token_start", "created_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:
        return False  # a token's secret is shown once to its owner, on their tokens page
