"""The resources of Flattr's REST API v2 (docs/API-V2.md, Resources). Every write goes through
the services the web pages use, so the API obeys the same rules."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from api import params
from api import schema as S
from api.auth import require_scope, require_user, scopes_of
from api.errors import ApiError, error_body, forbidden, invalid_parameters, not_found, validation
from api.objects import (
    absolute,
    flattr_object,
    mini_thing,
    subscription_object,
    thing_object,
    things_for,
    user_object,
)
from api.ratelimit import rate_state
from api.schema import AUTH, READ, doc, errors
from flattr_clone.months import month_of
from flattr_clone.ratelimit import rate_limit_hit
from tips.clicks.models import Click
from tips.clicks.ratelimit import click_allowed, click_limit
from tips.clicks.services import ClickRefused, ClickResult, click_register
from tips.embeds.services import thing_submit_and_click
from tips.embeds.submissions import SubmissionInvalid, default_title, submission_resolve
from tips.subscriptions.models import Subscription
from tips.subscriptions.selectors import open_subscription
from tips.subscriptions.services import (
    SubscriptionRefused,
    subscription_cancel,
    subscription_pause,
    subscription_resume,
    subscription_start,
)
from tips.things.canonical import InvalidURL, canonical_url, url_identity
from tips.things.models import Category, Thing
from tips.things.search import public_things, search_things
from tips.things.services import thing_create, thing_set_retired, thing_update

# Flattr's language ids (``/rest/v2/languages``); a thing may also carry any other code.
LANGUAGES = [
    "ar_DZ", "be_BY", "bg_BG", "ca_ES", "cs_CZ", "da_DK", "de_DE", "el_GR", "en_GB", "en_US",
    "eo", "es_ES", "et_EE", "eu_ES", "fa_FA", "fi_FI", "fr_FR", "ga_IE", "gl_ES", "he_IL",
    "hi_IN", "hr_HR", "hu_HU", "id_ID", "is_IS", "it_IT", "ja_JP", "ko_KR", "lt_LT", "lv_LV",
    "mk_MK", "ms_MY", "mt_MT", "nl_NL", "nb_NO", "pl_PL", "pt_BR", "pt_PT", "ro_RO", "ru_RU",
    "sk_SK", "sl_SI", "sq_AL", "sr_RS", "sv_SE", "th_TH", "tr_TR", "uk_UA", "vi_VN", "zh_CN",
]  # fmt: skip
SORTS = ("relevance", "trend", "flattrs", "flattrs_month", "flattrs_week", "flattrs_day")


def language_name(code: str) -> str:
    for candidate in (code.replace("_", "-").lower(), code.split("_")[0].lower()):
        try:
            return get_language_info(candidate)["name"]
        except KeyError:
            continue
    return code


class ApiView(APIView):
    """Counts each call against its caller's hourly limit and answers the limit in headers."""

    count_call = True

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.rate = rate_state(request, count=self.count_call)
        if self.rate.exceeded:
            raise ApiError(
                "rate_limit_exceeded",
                _("You made more than %(limit)s calls this hour. Try again later.")
                % {"limit": self.rate.limit},
                403,
            )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        rate = getattr(self, "rate", None) or rate_state(request, count=self.count_call)
        for name, value in rate.headers().items():
            response[name] = value
        return response

    def options(self, request, *args, **kwargs):
        # CORS preflights are answered by django-cors-headers; say only which methods exist.
        return Response(
            status=status.HTTP_200_OK, headers={"Allow": ", ".join(self.allowed_methods)}
        )


def _user(username: str):
    user = get_user_model().objects.filter(handle__iexact=username, is_active=True).first()
    if user is None:
        raise not_found(_("There is no user called %(name)s.") % {"name": username})
    return user


def _visible_thing(pk: int, request) -> Thing:
    """A thing anyone may see by id: not retired (its owner still sees it)."""
    thing = things_for(Thing.objects.filter(pk=pk), request.user).first()
    if thing is None or (thing.retired and thing.owner_id != request.user.pk):
        raise not_found(_("There is no thing with id %(id)s.") % {"id": pk})
    return thing


