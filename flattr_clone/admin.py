"""Admin pieces shared by the apps."""

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewing only: no add, change or delete permission, whoever asks.

    For records that only the platform's own services write (the ledger, payday, payouts,
    e-mails sent): an operator fixes a mistake through a new record, never by editing one.
    """

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


def confirm_action(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    action: str,
    title: str,
    template: str,
    **extra,
) -> TemplateResponse:
    """The confirmation page of an admin action: it lists ``queryset`` and posts the action
    back with ``confirm=yes``. ``extra`` goes to the template (a text, a form)."""
    return TemplateResponse(
        request,
        template,
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "opts": modeladmin.model._meta,
            "queryset": queryset,
            "action": action,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "media": modeladmin.media,
            **extra,
        },
    )
