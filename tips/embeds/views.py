"""Pages for things, the click button, the embeds (widget, popup, badge, auto-submit),
a reader's month and a creator's profile. Views parse, call one service, render or redirect."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from flattr_clone.cache import local_get, local_set, safe_get, safe_set
from flattr_clone.db import PreparedQuery
from flattr_clone.http import safe_next, with_query
from flattr_clone.months import month_of
from tips.clicks.ratelimit import WINDOW_SECONDS, click_allowed, click_limit
from tips.clicks.selectors import click_blocker, reader_click, retired_message
from tips.clicks.services import ClickRefused, ClickResult, click_register
from tips.embeds.representations import FRAMABLE_POLICY, embed_language, embed_response
from tips.embeds.services import thing_submit_and_click
from tips.embeds.submissions import Submission, SubmissionInvalid, submission_resolve
from tips.payday.estimates import month_estimate
from tips.things.canonical import web_origin
from tips.things.cards import CARD_TIMEOUT_SECONDS, embed_key, thing_card
from tips.things.models import Thing
from tips.things.selectors import related_things

# --- Helpers ---------------------------------------------------------------------


def keeps_opener(view):
    """Let a page opened by another site's embed keep ``window.opener``.

    Django sends ``Cross-Origin-Opener-Policy: same-origin``, which cuts the
    popup off from the page that opened it; the popup and the pages it passes
    through (click, auto-submit) need the link to hand the new count back.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cross-Origin-Opener-Policy"] = "unsafe-none"
        return response

    return wrapped


# Compiled once per process: every click and thing page reads a thing with its owner.
_THING_WITH_OWNER = PreparedQuery(
    lambda *, pk: Thing.objects.select_related("owner").filter(pk=pk), pk=-7_777_777_777
)


def _thing_or_404(pk: int) -> Thing:
    found = _THING_WITH_OWNER.objects(pk=pk)
    if not found:
        raise Http404("No such thing.")
    return found[0]


def _login_url(request: HttpRequest, next_url: str | None = None) -> str:
    return f"{reverse('account_login')}?{urlencode({'next': next_url or request.get_full_path()})}"


def _button(request: HttpRequest, thing: Thing) -> dict:
    """The state of the flattr button for this reader and thing."""
    click = reader_click(request.user, thing, month_of())
    flattred = click is not None and click.revoked_at is None
    blocker = (
        None if flattred else click_blocker(request.user, thing, login_url=_login_url(request))
    )
    return {"click": click, "flattred": flattred, "blocker": blocker}


def button_state(request: HttpRequest, thing: Thing) -> dict:
    """The flattr button's context (``tips/_button.html``) for pages outside this module."""
    return _button(request, thing)


def _gone(request: HttpRequest, thing: Thing, *, popup: bool = False) -> HttpResponse:
    """A retired thing's page or popup: no longer available. 410 Gone says exactly that (it
    was here and its owner withdrew it) to people, browsers and search engines alike."""
    context = {"thing": thing, "popup": popup, "message": retired_message()}
    return render(request, "tips/thing_gone.html", context, status=410)