def _owned_thing(pk: int, request) -> Thing:
    require_scope(request, "thing")
    thing = get_object_or_404(Thing, pk=pk)
    if thing.owner_id != request.user.pk:
        raise forbidden(_("Only its owner can change this thing."))
    return thing


def _fields(data, thing: Thing | None = None) -> dict:
    """The editable fields of a thing from a request body, Flattr's way (the defaults of a new
    thing, or the thing's current values)."""
    fields = {
        "title": params.text(data, "title", thing.title if thing else ""),
        "description": params.text(data, "description", thing.description if thing else ""),
        "tags": params.text(data, "tags", thing.tags if thing else ""),
        "category": params.text(data, "category", thing.category if thing else Category.REST),
        "language": params.text(data, "language", thing.language if thing else "en_GB"),
        "image": params.text(data, "image", thing.image if thing else ""),
        "hidden": params.boolean(data, "hidden", thing.hidden if thing else False),
    }
    fields["language"] = fields["language"].strip().replace("_", "-")
    return fields


def _validation(error: ValidationError) -> ApiError:
    messages = []
    for field, problems in error.message_dict.items():
        messages.append(f"{field}: {' '.join(str(e) for e in problems)}")
    return validation(" ".join(messages))


CLICK_ERRORS = {
    "own_thing": ("flattr_owner", 403),
    "no_budget": ("no_means", 401),
    "empty_wallet": ("no_means", 401),
    "anonymous": ("unauthorized", 401),
    "retired": ("not_found", 404),
}


def _click(request, register) -> Response:
    """Flattr through the click service (every click rule applies)."""
    require_scope(request, "flattr")
    if not click_allowed(request.user):
        raise forbidden(
            _("You can flattr at most %(limit)s times an hour.")
            % {"limit": click_limit(request.user)},
            "rate_limit_exceeded",
        )
    try:
        result = register()
    except ClickRefused as refused:
        code, status_code = CLICK_ERRORS.get(refused.blocker.code, ("forbidden", 403))
        raise ApiError(code, refused.blocker.message, status_code) from refused
    if result.status == ClickResult.ALREADY:
        raise forbidden(_("You already flattred this thing this month."), "flattr_once")
    thing = things_for(Thing.objects.filter(pk=result.click.thing_id)).get()
    return Response(
        {
            "message": "ok",
            "description": _("You flattred “%(title)s”.") % {"title": thing.title},
            "thing": mini_thing(thing),
        }
    )


class ThingsView(ApiView):
    @doc(
        request=S.ThingCreate,
        responses={201: S.Created, **AUTH},
        summary="Create a thing (scope thing)",
        operation_id="things_create",
    )
    def post(self, request):
        require_scope(request, "thing")
        url = params.text(request.data, "url").strip()
        if not url:
            raise validation(_("url: give the address of the thing."))
        verdict = rate_limit_hit(
            scope="thing-create",
            key=str(request.user.pk),
            limit=settings.THING_CREATE_RATE_LIMIT_PER_HOUR,
        )
        if not verdict.allowed:
            raise forbidden(
                _("You can register at most %(limit)s things an hour.")
                % {"limit": settings.THING_CREATE_RATE_LIMIT_PER_HOUR},
                "rate_limit_exceeded",
            )
        fields = _fields(request.data)
        if not fields["title"].strip():
            try:
                fields["title"] = default_title(canonical_url(url))
            except InvalidURL as error:
                raise validation(f"url: {error.message}") from error
        try:
            thing = thing_create(owner=request.user, url=url, **fields)
        except ValidationError as error:
            raise _validation(error) from error
        return Response(
            {
                "id": thing.pk,
                "link": absolute(reverse("api:thing", kwargs={"ids": str(thing.pk)})),
                "message": "ok",
                "description": _("Thing was created successfully"),
            },
            status=status.HTTP_201_CREATED,
        )


