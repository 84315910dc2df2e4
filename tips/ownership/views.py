"""Creators' pages for their sites, and their answers to things a reader's click created."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from flattr_clone.http import safe_next
from tips.ownership.services import site_add, site_remove, thing_accept, thing_retire
from tips.ownership.tasks import check_site
from tips.sites.models import Site
from tips.sites.selectors import creator_sites
from tips.sites.verification import META_NAME, TXT_PREFIX, WELL_KNOWN_PATH, result_message
from tips.things.models import Thing


class SiteForm(forms.Form):
    address = forms.CharField(
        label=gettext_lazy("Site"),
        max_length=300,
        help_text=gettext_lazy("A host such as example.org, or a part of one: example.org/~dana/"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_sites(request: HttpRequest) -> HttpResponse:
    form = SiteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            site = site_add(owner=request.user, address=form.cleaned_data["address"])
        except ValidationError as error:
            for message in error.message_dict.get("address", []):
                form.add_error("address", message)
        else:
            messages.success(request, _("Site added. Put your token on it, then check it."))
            return redirect("tips:site", pk=site.pk)
    return render(request, "tips/sites.html", {"form": form, "sites": creator_sites(request.user)})


@login_required
@require_GET
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    site = get_object_or_404(Site, pk=pk, owner=request.user)
    results = [
        (label, result_message(site.last_result[method]))
        for method, label in Site.Method.choices
        if method in site.last_result
    ]
    context = {
        "site": site,
        "results": results,
        "taken": site.last_result.get("verdict") == "taken",
        "file_url": site.url("https", WELL_KNOWN_PATH),
        "meta_tag": f'<meta name="{META_NAME}" content="{site.token}">',
        "txt_record": f"{TXT_PREFIX}{site.token}",
    }
    return render(request, "tips/site_detail.html", context)


@login_required
@require_POST
def site_check(request: HttpRequest, pk: int) -> HttpResponse:
    site = get_object_or_404(Site, pk=pk, owner=request.user)
    Site.objects.filter(pk=site.pk).update(checking=True)
    transaction.on_commit(lambda: check_site.delay(site.pk))
    messages.info(request, _("Checking your site. Reload this page in a moment."))
    return redirect("tips:site", pk=site.pk)


@login_required
@require_POST
def site_delete(request: HttpRequest, pk: int) -> HttpResponse:
    site = get_object_or_404(Site, pk=pk, owner=request.user)
    site_remove(site=site)
    messages.success(request, _("Site removed."))
    return redirect("tips:sites")


@login_required
@require_POST
def thing_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept, retire or report a thing (one made by a reader's click, or any of one's own)."""
    thing = get_object_or_404(Thing, pk=pk, owner=request.user)
    action = request.POST.get("action")
    if action == "accept":
        thing_accept(thing=thing)
        messages.success(request, _("“%(title)s” is on your profile now.") % {"title": thing})
    elif action in ("retire", "report"):
        thing_retire(thing=thing, report=action == "report")
        if action == "report":
            messages.success(
                request,
                _("“%(title)s” is retired and reported to the operators.") % {"title": thing},
            )
        else:
            messages.success(
                request,
                _("“%(title)s” is retired: it earns nothing from now on.") % {"title": thing},
            )
    return redirect(safe_next(request, reverse("tips:my_things")))
