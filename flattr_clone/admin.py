"""Admin pieces shared by the apps."""

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
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


class ActionsNeedPermissionMixin:
    """For a ``ModelAdmin`` whose ``actions`` need permissions: posting one of them without
    its permission answers 403 and runs nothing.

    Django itself leaves such an action out of the list and, when it is posted anyway,
    shows the list again as if nothing had been asked.
    """

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        if request.method == "POST":
            declared = {a if isinstance(a, str) else a.__name__ for a in self.actions or ()}
            allowed = self.get_actions(request)
            if any(
                name in declared and name not in allowed for name in request.POST.getlist("action")
            ):
                raise PermissionDenied
        return super().changelist_view(request, extra_context)


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