class ThingView(ApiView):
    @doc(
        parameters=[S.IDS, S.FULL],
        responses={200: S.THING_OR_THINGS, **READ},
        summary="One thing, or an array of several (ids separated by commas)",
    )
    def get(self, request, ids: str):
        numbers = [int(part) for part in ids.split(",")]
        if len(numbers) > params.MAX_COUNT:
            raise invalid_parameters(_("Ask for at most 100 things at once."))
        full = params.boolean(request.query_params, "full")
        if len(numbers) == 1:
            return Response(
                thing_object(_visible_thing(numbers[0], request), user=request.user, full=full)
            )
        things = things_for(Thing.objects.filter(pk__in=numbers), request.user)
        by_id = {
            thing.pk: thing
            for thing in things
            if not thing.retired or thing.owner_id == request.user.pk
        }
        return Response(
            [
                thing_object(by_id[n], user=request.user, full=full)
                for n in dict.fromkeys(numbers)
                if n in by_id
            ]
        )

    def _one(self, ids: str) -> int:
        if "," in ids:
            raise invalid_parameters(_("Change one thing at a time."))
        return int(ids)

    @doc(
        parameters=[S.IDS],
        request=S.ThingFields,
        responses={200: S.Message, **AUTH},
        summary="Edit a thing (scope thing, owner)",
    )
    def patch(self, request, ids: str):
        thing = _owned_thing(self._one(ids), request)
        fields = _fields(request.data, thing)
        try:
            thing_update(thing=thing, **fields)
        except ValidationError as error:
            raise _validation(error) from error
        return Response({"message": "ok", "description": _("Thing was updated successfully")})

    @doc(
        parameters=[S.IDS],
        request=S.ThingEdit,
        responses={200: S.Message, **AUTH, 405: S.Error},
        summary="Edit a thing with _method=patch",
        operation_id="things_edit_by_post",
    )
    def post(self, request, ids: str):
        if params.text(request.data, "_method").strip().lower() == "patch":
            return self.patch(request, ids)
        return self.http_method_not_allowed(request)

    @doc(
        parameters=[S.IDS],
        responses={204: None, **AUTH},
        summary="Retire a thing (scope thing, owner)",
    )
    def delete(self, request, ids: str):
        thing = _owned_thing(self._one(ids), request)
        thing_set_retired(thing=thing, retired=True)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _auto_submit_fields(url: str) -> dict | None:
    """The ``creator``, ``url`` and ``title`` of one of our auto-submit links, else None."""
    parts = urlsplit(url)
    site = urlsplit(settings.SITE_URL)
    if parts.netloc.lower() != site.netloc.lower():
        return None
    try:
        match = resolve(parts.path or "/")
    except Resolver404:
        return None
    if match.view_name != "tips:submit":
        return None
    query = dict(parse_qsl(parts.query))
    return {name: query.get(name, "") for name in ("creator", "url", "title")}


class ThingLookupView(ApiView):
    @doc(
        parameters=[OpenApiParameter("url", OpenApiTypes.STR, required=True)],
        responses={
            200: S.LookupAnswer,
            302: S.LookupAnswer,
            404: S.LookupAnswer,
            **errors(400, 401, 403, 406),
        },
        summary="Find a thing by URL",
    )
    def get(self, request):
        url = params.text(request.query_params, "url").strip()
        if not url:
            raise invalid_parameters(_("url: give the address to look up."))
        fields = _auto_submit_fields(url)
        thing = None
        flattrable = False
        if fields is not None:
            try:
                submission = submission_resolve(
                    creator_handle=fields["creator"], url=fields["url"], title=fields["title"]
                )
            except SubmissionInvalid:
                submission = None
            if submission is not None:
                thing = submission.thing
                flattrable = thing is None
        else:
            try:
                thing = Thing.objects.filter(url_key=url_identity(canonical_url(url))).first()
            except InvalidURL:
                thing = None
        if thing is not None and not thing.retired:
            location = absolute(reverse("api:thing", kwargs={"ids": str(thing.pk)}))
            return Response(
                {"message": "found", "location": location},
                status=status.HTTP_302_FOUND,
                headers={"Location": location},
            )
        if flattrable:
            return Response({"message": "flattrable"})
        description = _("No thing is registered at this address.")
        return Response(
            {
                "message": "not_found",
                "description": description,
                **error_body("not_found", description),
            },
            status=status.HTTP_404_NOT_FOUND,
        )


