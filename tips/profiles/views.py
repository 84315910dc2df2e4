"""Public profiles: who the creator is, their things, and a button to flattr them as a whole."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.profiles.bios import bio_html, bio_text
from tips.embeds.views import button_state
from tips.profiles.selectors import profile_things, supporters_last_month
from tips.profiles.services import profile_thing
from tips.sites.selectors import verified_sites
from tips.things.cards import thing_card
from tips.things.selectors import public_creator

THINGS_PER_PAGE = 30


@require_GET
def profile(request: HttpRequest, handle: str) -> HttpResponse:
    creator = public_creator(handle)
    if creator is None:
        raise Http404
    thing = profile_thing(creator)
    page = Paginator(profile_things(creator), THINGS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "creator": creator,
        "bio": bio_html(creator.bio),
        "summary": bio_text(creator.bio),
        "things": page,
        "supporters": supporters_last_month(creator),
        "sites": verified_sites(creator),
        "thing": thing,
        "card": thing_card(thing.pk),
        "profile_url": settings.SITE_URL + creator.get_absolute_url(),
        "avatar_url": settings.SITE_URL + creator.avatar_url if creator.avatar_digest else "",
        **button_state(request, thing),
    }
    return render(request, "tips/profile.html", context)
