"""``{% subscribe_control thing %}``: the "flattr every month" control of a thing's page and
popup, in one include, so the pages that show it need no subscription code of their own."""

from __future__ import annotations

from django import template

from flattr_clone.months import month_of
from tips.clicks.selectors import click_blocker
from tips.subscriptions.forms import SubscribeForm
from tips.subscriptions.selectors import open_subscription

register = template.Library()


@register.inclusion_tag("subscriptions/_control.html", takes_context=True)
def subscribe_control(context, thing, *, flattred: bool = False) -> dict:
    """The reader's running subscription to ``thing`` with a link to manage it, or the form to
    start one when the reader could flattr the thing now (``flattred``: they already did this
    month, so that flattr counts as the first month). Nothing for visitors, the owner, or a
    reader the button already tells what is missing."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    month = month_of()
    subscription = open_subscription(reader=user, thing=thing, month=month)
    can_subscribe = subscription is None and click_blocker(user, thing) is None
    return {
        "show": subscription is not None or can_subscribe,
        "thing": thing,
        "subscription": subscription,
        "form": SubscribeForm(auto_id=f"subscribe-{thing.pk}-%s") if can_subscribe else None,
        "flattred": flattred,
        "origin": context.get("origin"),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
