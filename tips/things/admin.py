"""Admin of things."""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from flattr_clone.admin import AllValuesLabelledFilter
from tips.things.cards import forget_thing_card
from tips.things.models import Thing
from tips.things.services import DESCRIPTION_MAX_LENGTH


@admin.register(Thing)
class ThingAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "owner",
        "url",
        "category",
        "hidden",
        "retired",
        "click_count",
        "created_at",
    ]
    list_filter = [
        "retired",
        "hidden",
        "category",
        ("owner", admin.RelatedOnlyFieldListFilter),
        ("language", AllValuesLabelledFilter),
    ]
    search_fields = ["title", "url", "tags", "owner__handle", "owner__email"]
    raw_id_fields = ["owner"]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "created_at"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # The model's TextField has no limit; operators get the creators' one.
        if db_field.name == "description":
            kwargs["max_length"] = DESCRIPTION_MAX_LENGTH
        if db_field.name in ("url", "image"):
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("owner")
            .annotate(_clicks=Count("clicks", filter=Q(clicks__revoked_at__isnull=True)))
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Widgets and badges read the cached card: retiring or restoring here shows at once.
        forget_thing_card(obj.pk)

    @admin.display(description=_("clicks"), ordering="_clicks")
    def click_count(self, obj) -> int:
        return obj._clicks