def click_rate_limited(request: HttpRequest) -> HttpResponse:
    """The 429 page of the click limit (``CLICK_RATE_LIMIT_PER_HOUR``)."""
    window = WINDOW_SECONDS
    retry_after = window - int(time.time()) % window
    response = render(
        request,
        "tips/rate_limited.html",
        {"limit": click_limit(request.user), "minutes": (retry_after + 59) // 60},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def _handoff_key(thing_pk: int) -> str:
    return f"tips:popup-handoff:{thing_pk}"


def expect_handoff(request: HttpRequest, thing: Thing, origin: str, status: str) -> str:
    """Remember that the popup for ``origin`` just clicked ``thing``; return the popup's URL.

    Only a popup coming back from its own POST may tell its opener the count: a
    popup any site opens with its own origin must not reveal whether the reader
    flattred the thing. The marker lives in the reader's session, not the URL,
    so it cannot be forged, and the popup consumes it on its next view.
    """
    request.session[_handoff_key(thing.pk)] = {"origin": origin, "status": status}
    return with_query(reverse("tips:popup", kwargs={"pk": thing.pk}), origin=origin)


def _click_message(request: HttpRequest, result: ClickResult, thing: Thing) -> None:
    if result.status == ClickResult.FLATTRED:
        messages.success(request, _("You flattred “%(title)s”. Thank you!") % {"title": thing})
    elif result.status == ClickResult.RESTORED:
        messages.success(request, _("Your flattr of “%(title)s” counts again.") % {"title": thing})
    else:
        messages.info(request, _("You already flattred this thing this month."))


def _click_response(
    request: HttpRequest,
    *,
    register: Callable[[], ClickResult],
    origin: str | None,
    back_url: str,
    done_url: str | None = None,
) -> HttpResponse:
    """The tail of every click view: the reader must be logged in and under the rate limit,
    then ``register`` (the click service) runs. A refusal goes back to ``back_url`` (where
    login returns too) with its reason; a click from a popup (``origin``) goes back to the
    popup, which hands the result to the widget; any other click says how it went and goes to
    ``done_url`` (default: the page of the thing clicked)."""
    if not request.user.is_authenticated:
        return redirect_to_login(back_url)
    if not click_allowed(request.user):
        return click_rate_limited(request)
    try:
        result = register()
    except ClickRefused as refused:
        messages.error(request, refused.blocker.message)
        return redirect(back_url)
    thing = result.click.thing
    if origin:
        return redirect(expect_handoff(request, thing, origin, result.status))
    _click_message(request, result, thing)
    return redirect(done_url or thing.get_absolute_url())


def _link_fields(params) -> dict[str, str]:
    """The ``creator``, ``url`` and ``title`` of an auto-submit link, as given (empty when
    missing)."""
    return {name: params.get(name, "") for name in ("creator", "url", "title")}


def _resolve(fields: dict[str, str]) -> Submission:
    return submission_resolve(
        creator_handle=fields["creator"], url=fields["url"], title=fields["title"]
    )


def embed_codes(thing: Thing) -> dict[str, str]:
    """The snippets a creator copies to their site, with absolute platform URLs."""
    site = settings.SITE_URL
    thing_url = site + thing.get_absolute_url()
    # The unversioned static path: embeds live on other sites for years.
    script_src = f"{site}{settings.STATIC_URL}tips/embed.js"
    badge_url = site + reverse("tips:badge", kwargs={"pk": thing.pk})
    label = _("Flattr this")
    return {
        "script": format_html(
            '<script async src="{}"></script>\n<a class="flattr-button" href="{}">Flattr</a>',
            script_src,
            thing_url,
        ),
        "badge_html": format_html(
            '<a href="{}"><img src="{}" alt="{}"></a>', thing_url, badge_url, label
        ),
        "badge_markdown": f"[![{label}]({badge_url})]({thing_url})",
        "link_html": format_html('<link rel="payment" href="{}" title="{}">', thing_url, label),
        "link_feed": format_html(
            '<atom:link rel="payment" href="{}" type="text/html" title="{}"/>', thing_url, label
        ),
    }


# --- Thing pages ---------------------------------------------------------------------


# The CSRF token's place in a cached thing page: each visitor gets their own token there.
_TOKEN_SLOT = "csrf-token-slot-0f3a9c"  # noqa: S105 (a placeholder, not a secret)


def _page_is_shared(request: HttpRequest) -> bool:
    """Whether this visit sees the thing page every session-less visitor sees: no session
    (so nobody logged in, no messages kept in it), no messages cookie, no query."""
    return (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and not request.META.get("QUERY_STRING")
    )


def _shared_page(request: HttpRequest, body: str) -> HttpResponse:
    # get_token also makes the CSRF middleware set this visitor's cookie.
    return HttpResponse(body.replace(_TOKEN_SLOT, get_token(request)))


@require_GET
def thing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A thing's page. Visitors with no session all see the same page: it is rendered once
    per thing and language and kept with the thing's counts (forgotten with them on every
    click, revoke or edit), so their visit costs one cache read and no query."""
    shared = _page_is_shared(request)
    key = embed_key("page", pk, translation.get_language(), month_of())
    if shared:
        # This process's copy first (like the embeds', a few seconds), then the shared cache.
        body = local_get(key)
        if body is None:
            body = safe_get(key)
            if body is not None:
                local_set(key, body)
        if body is not None:
            return _shared_page(request, body)
    thing = _thing_or_404(pk)
    if thing.is_profile:
        # The creator as a whole: their profile is this thing's page.
        return redirect(thing.owner)
    is_owner = request.user.is_authenticated and request.user.pk == thing.owner_id
    if thing.is_retired and not is_owner:
        # The owner still sees it (counts, embed codes, a notice) and can restore it.
        return _gone(request, thing)
    context = {
        "thing": thing,
        "card": thing_card(thing.pk),
        "is_owner": is_owner,
        "embed": embed_codes(thing) if is_owner else None,
        "related": related_things(thing),
        **_button(request, thing),
    }
    if not shared:
        return render(request, "tips/thing_detail.html", context)
    body = render_to_string(
        "tips/thing_detail.html", {**context, "csrf_token": _TOKEN_SLOT}, request=request
    )
    safe_set(key, body, CARD_TIMEOUT_SECONDS)
    local_set(key, body)
    return _shared_page(request, body)


@keeps_opener
@require_POST
def thing_click(request: HttpRequest, pk: int) -> HttpResponse:
    thing = _thing_or_404(pk)
    origin = web_origin(request.POST.get("origin"))
    if thing.is_retired:
        # Said at once, not after a login or as a refusal: nobody can click it any more.
        return _gone(request, thing, popup=bool(origin))
    popup_path = reverse("tips:popup", kwargs={"pk": thing.pk})
    if origin:
        # From the popup: back to the popup, which hands the result to the widget.
        next_url = with_query(popup_path, origin=origin)
    else:
        next_url = safe_next(request, thing.get_absolute_url())
    return _click_response(
        request,
        register=lambda: click_register(reader=request.user, thing=thing),
        origin=origin,
        back_url=next_url,
        done_url=next_url,
    )


def _popup_estimate(reader) -> dict | None:
    """The reader's month so far, as the popup says it: given, shared by how many creators,
    about how much each (payday decides at the end of the month)."""
    if not reader.is_authenticated:
        return None
    estimate = month_estimate(reader, month_of())
    if estimate.budget_cents <= 0:
        return None
    shares = [cents for _creator, cents in estimate.shares]
    return {
        "budget_cents": estimate.budget_cents,
        "given_cents": estimate.given_cents,
        "creators": len(shares),
        "share_cents": min(shares) if shares else 0,
    }


@keeps_opener
@require_GET
def popup(request: HttpRequest, pk: int) -> HttpResponse:
    """The first-party window the widget opens. It tells its opener the count only once,
    right after a click made through this popup (see ``expect_handoff``), never merely
    because some site opened it for a reader who flattred the thing."""
    thing = _thing_or_404(pk)
    origin = web_origin(request.GET.get("origin"))
    # Popped on every view, matching or not: the marker is good for one page only.
    marker = request.session.pop(_handoff_key(thing.pk), None)
    if thing.is_retired:
        return _gone(request, thing, popup=True)
    button = _button(request, thing)
    handoff = (
        marker
        if button["flattred"]
        and origin
        and isinstance(marker, dict)
        and marker.get("origin") == origin
        else None
    )
    context = {
        "thing": thing,
        "card": thing_card(thing.pk),
        "origin": origin,
        "estimate": _popup_estimate(request.user),
        "handoff_origin": handoff["origin"] if handoff else None,
        "just_flattred": handoff is not None
        and handoff.get("status") in (ClickResult.FLATTRED, ClickResult.RESTORED),
        **button,
    }
    return render(request, "tips/popup.html", context)


@xframe_options_exempt
@require_GET
def widget(request: HttpRequest, pk: int) -> HttpResponse:
    """The count and button inside the embedding site's frame, from the cached answer
    (``tips.embeds.representations``; its middleware answers before this view is reached).
    Reads nothing of the visitor: no cookie is needed or set. A retired thing's frame (410)
    says it is no longer available and offers nothing to click."""
    response = embed_response(request, "widget", pk)
    if response is None:
        raise Http404
    return response


@require_GET
def badge(request: HttpRequest, pk: int) -> HttpResponse:
    """The SVG badge with the count (410 with a notice for a retired thing), cached like the
    widget."""
    response = embed_response(request, "badge", pk)
    if response is None:
        raise Http404
    return response


# --- Auto-submit links ------------------------------------------------------------------


@keeps_opener
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    """An auto-submit link: shows the thing it describes; only the click (POST) creates it."""
    params = request.POST if request.method == "POST" else request.GET
    origin = web_origin(params.get("origin"))
    query = _link_fields(params)
    here = with_query(reverse("tips:submit"), origin=origin, **query)
    try:
        submission = _resolve(query)
    except SubmissionInvalid as error:
        return render(request, "tips/submit_invalid.html", {"message": error.message}, status=400)
    if request.method == "POST" and submission.thing is not None and submission.thing.is_retired:
        return _gone(request, submission.thing, popup=bool(origin))

    if request.method == "GET":
        if submission.thing is not None:
            name = "tips:popup" if origin else "tips:thing"
            target = reverse(name, kwargs={"pk": submission.thing.pk})
            return redirect(with_query(target, origin=origin))
        preview = Thing(owner=submission.creator, url=submission.url, title=submission.title)
        context = {
            "submission": submission,
            "preview": preview,
            "query": query,
            "origin": origin,
            "blocker": click_blocker(request.user, preview, login_url=_login_url(request, here)),
        }
        return render(request, "tips/submit.html", context)

    try:
        return _click_response(
            request,
            register=lambda: thing_submit_and_click(
                reader=request.user,
                creator_handle=query["creator"],
                url=query["url"],
                title=query["title"],
            ),
            origin=origin,
            back_url=here,
        )
    except SubmissionInvalid as error:  # another creator registered the URL meanwhile
        return render(request, "tips/submit_invalid.html", {"message": error.message}, status=400)


@xframe_options_exempt
@require_GET
def submit_widget(request: HttpRequest) -> HttpResponse:
    """The widget of an auto-submit link: the thing's widget once it exists, else a zero count."""
    origin = web_origin(request.GET.get("origin"))
    query = _link_fields(request.GET)
    try:
        submission = _resolve(query)
    except SubmissionInvalid as error:
        response = HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
        response["Content-Security-Policy"] = FRAMABLE_POLICY
        return response
    if submission.thing is not None:
        target = reverse("tips:widget", kwargs={"pk": submission.thing.pk})
        return redirect(with_query(target, origin=origin, lang=request.GET.get("lang")))
    context = {
        "card": {"pk": None, "title": submission.title, "total": 0, "this_month": 0},
        "thing_url": settings.SITE_URL + with_query(reverse("tips:submit"), **query),
    }
    # Like the thing's widget: in the language the embedding page asked for.
    with translation.override(embed_language(request)):
        response = render(request, "tips/widget.html", context)
    response["Content-Security-Policy"] = FRAMABLE_POLICY
    return response
