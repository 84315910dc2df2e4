"""Payday in the admin: runs with their progress and totals, per-reader records, and a page
to start a month's payday after seeing its dry-run totals."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from flattr_clone.admin import ReadableColumnsMixin, ReadOnlyAdmin
from flattr_clone.money import format_cents
from flattr_clone.months import format_month, month_of, parse_month, previous_month
from tips.payday.chunks import run_totals
from tips.payday.models import PaydayRecord, PaydayRun
from tips.payday.services import PaydayError, payday_preview, payday_run


class PaydayMonthForm(forms.Form):
    month = forms.CharField(
        label=_("Month"), max_length=7, help_text=_("The month to close, as YYYY-MM.")
    )

    def clean_month(self):
        try:
            return parse_month(self.cleaned_data["month"])
        except ValueError as error:
            raise forms.ValidationError(
                _("%(value)s is not a month; use YYYY-MM, for example 2026-10."),
                params={"value": self.cleaned_data["month"]},
            ) from error


def _money(cents: int) -> str:
    return format_cents(cents)


# Runs are made by payday itself, never typed in by hand.
@admin.register(PaydayRun)
class PaydayRunAdmin(ReadableColumnsMixin, ReadOnlyAdmin):
    money_fields = {
        "given_cents": _("given"),
        "commission_cents": _("commission"),
        "distributed_cents": _("distributed"),
    }
    month_fields = {"month": _("month")}
    list_display = [
        "month",
        "status",
        "progress",
        "readers",
        "creators",
        "given",
        "commission",
        "distributed",
        "started_at",
        "finished_at",
    ]
    list_filter = ["status"]
    ordering = ["-month"]
    readonly_fields = [f.name for f in PaydayRun._meta.fields] + ["progress"]
    change_list_template = "admin/tips/paydayrun/change_list.html"

    @admin.display(description=_("progress"))
    def progress(self, run: PaydayRun) -> str:
        return f"{run.chunks_done}/{run.chunks_total} ({run.progress_percent}%)"

    def get_urls(self):
        return [
            path(
                "start/",
                self.admin_site.admin_view(self.start_view),
                name="tips_paydayrun_start",
            ),
            *super().get_urls(),
        ]

    def start_view(self, request: HttpRequest) -> HttpResponse:
        """Month → dry-run totals → confirm: the real run starts only on the second POST."""
        if not request.user.has_perm("tips.run_payday"):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Run payday"),
        }
        if request.method != "POST":
            form = PaydayMonthForm(initial={"month": format_month(previous_month(month_of()))})
            return TemplateResponse(
                request, "admin/tips/paydayrun/start.html", {**context, "form": form}
            )
        form = PaydayMonthForm(request.POST)
        if not form.is_valid():
            return TemplateResponse(
                request, "admin/tips/paydayrun/start.html", {**context, "form": form}
            )
        month = form.cleaned_data["month"]
        if "confirm" not in request.POST:
            try:
                totals = payday_preview(month=month)
            except PaydayError as error:
                form.add_error("month", str(error))
                return TemplateResponse(
                    request, "admin/tips/paydayrun/start.html", {**context, "form": form}
                )
            return TemplateResponse(
                request,
                "admin/tips/paydayrun/start.html",
                {**context, "form": form, "totals": totals, "month": format_month(month)},
            )
        try:
            run = payday_run(month=month)
        except PaydayError as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect("admin:tips_paydayrun_start")
        totals = run_totals(run)
        # The admin log keeps who started which payday, for the audit trail.
        self.log_change(request, run, f"Started payday {totals.month}: {totals.as_dict()}")
        self.message_user(
            request,
            _(
                "Payday %(month)s: %(status)s. Readers who gave: %(readers)s, %(given)s in "
                "all; creators who received: %(creators)s."
            )
            % {
                "month": totals.month,
                "status": run.get_status_display(),
                "readers": totals.readers,
                "given": _money(totals.given),
                "creators": totals.creators,
            },
            messages.SUCCESS,
        )
        return redirect(reverse("admin:tips_paydayrun_change", args=[run.pk]))


@admin.register(PaydayRecord)
class PaydayRecordAdmin(ReadableColumnsMixin, ReadOnlyAdmin):
    money_fields = {
        "budget_cents": _("budget"),
        "given_cents": _("given"),
        "commission_cents": _("commission"),
    }
    month_fields = {"month": _("month")}
    list_display = ["month", "reader", "budget", "given", "commission", "creators"]
    list_filter = ["month"]
    search_fields = ["reader__email", "reader__handle"]
    raw_id_fields = ["reader", "run"]
    readonly_fields = [f.name for f in PaydayRecord._meta.fields]
    list_select_related = ["reader"]
