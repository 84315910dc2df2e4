"""Reads for clicks: who may click (docs/PRODUCT.md, Clicks) and a reader's clicks of a month."""

from __future__ import annotations

import dataclasses
import datetime as dt

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from flattr_clone.db import PreparedQuery
from flattr_clone.months import month_of
from payouts.cards.selectors import card_works
from payouts.funding.models import FundingMode, ReaderFunding
from payouts.funding.selectors import budget_in_effect_cents_subquery
from payouts.ledger.models import Account
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


@dataclasses.dataclass(frozen=True)
class ReaderStanding:
    """What the click rules need to know of a reader, read from the database at once."""

    suspended_at: dt.datetime | None
    suspension_reason: str
    verified: bool
    budget_cents: int | None  # the budget in effect now; None when never set
    wallet_cents: int
    pays_after_month: bool = False  # funds by a card charged after the month


def _standing_query(*, pk: int, now: dt.datetime):
    return (
        get_user_model()
        .objects.filter(pk=pk)
        .annotate(
            verified=Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)),
            budget=budget_in_effect_cents_subquery(OuterRef("pk"), at=now),
            wallet=Subquery(
                Account.objects.filter(kind=Account.Kind.WALLET, user=OuterRef("pk")).values(
                    "balance_cents"
                )[:1]
            ),
            after_month=Exists(
                ReaderFunding.objects.filter(user=OuterRef("pk"), mode=FundingMode.AFTER_MONTH)
            ),
        )
        .values_list(
            "suspended_at", "suspension_reason", "verified", "budget", "wallet", "after_month"
        )
        .order_by()
    )


# Compiled once per process: building this queryset took five times as long as running it.
_STANDING = PreparedQuery(
    _standing_query,
    pk=-7_777_777_777,
    now=dt.datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=dt.UTC),
)


def reader_standing(reader) -> ReaderStanding:
    """The reader's suspension, verified e-mail, budget in effect, wallet balance and way of
    paying, in ONE query (a click reads every rule; five round trips were a third of its
    time)."""
    rows = _STANDING.rows(pk=reader.pk, now=timezone.now())
    if not rows:  # deleted meanwhile: nothing to stand on
        return ReaderStanding(None, "", False, None, 0)
    suspended_at, reason, verified, budget, wallet, after_month = rows[0]
    return ReaderStanding(
        suspended_at, reason, bool(verified), budget, wallet or 0, bool(after_month)
    )


def reader_blocker(reader, standing: ReaderStanding | None = None) -> Blocker | None:
    """What the reader lacks to click anything: not to be suspended, a verified e-mail, a
    budget, money. ``standing`` as read by ``reader_standing`` (read now when not given)."""
    if standing is None:
        standing = reader_standing(reader)
    blocker = suspension_blocker(reader)
    if blocker is not None:
        return blocker
    if not standing.verified:
        return Blocker(
            "unverified",
            _("Verify your e-mail address to flattr. Check your inbox for the link."),
            reverse("account_email"),
            _("Verify my e-mail address"),
        )
    if standing.budget_cents is None or standing.budget_cents <= 0:
        return Blocker(
            "no_budget",
            _("Set a monthly budget to flattr."),
            wallet_url(),
            _("Set my budget"),
        )
    if standing.pays_after_month:
        return card_blocker(reader)
    if standing.wallet_cents <= 0:
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
    # Every rule about the reader in one query. The suspension comes from the database, not
    # from the caller's user object, which may have been loaded before an operator suspended
    # the reader.
    standing = reader_standing(reader)
    reader.suspended_at = standing.suspended_at
    reader.suspension_reason = standing.suspension_reason
    # Before anything about the thing: a suspended reader flattrs nothing at all.
    blocker = suspension_blocker(reader)
    if blocker is not None:
        return blocker
    if thing.owner_id == reader.pk:
        return Blocker("own_thing", _("This is your own thing: you cannot flattr it."))
    return thing_blocker(thing) or reader_blocker(reader, standing)


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
