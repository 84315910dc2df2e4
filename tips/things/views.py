"""Creators' pages for their things, and public profiles."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from flattr_clone.http import safe_next
from flattr_clone.ratelimit import Throttle, throttled
from payouts.connect.services import payout_account_ready
from tips.sites.selectors import verified_sites
from tips.things.forms import NewThingForm, ThingForm
from tips.things.models import Thing
from tips.things.selectors import creator_things, is_first_thing, profile_things, public_creator
from tips.things.services import thing_create, thing_set_retired, thing_update

THING_CREATE_THROTTLE = Throttle(
    scope="thing-create",
    limit_setting="THING_CREATE_RATE_LIMIT_PER_HOUR",
    message=ngettext_lazy(
        "You can register at most %(counter)s thing an hour.",
        "You can register at most %(counter)s things an hour.",
        "counter",
    ),
)


def submit_link_template(creator) -> str:
    site = settings.SITE_URL
    return f"{site}{reverse('tips:submit')}?creator={creator.handle}&url=URL&title=TITLE"


@login_required
@require_GET
def my_things(request: HttpRequest) -> HttpResponse:
    context = {
        "things": creator_things(request.user),
        "submit_template": submit_link_template(request.user),
    }
    return render(request, "tips/my_things.html", context)


def _show_errors(form, error: ValidationError) -> None:
    """Put a service's validation errors on the form fields they name (others on top)."""
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
@require_http_methods(["GET", "POST"])
@throttled(THING_CREATE_THROTTLE)
def thing_new(request: HttpRequest) -> HttpResponse:
    form = NewThingForm(request.POST or None, owner=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            thing = thing_create(owner=request.user, **form.cleaned_data)
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("Your thing is registered. Add its button to your site."))
            if is_first_thing(owner=request.user) and not payout_account_ready(request.user):
                messages.info(
                    request,
                    format_html(
                        '{} <a href="{}">{}</a>',
                        _("To receive what readers give you, set up a payment account."),
                        reverse("payouts:get_paid"),
                        _("Get paid"),
                    ),
                )
            return redirect(thing)
    return render(request, "tips/thing_form.html", {"form": form, "thing": None})


@login_required
@require_http_methods(["GET", "POST"])
def thing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    thing = get_object_or_404(Thing, pk=pk, owner=request.user)
    initial = {f: getattr(thing, f) for f in ThingForm.base_fields}
    form = ThingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            thing_update(thing=thing, **form.cleaned_data)
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(thing)
    return render(request, "tips/thing_form.html", {"form": form, "thing": thing})


@require_POST
@login_required
def thing_retire(request: HttpRequest, pk: int) -> HttpResponse:
    thing = get_object_or_404(Thing, pk=pk, owner=request.user)
    retired = request.POST.get("retired") == "1"
    thing_set_retired(thing=thing, retired=retired)
    if retired:
        messages.success(
            request, _("“%(title)s” is retired: nobody can flattr it.") % {"title": thing}
        )
    else:
        messages.success(request, _("“%(title)s” can be flattred again.") % {"title": thing})
    return redirect(safe_next(request, reverse("tips:my_things")))


@require_GET
def profile(request: HttpRequest, handle: str) -> HttpResponse:
    creator = public_creator(handle)
    if creator is None:
        raise Http404
    context = {
        "creator": creator,
        "things": profile_things(creator),
        "sites": verified_sites(creator),
    }
    return render(request, "tips/profile.html", context)
