"""Reads for things and clicks: counts (cached), who may click, this month's estimate."""

from __future__ import annotations

import dataclasses
import datetime as dt
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from payouts.ledger import balance_cents
from payouts.selectors import current_budget

from .cache import safe_get, safe_set
from .canonical import InvalidURL, canonical_url
from .models import Click, Thing
from .months import format_month, month_of
from .split import split_given

# Counts may lag an admin action (e.g. a suspension) by this long; clicks and
# revokes invalidate them at once.
CARD_TIMEOUT_SECONDS = 300


# --- Who may click -------------------------------------------------------------


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


def current_budget_cents(user) -> int:
    """The reader's monthly budget in effect now (0 when never set)."""
    return current_budget(user) or 0


def reader_blocker(reader) -> Blocker | None:
    """What the reader lacks to click anything: a verified e-mail, a budget, money."""
    if not EmailAddress.objects.filter(user=reader, verified=True).exists():
        return Blocker(
            "unverified",
            _("Verify your e-mail address to flattr. Check your inbox for the link."),
            reverse("account_email"),
            _("Verify my e-mail address"),
        )
    if current_budget_cents(reader) <= 0:
        return Blocker(
            "no_budget",
            _("Set a monthly budget to flattr."),
            wallet_url(),
            _("Set my budget"),
        )
    if balance_cents(reader, "wallet") <= 0:
        return Blocker(
            "empty_wallet",
            _("Your wallet is empty. Top it up to flattr."),
            wallet_url(),
            _("Top up my wallet"),
        )
    return None


def thing_blocker(thing: Thing) -> Blocker | None:
    """Why nobody can click ``thing`` right now, if anything."""
    if thing.hidden:
        return Blocker("hidden", _("This thing is hidden by its creator and cannot be flattred."))
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
    if thing.owner_id == reader.pk:
        return Blocker("own_thing", _("This is your own thing: you cannot flattr it."))
    return thing_blocker(thing) or reader_blocker(reader)


# --- Counts ---------------------------------------------------------------------


def card_key(thing_pk: int, month: dt.date) -> str:
    return f"tips:card:{thing_pk}:{format_month(month)}"


def thing_card(thing_pk: int) -> dict | None:
    """What widgets and badges show: ``{"pk", "title", "hidden", "total", "this_month"}``.

    Read through the cache (no query when warm); the month is in the key, so
    a new month starts from fresh counts. None when the thing does not exist.
    """
    month = month_of()
    key = card_key(thing_pk, month)
    card = safe_get(key)
    if card is not None:
        return card
    thing = Thing.objects.filter(pk=thing_pk).values("pk", "title", "hidden").first()
    if thing is None:
        return None
    counts = Click.objects.filter(thing_id=thing_pk, revoked_at__isnull=True).aggregate(
        total=Count("pk"), this_month=Count("pk", filter=Q(month=month))
    )
    card = {**thing, **counts}
    safe_set(key, card, CARD_TIMEOUT_SECONDS)
    return card


def reader_click(reader, thing: Thing, month: dt.date | None = None) -> Click | None:
    """The reader's click on ``thing`` this month (revoked or not), if any."""
    if reader is None or not reader.is_authenticated:
        return None
    return Click.objects.filter(reader=reader, thing=thing, month=month or month_of()).first()


# --- Lists --------------------------------------------------------------------


def _with_counts(things: QuerySet, month: dt.date) -> QuerySet:
    active = Q(clicks__revoked_at__isnull=True)
    return things.annotate(
        total_clicks=Count("clicks", filter=active),
        month_clicks=Count("clicks", filter=active & Q(clicks__month=month)),
    )


def creator_things(creator) -> QuerySet:
    """All of a creator's things, hidden ones included, with their counts."""
    return _with_counts(Thing.objects.filter(owner=creator), month_of())


def profile_things(creator) -> QuerySet:
    """A creator's visible things, for their public profile."""
    return _with_counts(Thing.objects.filter(owner=creator, hidden=False), month_of())


