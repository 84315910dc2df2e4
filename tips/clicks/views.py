"""A reader takes back a click of the current month."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from flattr_clone.http import safe_next
from tips.clicks.models import Click
from tips.clicks.services import ClickRefused
from tips.clicks.services import click_revoke as services_click_revoke


@require_POST
@login_required
def click_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    click = get_object_or_404(Click.objects.select_related("thing"), pk=pk, reader=request.user)
    next_url = safe_next(request, reverse("tips:this_month"))
    try:
        services_click_revoke(reader=request.user, click=click)
    except ClickRefused as refused:
        messages.error(request, refused.blocker.message)
    else:
        messages.success(
            request,
            _("You revoked your flattr of “%(title)s”. You can flattr it again this month.")
            % {"title": click.thing},
        )
    return redirect(next_url)
