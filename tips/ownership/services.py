"""Writes of ownership: sites added, checked and lapsing, things claimed and reassigned
(docs/PRODUCT.md, Ownership). Every change of a thing's owner goes through
``thing_transfer``: clicks of months whose payday has not started follow the new owner, the
ledger is never touched, both creators are told, the change is kept in the history."""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from tips.clicks.models import Click
from tips.payday.models import PaydayRun
from tips.sites.addresses import prefix_covers, url_host_and_path
from tips.sites.models import OwnershipChange, Site
from tips.sites.selectors import VERIFIED_STATUSES, covering_site
from tips.sites.verification import run_checks
from tips.things.canonical import InvalidURL, canonical_url
from tips.things.cards import forget_thing_card
from tips.things.models import Thing

logger = logging.getLogger(__name__)


def parse_site_address(text: str) -> tuple[str, int | None, str]:
    """(host in punycode, port or None, path prefix "" or "/…/") of what a creator typed:
    ``example.org``, ``https://example.org/~dana/``, ``example.org:8443``."""
    text = (text or "").strip()
    if "://" not in text:
        text = "https://" + text
    try:
        canonical = canonical_url(text)
    except InvalidURL as error:
        raise ValidationError({"address": error.message}) from error
    parts = urlsplit(canonical)
    if parts.query:
        raise ValidationError({"address": _("A site is a host and a path, without a query.")})
    host = parts.hostname or ""
    if host.startswith("[") or host.replace(".", "").isdigit() or "." not in host:
        raise ValidationError({"address": _("Use the site's domain name, not an address.")})
    if len(host) > 253 or len(parts.path) > 190:
        raise ValidationError({"address": _("This address is too long for a site.")})
    port = parts.port
    if port in (80, 443):
        port = None
    prefix = "" if parts.path in ("", "/") else parts.path.rstrip("/") + "/"
    return host, port, prefix


def _conflict(site: Site) -> Site | None:
    """Another creator's verified site that covers this one's (same host, shorter or equal
    prefix): then this one cannot be verified."""
    for other in Site.objects.filter(host=site.host, status__in=VERIFIED_STATUSES).exclude(
        owner_id=site.owner_id
    ):
        if prefix_covers(other.path_prefix, site.path_prefix or "/"):
            return other
    return None


@transaction.atomic
def site_add(*, owner, address: str) -> Site:
    """Add a site to ``owner``'s list with a fresh token (verified later by a check)."""
    host, port, prefix = parse_site_address(address)
    existing = Site.objects.filter(owner=owner, host=host, path_prefix=prefix).first()
    if existing is not None:
        raise ValidationError({"address": _("You already added this site.")})
    site = Site(owner=owner, host=host, port=port, path_prefix=prefix)
    if _conflict(site) is not None:
        raise ValidationError({"address": _("Another creator already verified this site.")})
    try:
        with transaction.atomic():
            site.save()
    except IntegrityError as error:
        raise ValidationError({"address": _("You already added this site.")}) from error
    return site


@transaction.atomic
def site_remove(*, site: Site) -> None:
    """Remove a site; its things stay with their owner, no longer marked verified."""
    OwnershipChange.objects.filter(site=site).update(site=None)
    site.delete()
    for pk in Thing.objects.filter(owner_id=site.owner_id).values_list("pk", flat=True):
        forget_thing_card(pk)


def _notify(user, template: str, context: dict) -> None:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
        body = render_to_string(f"emails/{template}.txt", context)
    send_mail(
        settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )


def _forget_cards_on(site: Site) -> None:
    for pk in things_on_site(site).values_list("pk", flat=True):
        forget_thing_card(pk)


def things_on_site(site: Site):
    """The things whose URL this site covers (and no more specific verified site does)."""
    candidates = Thing.objects.filter(url_key__startswith=f"//{site.host}")
    pks = []
    for thing in candidates.only("pk", "url"):
        host, path = url_host_and_path(thing.url)
        if host == site.host and prefix_covers(site.path_prefix, path):
            holder = covering_site(thing.url)
            if holder is None or holder.pk == site.pk:
                pks.append(thing.pk)
    return Thing.objects.filter(pk__in=pks)


