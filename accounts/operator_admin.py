"""Operator actions on the User admin: suspend and unsuspend creators.

Both need the ``accounts.suspend_user`` permission (the "support" and "operator"
groups have it), not the right to edit users. Each asks for a reason on a
confirmation page and records one admin log entry (``ModelAdmin.log_change``) per
user it changed, so every operator action is traceable in the admin's history.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.suspensions import user_suspend, user_unsuspend
from flattr_clone.admin import confirm_action


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=2000,
        help_text=gettext_lazy("Kept in the admin log; for a suspension also shown to the user."),
    )


@admin.action(description=gettext_lazy("Suspend selected creators"), permissions=["suspend"])
def suspend_creators(modeladmin, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
    """Ask for a reason, then suspend: no money at payday, payouts held."""
    form = ReasonForm(request.POST if "confirm" in request.POST else None)
    if not form.is_valid():
        return confirm_action(
            modeladmin,
            request,
            queryset,
            action="suspend_creators",
            template="admin/accounts/user/suspension_confirmation.html",
            title=_("Suspend creators"),
            form=form,
        )
    reason = form.cleaned_data["reason"]
    done = 0
    for user in queryset:
        if user_suspend(user=user, reason=reason):
            modeladmin.log_change(request, user, _("Suspended: %(reason)s") % {"reason": reason})
            done += 1
    messages.success(
        request,
        ngettext("%(count)d account suspended.", "%(count)d accounts suspended.", done)
        % {"count": done},
    )
    return None


@admin.action(
    description=gettext_lazy("Lift the suspension of selected creators"), permissions=["suspend"]
)
def unsuspend_creators(modeladmin, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
    """Ask why, then lift the suspension: money flows again from the next payday."""
    form = ReasonForm(request.POST if "confirm" in request.POST else None)
    if not form.is_valid():
        return confirm_action(
            modeladmin,
            request,
            queryset,
            action="unsuspend_creators",
            template="admin/accounts/user/suspension_confirmation.html",
            title=_("Lift suspensions"),
            form=form,
        )
    reason = form.cleaned_data["reason"]
    done = 0
    for user in queryset:
        if user_unsuspend(user=user):
            modeladmin.log_change(
                request, user, _("Suspension lifted: %(reason)s") % {"reason": reason}
            )
            done += 1
    messages.success(
        request,
        ngettext("%(count)d suspension lifted.", "%(count)d suspensions lifted.", done)
        % {"count": done},
    )
    return None