def public_creator(handle: str):
    """The active user with this handle (case-insensitive), or None."""
    return get_user_model().objects.filter(handle__iexact=handle, is_active=True).first()


def month_clicks(reader, month: dt.date) -> list[Click]:
    """Every click of ``reader`` in ``month``, revoked ones included, newest first."""
    return list(
        Click.objects.filter(reader=reader, month=month)
        .select_related("thing", "creator")
        .order_by("-created_at", "-id")
    )


# --- This month's estimate --------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Estimate:
    budget_cents: int
    wallet_cents: int
    given_cents: int
    commission_cents: int
    # (creator, share in cents) in the order payday hands out leftover cents.
    shares: list[tuple]
    # Creators clicked who would receive nothing (suspended or deleted accounts).
    excluded: list


def eligible_creators_by_reader(clicks: QuerySet) -> dict[int, set[int]]:
    """PRODUCT.md, Payday step 5, for the readers of ``clicks`` (unrevoked clicks of one
    month): each reader's eligible creators, the distinct owners of what they clicked minus
    the reader minus suspended or deleted creators. Every reader of ``clicks`` is a key, with
    an empty set when nobody is eligible. One query; payday, the estimates and the dashboards
    all use it, so they cannot disagree on who gets a share.
    """
    eligible = Case(
        When(creator__is_active=True, creator__suspended_at__isnull=True, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    pairs = (
        # No ordering: Click's default ordering would turn DISTINCT into "every click".
        clicks.order_by()
        .annotate(eligible=eligible)
        .values_list("reader_id", "creator_id", "eligible")
        .distinct()
    )
    readers: dict[int, set[int]] = {}
    for reader_id, creator_id, is_eligible in pairs:
        creators = readers.setdefault(reader_id, set())
        if is_eligible and creator_id != reader_id:
            creators.add(creator_id)
    return readers


def month_estimate(reader, month: dt.date) -> Estimate:
    """What payday would do with ``reader``'s money if ``month`` ended now (tips.split)."""
    budget = current_budget_cents(reader)
    wallet = balance_cents(reader, "wallet")
    given = min(budget, wallet)
    clicks = Click.objects.filter(reader=reader, month=month, revoked_at__isnull=True)
    creator_ids = set(clicks.values_list("creator_id", flat=True)) - {reader.pk}
    creators = get_user_model().objects.in_bulk(creator_ids)
    eligible = eligible_creators_by_reader(clicks).get(reader.pk, set())
    excluded = [creator for pk, creator in creators.items() if pk not in eligible]
    split = split_given(
        month=month,
        reader_pk=reader.pk,
        given_cents=given,
        creator_pks=eligible,
        rate_basis_points=settings.COMMISSION_RATE_BASIS_POINTS,
    )
    return Estimate(
        budget_cents=budget,
        wallet_cents=wallet,
        given_cents=split.given_cents,
        commission_cents=split.commission_cents,
        shares=[(creators[pk], cents) for pk, cents in split.shares.items()],
        excluded=excluded,
    )


# --- Auto-submit links --------------------------------------------------------------


class SubmissionInvalid(ValueError):
    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


@dataclasses.dataclass(frozen=True)
class Submission:
    creator: object
    url: str  # canonical
    title: str
    thing: Thing | None  # the thing already registered at this URL, if any


def default_title(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}{parts.path}".rstrip("/")[:200]


def parse_submission(params) -> Submission:
    """Read ``creator``, ``url`` and ``title`` of an auto-submit link; never writes anything."""
    try:
        url = canonical_url(params.get("url", ""))
    except InvalidURL as error:
        raise SubmissionInvalid(error.message) from error
    title = " ".join(params.get("title", "").split())[:200] or default_title(url)
    thing = Thing.objects.select_related("owner").filter(url=url).first()
    if thing is not None:
        # An existing thing keeps its owner, whoever the link names.
        return Submission(thing.owner, url, thing.title, thing)
    handle = params.get("creator", "").strip().lstrip("@")
    creator = public_creator(handle) if handle else None
    if creator is None:
        raise SubmissionInvalid(_("This link names no creator of this platform."))
    return Submission(creator, url, title, None)
