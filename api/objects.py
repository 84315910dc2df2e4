"""The API's objects as JSON (docs/API-V2.md, Objects): thing, mini thing, user, mini user,
flattr, subscription. Times are Unix seconds."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.urls import reverse

from flattr_clone.months import month_of
from tips.clicks.models import Click
from tips.subscriptions.models import Subscription
from tips.things.models import Thing


def unix(moment: dt.datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def api_language(language: str) -> str:
    """Our BCP 47 code (``en-GB``) as Flattr writes it (``en_GB``)."""
    return language.replace("-", "_")


def things_for(things: QuerySet, user=None) -> QuerySet:
    """``things`` with what a thing object shows: counts, and for a caller ``flattred`` (this
    month) and ``subscribed``."""
    active = Q(clicks__revoked_at__isnull=True)
    things = things.select_related("owner").annotate(
        flattr_count=Count("clicks", filter=active),
        flattr_user_count=Count("clicks__reader", filter=active, distinct=True),
        last_flattr=Max("clicks__created_at", filter=active),
    )
    if user is not None and user.is_authenticated:
        month = month_of()
        things = things.annotate(
            caller_flattred=Exists(
                Click.objects.filter(
                    thing=OuterRef("pk"), reader=user, month=month, revoked_at__isnull=True
                )
            ),
            caller_subscribed=Exists(
                Subscription.objects.filter(
                    Q(last_month__isnull=True) | Q(last_month__gte=month),
                    thing=OuterRef("pk"),
                    reader=user,
                    status__in=Subscription.OPEN,
                )
            ),
        )
    return things


def mini_user(user) -> dict:
    return {
        "type": "user",
        "resource": absolute(reverse("api:user", kwargs={"username": user.handle})),
        "link": absolute(user.get_absolute_url()),
        "username": user.handle,
    }


def user_object(user, *, scopes: frozenset[str] = frozenset(), me: bool = False) -> dict:
    first, _space, last = (user.display_name or "").partition(" ")
    answer = {
        **mini_user(user),
        "url": "",
        "firstname": first,
        "lastname": last,
        "avatar": "",
        "about": "",
        "city": "",
        "country": "",
    }
    if me and "email" in scopes:
        answer["email"] = user.email
    if me and "extendedread" in scopes:
        answer["registered_at"] = unix(user.date_joined)
    return answer


def _count(thing: Thing, name: str, fallback) -> int:
    value = getattr(thing, name, None)
    return fallback() if value is None else value


def mini_thing(thing: Thing) -> dict:
    return {
        "type": "thing",
        "resource": absolute(reverse("api:thing", kwargs={"ids": str(thing.pk)})),
        "link": absolute(thing.get_absolute_url()),
        "id": thing.pk,
        "url": thing.url,
        "title": thing.title,
        "image": thing.image,
        "flattrs": _count(
            thing, "flattr_count", lambda: thing.clicks.filter(revoked_at__isnull=True).count()
        ),
    }


def thing_object(thing: Thing, *, user=None, full: bool = False) -> dict:
    """A thing read through ``things_for`` (counts annotated). ``full``: its owner as a user
    object rather than a mini user."""
    answer = {
        **mini_thing(thing),
        "description": thing.description,
        "flattrs_user_count": _count(
            thing,
            "flattr_user_count",
            lambda: (
                thing.clicks.filter(revoked_at__isnull=True).values("reader").distinct().count()
            ),
        ),
        "tags": thing.tag_list,
        "language": api_language(thing.language),
        "category": thing.category,
        "created_at": unix(thing.created_at),
        "hidden": thing.hidden,
        "owner": user_object(thing.owner) if full else mini_user(thing.owner),
    }
    if user is not None and user.is_authenticated:
        answer["flattred"] = bool(getattr(thing, "caller_flattred", False))
        answer["subscribed"] = bool(getattr(thing, "caller_subscribed", False))
        if thing.owner_id == user.pk:
            answer["last_flattr_at"] = unix(getattr(thing, "last_flattr", None))
            answer["updated_at"] = unix(thing.updated_at)
    return answer


def flattr_object(click: Click, *, full: bool = False) -> dict:
    return {
        "type": "flattr",
        "thing": thing_object(click.thing, full=False) if full else mini_thing(click.thing),
        "owner": user_object(click.reader) if full else mini_user(click.reader),
        "created_at": unix(click.created_at),
    }


def subscription_object(subscription: Subscription) -> dict:
    return {
        "type": "subscription",
        "thing": mini_thing(subscription.thing),
        "status": subscription.status_in(month_of()),
        "months": subscription.months,
        "first_month": subscription.first_month.strftime("%Y-%m"),
        "last_month": subscription.last_month.strftime("%Y-%m")
        if subscription.last_month
        else None,
        "created_at": unix(subscription.created_at),
    }
