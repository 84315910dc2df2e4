"""Writes for things and clicks. Views call these; nothing else creates or changes rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import selectors
from .cache import safe_delete
from .canonical import InvalidURL, canonical_url
from .models import Click, Thing
from .months import month_of

_LANGUAGE_RE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})?$")


class ClickRefused(Exception):
    """The click was not recorded; ``blocker`` says why and where to fix it."""

    def __init__(self, blocker: selectors.Blocker):
        self.blocker = blocker
        super().__init__(str(blocker.message))


@dataclasses.dataclass(frozen=True)
class ClickResult:
    FLATTRED = "flattred"  # a new click
    RESTORED = "restored"  # a click revoked earlier this month counts again
    ALREADY = "already"  # nothing changed: already flattred this month

    click: Click
    status: str


def forget_thing_card(thing_pk: int) -> None:
    """Drop the cached counts of a thing now and again once the transaction commits.

    Deleting after commit stops a reader who refilled the cache meanwhile from
    keeping the old counts; deleting now keeps the current request consistent.
    """
    key = selectors.card_key(thing_pk, month_of())
    safe_delete(key)
    transaction.on_commit(partial(safe_delete, key))


# --- Things -----------------------------------------------------------------------


def _clean_tags(tags: str) -> str:
    seen: list[str] = []
    for tag in (t.strip() for t in tags.split(",")):
        if tag and tag.lower() not in (s.lower() for s in seen):
            seen.append(tag[:50])
    cleaned = ", ".join(seen)
    if len(cleaned) > 300:
        raise ValidationError({"tags": _("Use fewer tags (300 characters at most).")})
    return cleaned


def _clean_fields(*, title: str, language: str, tags: str) -> dict:
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": _("Give your thing a title.")})
    if len(title) > 200:
        raise ValidationError({"title": _("Use a title of 200 characters at most.")})
    language = language.strip()
    if language and not _LANGUAGE_RE.match(language):
        raise ValidationError({"language": _("Use a language code such as en, fr or pt-BR.")})
    return {"title": title, "language": language, "tags": _clean_tags(tags)}


def url_taken_error(url: str, owner) -> ValidationError:
    thing = Thing.objects.filter(url=url).first()
    if thing is not None and thing.owner_id == owner.pk:
        return ValidationError({"url": _("You already registered this address.")})
    return ValidationError({"url": _("Another creator already registered this address.")})


@transaction.atomic
def thing_create(
    *, owner, url: str, title: str, description: str = "", language: str = "", tags: str = ""
) -> Thing:
    """Register a thing for ``owner`` at the canonical form of ``url``.

    Raises ``ValidationError`` (by field) for a bad address, a bad field, or an
    address any creator already registered; nothing is written then.
    """
    try:
        canonical = canonical_url(url)
    except InvalidURL as error:
        raise ValidationError({"url": error.message}) from error
    fields = _clean_fields(title=title, language=language, tags=tags)
    if Thing.objects.filter(url=canonical).exists():
        raise url_taken_error(canonical, owner)
    try:
        with transaction.atomic():
            return Thing.objects.create(
                owner=owner, url=canonical, description=description.strip(), **fields
            )
    except IntegrityError as error:
        # Someone registered the same address at the same moment.
        raise url_taken_error(canonical, owner) from error


@transaction.atomic
def thing_update(
    *, thing: Thing, title: str, description: str = "", language: str = "", tags: str = ""
) -> Thing:
    """Change a thing's title, description, language and tags. Its URL is its identity and stays."""
    fields = _clean_fields(title=title, language=language, tags=tags)
    for name, value in fields.items():
        setattr(thing, name, value)
    thing.description = description.strip()
    thing.save(update_fields=[*fields, "description"])
    forget_thing_card(thing.pk)
    return thing


@transaction.atomic
def thing_set_hidden(*, thing: Thing, hidden: bool) -> Thing:
    """Hide a thing (no clicks, off the profile) or show it again. Past clicks stay."""
    Thing.objects.filter(pk=thing.pk).update(hidden=hidden)
    thing.hidden = hidden
    forget_thing_card(thing.pk)
    return thing


# --- Clicks -------------------------------------------------------------------------


@transaction.atomic
def click_register(*, reader, thing: Thing, now: dt.datetime | None = None) -> ClickResult:
    """Record ``reader``'s flattr of ``thing`` for the current month.

    Raises ``ClickRefused`` when the reader or the thing cannot take part. One
    click per reader, thing and month is guaranteed by the unique constraint:
    a concurrent duplicate loses the insert and answers ``ALREADY``. Clicking
    again after revoking this month's click restores that click (``RESTORED``):
    the reader changed their mind back, and one row per month keeps it simple.
    """
    blocker = selectors.click_blocker(reader, thing)
    if blocker is not None:
        raise ClickRefused(blocker)
    now = now or timezone.now()
    month = month_of(now)
    click = Click.objects.filter(reader=reader, thing=thing, month=month).first()
    status = ClickResult.ALREADY
    if click is None:
        try:
            with transaction.atomic():
                click = Click.objects.create(
                    reader=reader,
                    thing=thing,
                    creator_id=thing.owner_id,
                    month=month,
                    created_at=now,
                )
            status = ClickResult.FLATTRED
        except IntegrityError:
            # A concurrent request of the same reader inserted it first.
            click = Click.objects.get(reader=reader, thing=thing, month=month)
    if click.revoked_at is not None and status == ClickResult.ALREADY:
        restored = Click.objects.filter(pk=click.pk, revoked_at__isnull=False).update(
            revoked_at=None
        )
        click.revoked_at = None
        if restored:
            status = ClickResult.RESTORED
    if status != ClickResult.ALREADY:
        forget_thing_card(thing.pk)
    return ClickResult(click, status)


@transaction.atomic
def click_revoke(*, reader, click: Click, now: dt.datetime | None = None) -> Click:
    """Take back a click of the current month. Raises ``ClickRefused`` once its month has ended
    (payday may already have moved the money, so the click is final)."""
    if click.reader_id != reader.pk:
        raise ClickRefused(selectors.Blocker("not_yours", _("This is not your click.")))
    now = now or timezone.now()
    if click.month != month_of(now):
        raise ClickRefused(
            selectors.Blocker(
                "month_ended", _("This click's month has ended: it is final and cannot be revoked.")
            )
        )
    if Click.objects.filter(pk=click.pk, revoked_at__isnull=True).update(revoked_at=now):
        click.revoked_at = now
        forget_thing_card(click.thing_id)
    return click


@transaction.atomic
def thing_submit_and_click(*, reader, params) -> ClickResult:
    """The click of an auto-submit link: create the thing the link describes (owned by the
    creator it names) unless its canonical URL exists, then flattr it.

    Raises ``selectors.SubmissionInvalid`` for a bad link and ``ClickRefused`` when the
    click is not possible; in both cases no thing is created.
    """
    submission = selectors.parse_submission(params)
    thing = submission.thing
    if thing is None:
        try:
            with transaction.atomic():
                thing = Thing.objects.create(
                    owner=submission.creator, url=submission.url, title=submission.title
                )
        except IntegrityError:
            # The first click of another reader created it at the same moment.
            thing = Thing.objects.select_related("owner").get(url=submission.url)
    # A refusal raises here and rolls the new thing back with it.
    return click_register(reader=reader, thing=thing)
