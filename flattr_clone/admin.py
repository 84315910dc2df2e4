"""Admin pieces shared by the apps."""

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from flattr_clone.money import format_cents


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


def _money_column(field: str, description):
    @admin.display(description=description, ordering=field)
    def column(obj) -> str:
        value = getattr(obj, field)
        return "" if value is None else format_cents(value)

    return column


def _month_column(field: str, description):
    @admin.display(description=description, ordering=field)
    def column(obj) -> str:
        value = getattr(obj, field)
        return "" if value is None else date_format(value, "YEAR_MONTH_FORMAT")

    return column


class ReadableColumnsMixin:
    """Money as money and months as months in a ``ModelAdmin``'s lists and pages.

    ``money_fields`` maps a ``<name>_cents`` field to its label: it is shown as ``<name>``
    ("€10.50", in the operator's language) wherever ``list_display``, ``fields`` or
    ``readonly_fields`` name ``<name>``. ``month_fields`` does the same for a month (a date
    on the 1st) shown as "October 2026", under the name ``<field>_name``.
    """

    money_fields: dict = {}
    month_fields: dict = {}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._readable = {}
        for field, description in self.money_fields.items():
            self._readable[field] = field.removesuffix("_cents")
            setattr(self, self._readable[field], _money_column(field, description))
        for field, description in self.month_fields.items():
            self._readable[field] = f"{field}_name"
            setattr(self, self._readable[field], _month_column(field, description))

    def _readable_names(self, names) -> list:
        return [self._readable.get(name, name) if isinstance(name, str) else name for name in names]

    def get_list_display(self, request):
        return self._readable_names(super().get_list_display(request))

    def get_readonly_fields(self, request, obj=None):
        return self._readable_names(super().get_readonly_fields(request, obj))

    def get_fields(self, request, obj=None):
        return list(dict.fromkeys(self._readable_names(super().get_fields(request, obj))))


class AllValuesLabelledFilter(admin.AllValuesFieldListFilter):
    """Django's list of a field's values, where the empty value is called by a name instead
    of an empty link."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if choice["display"] == "":
                choice = {**choice, "display": _("(none)")}
            yield choice