def _sorted(things, sort: str, has_query: bool):
    if sort == "relevance":
        return things if has_query else things.order_by("-created_at", "-id")
    now = timezone.now()
    active = Q(clicks__revoked_at__isnull=True)
    since = {
        "flattrs": None,
        "flattrs_month": Q(clicks__month=month_of()),
        "flattrs_week": Q(clicks__created_at__gte=now - dt.timedelta(days=7)),
        "trend": Q(clicks__created_at__gte=now - dt.timedelta(days=7)),
        "flattrs_day": Q(clicks__created_at__gte=now - dt.timedelta(days=1)),
    }[sort]
    wanted = active if since is None else active & since
    return things.annotate(sort_clicks=Count("clicks", filter=wanted)).order_by(
        "-sort_clicks", "-created_at", "-id"
    )


class ThingSearchView(ApiView):
    @doc(
        parameters=[
            OpenApiParameter(n, OpenApiTypes.STR)
            for n in ("query", "url", "tags", "language", "category", "user")
        ]
        + [OpenApiParameter("sort", OpenApiTypes.STR, enum=list(SORTS))]
        + S.LIST,
        responses={200: S.SearchResult, **READ},
        summary="Search things",
    )
    def get(self, request):
        data = request.query_params
        query = params.text(data, "query").strip()
        sort = params.text(data, "sort", "relevance" if query else "trend").strip() or "relevance"
        if sort not in SORTS:
            raise invalid_parameters(
                _("sort must be one of: %(sorts)s.") % {"sorts": ", ".join(SORTS)}
            )
        full = params.boolean(data, "full")
        things = public_things()
        url = params.text(data, "url").strip()
        if url:
            # Things whose address starts with this one (a site, or a part of it).
            try:
                prefix = url_identity(canonical_url(url)).rstrip("/")
                things = things.filter(url_key__startswith=prefix)
            except InvalidURL as error:
                raise invalid_parameters(f"url: {error.message}") from error
        for tag in (t.strip() for t in params.text(data, "tags").split(",")):
            if tag:
                things = things.filter(tags__icontains=tag)
        languages = [c.strip().replace("_", "-") for c in params.text(data, "language").split(",")]
        if any(languages):
            things = things.filter(language__in=[c for c in languages if c])
        categories = [c.strip() for c in params.text(data, "category").split(",") if c.strip()]
        if categories:
            things = things.filter(category__in=categories)
        username = params.text(data, "user").strip()
        if username:
            things = things.filter(owner__handle__iexact=username)
        if query:
            things = search_things(query, things=things)
        things = _sorted(things, sort, bool(query))
        page, count = params.page_and_count(data)
        total = things.count()
        items = list(things_for(things, request.user)[(page - 1) * count : page * count])
        return Response(
            {
                "total_items": total,
                "items": len(items),
                "page": page,
                "things": [thing_object(t, user=request.user, full=full) for t in items],
            }
        )


class ThingFlattrView(ApiView):
    @doc(request=None, responses={200: S.Flattred, **AUTH}, summary="Flattr a thing (scope flattr)")
    def post(self, request, pk: int):
        thing = get_object_or_404(Thing, pk=pk)
        return _click(request, lambda: click_register(reader=request.user, thing=thing))