def site_apply_check(*, site_id: int, now: dt.datetime | None = None) -> Site:
    """Check a site now and apply the result: verify it (and claim its things), keep it
    within its grace period, or let it lapse. The network is reached outside any
    transaction; the result is applied under a lock of the site."""
    now = now or timezone.now()
    site = Site.objects.get(pk=site_id)
    method, results = run_checks(site)
    with transaction.atomic():
        site = Site.objects.select_for_update().select_related("owner").get(pk=site_id)
        site.checking = False
        site.last_checked_at = now
        site.last_result = results
        was_verified = site.is_verified
        if method:
            if not was_verified and _conflict(site) is not None:
                site.last_result = {**results, "verdict": "taken"}
                site.save()
                return site
            site.method = method
            site.failing_since = None
            if not was_verified:
                site.status = Site.Status.VERIFIED
                site.verified_at = now
                site.save()
                _claim(site)
                _forget_cards_on(site)
            else:
                site.status = Site.Status.VERIFIED
                site.save()
            return site
        if site.status == Site.Status.VERIFIED:
            site.status = Site.Status.FAILING
            site.failing_since = now
            site.save()
            lapses = now + dt.timedelta(days=settings.SITE_VERIFICATION_GRACE_DAYS)
            context = {"site": site, "user": site.owner, "lapses": lapses}
            transaction.on_commit(lambda: _notify(site.owner, "site_failing", context))
            return site
        if site.status == Site.Status.FAILING and now >= site.failing_since + dt.timedelta(
            days=settings.SITE_VERIFICATION_GRACE_DAYS
        ):
            site.status = Site.Status.LAPSED
            site.save()
            _forget_cards_on(site)
            context = {"site": site, "user": site.owner}
            transaction.on_commit(lambda: _notify(site.owner, "site_lapsed", context))
            return site
        site.save()
        return site


def _claim(site: Site) -> None:
    for thing in things_on_site(site).exclude(owner_id=site.owner_id):
        thing_transfer(
            thing=thing, to_owner=site.owner, reason=OwnershipChange.Reason.CLAIM, site=site
        )


def open_months() -> set[dt.date]:
    """Months whose payday has started (running, failed or done): their clicks stay."""
    return set(PaydayRun.objects.values_list("month", flat=True))


@transaction.atomic
def thing_transfer(
    *, thing: Thing, to_owner, reason: str, site: Site | None = None, by=None, note: str = ""
) -> OwnershipChange:
    """Give ``thing`` to ``to_owner``. Clicks of months whose payday has not started follow
    the new owner (and the current subscriptions with the thing); paid months stay where
    they were paid. Both creators get an e-mail; the change is in the history."""
    thing = Thing.objects.select_for_update().select_related("owner").get(pk=thing.pk)
    from_owner = thing.owner
    if from_owner.pk == to_owner.pk:
        raise ValidationError(_("This creator already owns this thing."))
    moved = (
        Click.objects.filter(thing=thing)
        .exclude(month__in=open_months())
        .exclude(creator_id=to_owner.pk)
        .update(creator=to_owner)
    )
    thing.owner = to_owner
    thing.awaiting_owner = False
    thing.save(update_fields=["owner", "awaiting_owner"])
    change = OwnershipChange.objects.create(
        thing=thing,
        from_owner=from_owner,
        to_owner=to_owner,
        reason=reason,
        site=site,
        by=by,
        note=note,
        clicks_moved=moved,
    )
    forget_thing_card(thing.pk)
    context = {"thing": thing, "change": change, "site_url": settings.SITE_URL}

    def tell():
        _notify(from_owner, "thing_lost", {**context, "user": from_owner})
        _notify(to_owner, "thing_gained", {**context, "user": to_owner})

    transaction.on_commit(tell)
    logger.info(
        "thing %s moved from user %s to user %s (%s, %s clicks)",
        thing.pk,
        from_owner.pk,
        to_owner.pk,
        reason,
        moved,
    )
    return change


# --- Things created by a reader's click ---------------------------------------------


@transaction.atomic
def thing_accept(*, thing: Thing) -> Thing:
    Thing.objects.filter(pk=thing.pk).update(awaiting_owner=False)
    thing.awaiting_owner = False
    return thing


@transaction.atomic
def thing_retire(*, thing: Thing, report: bool = False, now: dt.datetime | None = None) -> Thing:
    """Withdraw a thing for good: nobody can click it, it earns nothing from now on (clicks
    already made stay). ``report`` also flags it for operators (not the creator's work)."""
    now = now or timezone.now()
    fields = {"retired_at": now, "retired": True, "awaiting_owner": False}
    if report:
        fields["reported_at"] = now
    Thing.objects.filter(pk=thing.pk).update(**fields)
    for name, value in fields.items():
        setattr(thing, name, value)
    forget_thing_card(thing.pk)
    return thing
