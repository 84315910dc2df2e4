"""Reads for clicks: who may click (docs/PRODUCT.md, Clicks) and a reader's clicks of a month."""

from __future__ import annotations

import dataclasses
import datetime as dt

from allauth.account.models import EmailAddress
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from flattr_clone.months import month_of
from payouts.cards.selectors import card_works, pays_after_month
from payouts.funding.selectors import budget_in_effect
from payouts.ledger.models import Account
from payouts.ledger.selectors import balance_cents
from tips.clicks.models import Click
from tips.things.models import Thing


@dataclasses.dataclass(frozen=True)
class Blocker:
    """Why a click is not possible, in words for the reader, and where to fix it."""

    code: str
    message: str
    fix_url: str = ""
    fix_label: str = ""


def wallet_url() -> str:
    """The wallet page (budget and top-ups); a plain path until that page is wired."""
    try:
        return reverse("payouts:wallet")
    except NoReverseMatch:
        return "/wallet/"


def suspension_blocker(reader) -> Blocker | None:
    """A suspended reader makes no new click (their past clicks still count): say so, with the
    operators' reason and, when the platform has one, the address to write to."""
    if not reader.is_suspended:
        return None
    reason = " ".join(reader.suspension_reason.split())
    if reason:
        message = _(
            "Your account is suspended, so you cannot flattr (reason: %(reason)s). "
            "Contact the operators to resolve it."
        ) % {"reason": reason}
    else:
        message = _(
            "Your account is suspended, so you cannot flattr. Contact the operators to resolve it."
        )
    if not settings.CONTACT_EMAIL:
        return Blocker("suspended", message)
    return Blocker(
        "suspended",
        message,
        f"mailto:{settings.CONTACT_EMAIL}",
        _("Write to the operators at %(address)s") % {"address": settings.CONTACT_EMAIL},
    )


def reader_blocker(reader) -> Blocker | None:
    """What the reader lacks to click anything: not to be suspended, a verified e-mail, a
    budget, money."""
    blocker = suspension_blocker(reader)
    if blocker is not None:
        return blocker
    if not EmailAddress.objects.filter(user=reader, verified=True).exists():
        return Blocker(
            "unverified",
            _("Verify your e-mail address to flattr. Check your inbox for the link."),
            reverse("account_email"),
            _("Verify my e-mail address"),
        )
    budget = budget_in_effect(reader)
    if budget is None or budget.amount_cents <= 0:
        return Blocker(
            "no_budget",
            _("Set a monthly budget to flattr."),
            wallet_url(),
            _("Set my budget"),
        )
    if pays_after_month(reader):
        return card_blocker(reader)
    if balance_cents(reader, Account.Kind.WALLET) <= 0:
        return Blocker(
            "empty_wallet",
            _("Your wallet is empty. Top it up to flattr."),
            wallet_url(),
            _("Top up my wallet"),
        )
    return None


def card_blocker(reader) -> Blocker | None:
    """docs/PRODUCT.md, Clicks: a reader who pays after the month needs a saved card whose last
    charge did not finally fail (saving a card again lifts it)."""
    if not card_works(reader):
        return Blocker(
            "card_failed",
            _(
                "Your last payment after the month could not be collected. Save a card that "
                "works to flattr again."
            ),
            wallet_url(),
            _("Save a card"),
        )
    return None


def retired_message() -> str:
    return _(
        "This thing is no longer available: its creator withdrew it, so it cannot be flattred."
    )


def thing_blocker(thing: Thing) -> Blocker | None:
    """Why nobody can click ``thing`` right now, if anything."""
    if thing.is_retired:
        return Blocker("retired", retired_message())
    owner = thing.owner
    if owner.is_suspended or not owner.is_active:
        return Blocker(
            "creator_unavailable",
            _("This creator's account is suspended, so their things cannot be flattred."),
        )
    return None


def click_blocker(reader, thing: Thing, *, login_url: str = "") -> Blocker | None:
    """What stops ``reader`` (maybe anonymous) from clicking ``thing``; None if nothing."""
    if reader is None or not reader.is_authenticated:
        return Blocker(
            "anonymous",
            _("Log in to flattr this."),
            login_url or reverse("account_login"),
            _("Log in"),
        )
    # Before anything about the thing: a suspended reader flattrs nothing at all.
    blocker = suspension_blocker(reader)
    if blocker is not None:
        return blocker
    if thing.owner_id == reader.pk:
        return Blocker("own_thing", _("This is your own thing: you cannot flattr it."))
    return thing_blocker(thing) or reader_blocker(reader)


def reader_click(reader, thing: Thing, month: dt.date | None = None) -> Click | None:
    """The reader's click on ``thing`` this month (revoked or not), if any."""
    if reader is None or not reader.is_authenticated:
        return None
    return Click.objects.filter(reader=reader, thing=thing, month=month or month_of()).first()


def month_clicks(reader, month: dt.date) -> list[Click]:
    """Every click of ``reader`` in ``month``, revoked ones included, newest first."""
    return list(
        Click.objects.filter(reader=reader, month=month)
        .select_related("thing", "creator")
        .order_by("-created_at", "-id")
    )