class FlattrByUrlView(ApiView):
    @doc(
        request=S.FlattrByUrl,
        responses={200: S.Flattred, **AUTH},
        summary="Flattr by URL (scope flattr)",
    )
    def post(self, request):
        url = params.text(request.data, "url").strip()
        if not url:
            raise invalid_parameters(_("url: give the address to flattr."))
        require_scope(request, "flattr")
        fields = _auto_submit_fields(url)
        if fields is not None:

            def register():
                try:
                    return thing_submit_and_click(
                        reader=request.user,
                        creator_handle=fields["creator"],
                        url=fields["url"],
                        title=fields["title"],
                    )
                except SubmissionInvalid as error:
                    raise validation(error.message) from error

            return _click(request, register)
        try:
            thing = Thing.objects.filter(url_key=url_identity(canonical_url(url))).first()
        except InvalidURL as error:
            raise validation(f"url: {error.message}") from error
        if thing is None:
            raise not_found(_("No thing is registered at this address."))
        return _click(request, lambda: click_register(reader=request.user, thing=thing))


def _public_clicks():
    return (
        Click.objects.filter(
            revoked_at__isnull=True,
            reader__public_flattrs=True,
            reader__is_active=True,
            thing__retired=False,
        )
        .select_related("thing", "thing__owner", "reader")
        .order_by("-created_at", "-id")
    )


def _flattrs(request, clicks) -> Response:
    full = params.boolean(request.query_params, "full")
    page, _page = params.paginate(clicks, request.query_params)
    return Response([flattr_object(click, full=full) for click in page])


def _things(request, things) -> Response:
    full = params.boolean(request.query_params, "full")
    page, _page = params.paginate(things_for(things, request.user), request.query_params)
    return Response([thing_object(thing, user=request.user, full=full) for thing in page])


class ThingFlattrsView(ApiView):
    @doc(
        parameters=S.LIST,
        responses={200: S.Flattr(many=True), **READ},
        summary="A thing's public flattrs",
    )
    def get(self, request, pk: int):
        thing = _visible_thing(pk, request)
        return _flattrs(request, _public_clicks().filter(thing=thing))


class UserView(ApiView):
    @doc(responses={200: S.User, **READ}, summary="A user")
    def get(self, request, username: str):
        user = _user(username)
        me = request.user.is_authenticated and request.user.pk == user.pk
        return Response(user_object(user, scopes=scopes_of(request), me=me))


class UserThingsView(ApiView):
    @doc(
        parameters=S.LIST,
        responses={200: S.Thing(many=True), **READ},
        summary="A user's listed things",
    )
    def get(self, request, username: str):
        user = _user(username)
        return _things(request, public_things().filter(owner=user).order_by("-created_at", "-id"))


class UserFlattrsView(ApiView):
    @doc(
        parameters=S.LIST,
        responses={200: S.Flattr(many=True), **READ},
        summary="A user's public flattrs",
    )
    def get(self, request, username: str):
        user = _user(username)
        return _flattrs(request, _public_clicks().filter(reader=user))


class MeView(ApiView):
    @doc(responses={200: S.User, **AUTH}, summary="The caller")
    def get(self, request):
        require_user(request)
        return Response(user_object(request.user, scopes=scopes_of(request), me=True))


class MeThingsView(ApiView):
    @doc(
        parameters=S.LIST,
        responses={200: S.Thing(many=True), **AUTH},
        summary="The caller's things",
    )
    def get(self, request):
        require_user(request)
        return _things(
            request, Thing.objects.filter(owner=request.user).order_by("-created_at", "-id")
        )


class MeFlattrsView(ApiView):
    @doc(
        parameters=S.LIST,
        responses={200: S.Flattr(many=True), **AUTH},
        summary="The caller's flattrs",
    )
    def get(self, request):
        require_user(request)
        clicks = (
            Click.objects.filter(reader=request.user, revoked_at__isnull=True)
            .select_related("thing", "thing__owner", "reader")
            .order_by("-created_at", "-id")
        )
        return _flattrs(request, clicks)


