"""Admin of verified sites and of the ownership history; reassigning a thing with a reason."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from tips.ownership.services import thing_transfer
from tips.sites.models import OwnershipChange, Site
from tips.things.admin import ThingAdmin
from tips.things.models import Thing


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["address", "owner", "status", "method", "verified_at", "last_checked_at"]
    list_filter = ["status", "method"]
    search_fields = ["host", "owner__handle", "owner__email"]
    raw_id_fields = ["owner"]
    readonly_fields = ["token", "verified_at", "last_checked_at", "failing_since", "last_result"]


@admin.register(OwnershipChange)
class OwnershipChangeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "thing", "from_owner", "to_owner", "reason", "clicks_moved"]
    list_filter = ["reason"]
    search_fields = ["thing__title", "thing__url", "from_owner__handle", "to_owner__handle"]
    date_hierarchy = "created_at"

    # The history is a record: nobody edits or deletes it.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReassignForm(forms.Form):
    to_handle = forms.CharField(label=_("New owner's handle"), max_length=40)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def clean_to_handle(self):
        handle = self.cleaned_data["to_handle"].strip().lstrip("@")
        user = get_user_model().objects.filter(handle__iexact=handle, is_active=True).first()
        if user is None:
            raise ValidationError(_("No active user has this handle."))
        return user


def reassign_view(model_admin, request, pk):
    """An operator gives a thing to another creator, with a reason (kept in the history)."""
    thing = get_object_or_404(Thing, pk=pk)
    if not request.user.has_perm("tips.reassign_thing"):
        return redirect("admin:index")
    form = ReassignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            thing_transfer(
                thing=thing,
                to_owner=form.cleaned_data["to_handle"],
                reason=OwnershipChange.Reason.OPERATOR,
                by=request.user,
                note=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error("to_handle", error.messages)
        else:
            model_admin.message_user(request, _("The thing has a new owner."), messages.SUCCESS)
            return redirect(reverse("admin:tips_thing_change", args=[thing.pk]))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Reassign “%(title)s”") % {"title": thing.title},
        "thing": thing,
        "form": form,
        "opts": Thing._meta,
        "history": OwnershipChange.objects.filter(thing=thing).select_related(
            "from_owner", "to_owner"
        ),
    }
    return render(request, "admin/tips/thing/reassign.html", context)


class OwnedThingAdmin(ThingAdmin):
    """Things with their ownership: history, reader-created and reported flags, reassign."""

    list_filter = [
        *ThingAdmin.list_filter,
        "awaiting_owner",
        ("reported_at", admin.EmptyFieldListFilter),
    ]
    readonly_fields = [
        *ThingAdmin.readonly_fields,
        "url_key",
        "retired_at",
        "reported_at",
        "ownership_history",
    ]
    change_form_template = "admin/tips/thing/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        # The owner changes only through "Reassign" (history, clicks, e-mails).
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "owner"] if obj is not None else fields

    @admin.display(description=_("ownership history"))
    def ownership_history(self, obj):
        changes = OwnershipChange.objects.filter(thing=obj).select_related("from_owner", "to_owner")
        if not changes:
            return "—"
        return format_html_join(
            "",
            "<p>{}: @{} → @{} ({}) {}</p>",
            (
                (
                    date_format(timezone.localtime(c.created_at), "DATETIME_FORMAT"),
                    c.from_owner.handle,
                    c.to_owner.handle,
                    c.get_reason_display(),
                    c.note,
                )
                for c in changes
            ),
        )

    def get_urls(self):
        reassign = self.admin_site.admin_view(lambda request, pk: reassign_view(self, request, pk))
        return [
            path("<int:pk>/reassign/", reassign, name="tips_thing_reassign"),
            *super().get_urls(),
        ]


admin.site.unregister(Thing)
admin.site.register(Thing, OwnedThingAdmin)