class MeSubscriptionsView(ApiView):
    @doc(
        parameters=[S.PAGE, S.COUNT],
        responses={200: S.Subscription(many=True), **AUTH},
        summary="The caller's subscriptions",
    )
    def get(self, request):
        require_user(request)
        subscriptions = (
            Subscription.objects.filter(reader=request.user, status__in=Subscription.OPEN)
            .select_related("thing")
            .order_by("-created_at", "-id")
        )
        page, _page = params.paginate(subscriptions, request.query_params)
        return Response([subscription_object(s) for s in page])


class ThingSubscriptionsView(ApiView):
    def _subscription(self, request, pk: int) -> Subscription:
        require_scope(request, "flattr")
        thing = get_object_or_404(Thing, pk=pk)
        subscription = open_subscription(reader=request.user, thing=thing)
        if subscription is None:
            raise not_found(_("You have no subscription to this thing."))
        return subscription

    @doc(
        request=S.SubscriptionStart,
        responses={201: S.Subscription, **AUTH},
        summary="Subscribe (scope flattr)",
    )
    def post(self, request, pk: int):
        require_scope(request, "flattr")
        thing = get_object_or_404(Thing, pk=pk)
        raw = params.text(request.data, "months").strip()
        if raw in ("", "0", "none", "null"):
            months = None
        elif raw.isdigit():
            months = int(raw)
        else:
            raise invalid_parameters(_("months must be 3, 6, 12 or empty (until cancelled)."))
        try:
            started = subscription_start(reader=request.user, thing=thing, months=months)
        except ClickRefused as refused:
            code, status_code = CLICK_ERRORS.get(refused.blocker.code, ("forbidden", 403))
            raise ApiError(code, refused.blocker.message, status_code) from refused
        except SubscriptionRefused as refused:
            raise validation(refused.message) from refused
        return Response(subscription_object(started.subscription), status=status.HTTP_201_CREATED)

    @doc(
        request=None,
        responses={200: S.Subscription, **AUTH},
        summary="Pause or resume (scope flattr)",
    )
    def put(self, request, pk: int):
        subscription = self._subscription(request, pk)
        try:
            if subscription.status == Subscription.Status.PAUSED:
                subscription = subscription_resume(reader=request.user, subscription=subscription)
            else:
                subscription = subscription_pause(reader=request.user, subscription=subscription)
        except SubscriptionRefused as refused:
            raise validation(refused.message) from refused
        return Response(subscription_object(subscription))

    @doc(responses={204: None, **AUTH}, summary="End a subscription (scope flattr)")
    def delete(self, request, pk: int):
        subscription = self._subscription(request, pk)
        try:
            subscription_cancel(reader=request.user, subscription=subscription)
        except SubscriptionRefused as refused:
            raise validation(refused.message) from refused
        return Response(status=status.HTTP_204_NO_CONTENT)


class CategoriesView(ApiView):
    @doc(responses={200: S.IdText(many=True), **errors(401, 403, 406)}, summary="Categories")
    def get(self, request):
        return Response([{"id": value, "text": str(label)} for value, label in Category.choices])


class LanguagesView(ApiView):
    @doc(responses={200: S.IdText(many=True), **errors(401, 403, 406)}, summary="Languages")
    def get(self, request):
        return Response([{"id": code, "text": language_name(code)} for code in LANGUAGES])


class RateLimitView(ApiView):
    count_call = False

    @doc(responses={200: S.RateLimit, **errors(401, 403, 406)}, summary="The caller's rate limit")
    def get(self, request):
        rate = self.rate
        return Response(
            {
                "hourly_limit": rate.limit,
                "remaining_hits": rate.remaining,
                "current_hits": rate.current,
                "reset_time_in_seconds": max(rate.reset - int(timezone.now().timestamp()), 0),
                "reset_time": dt.datetime.fromtimestamp(rate.reset, tz=dt.UTC).strftime(
                    "%a, %d %b %Y %H:%M:%S GMT"
                ),
            }
        )
