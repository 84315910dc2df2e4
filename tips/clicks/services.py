"""Writes for clicks (docs/PRODUCT.md, Clicks): one per reader, thing and month; revoked only
within its month."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from flattr_clone.months import month_of
from tips.clicks.models import Click
from tips.clicks.selectors import Blocker, click_blocker
from tips.clicks.signals import click_made
from tips.things.cards import forget_thing_card
from tips.things.models import Thing


class ClickRefused(Exception):
    """The click was not recorded; ``blocker`` says why and where to fix it."""

    def __init__(self, blocker: Blocker):
        self.blocker = blocker
        super().__init__(str(blocker.message))


@dataclasses.dataclass(frozen=True)
class ClickResult:
    FLATTRED = "flattred"  # a new click
    RESTORED = "restored"  # a click revoked earlier this month counts again
    ALREADY = "already"  # nothing changed: already flattred this month

    click: Click
    status: str


def click_register(
    *,
    reader,
    thing: Thing,
    now: dt.datetime | None = None,
    source: str = Click.Source.BUTTON,
) -> ClickResult:
    """Record ``reader``'s flattr of ``thing`` for the current month, made by ``source`` (a
    ``Click.Source``: the reader's button, or a subscription on the first of the month).

    Raises ``ClickRefused`` when the reader or the thing cannot take part (see
    ``click_blocker``: a suspended reader, a retired thing, ...). One click per
    reader, thing and month is guaranteed by the unique constraint: a
    concurrent duplicate loses the insert and answers ``ALREADY``. Clicking
    again after revoking this month's click restores that click (``RESTORED``):
    the reader changed their mind back, and one row per month keeps it simple.
    """
    # Each write below is one statement: no transaction of its own (a caller's, like the
    # monthly subscription run's, still holds them all), so a click holds no lock longer
    # than its INSERT. ``click_blocker`` reads every rule in one query, the suspension
    # included (fresh from the database).
    blocker = click_blocker(reader, thing)
    if blocker is not None:
        raise ClickRefused(blocker)
    now = now or timezone.now()
    month = month_of(now)
    click = _insert_click(reader=reader, thing=thing, month=month, now=now, source=source)
    status = ClickResult.FLATTRED
    if click is None:
        # Flattred before this month (or by a concurrent request of the same reader).
        click = Click.objects.get(reader=reader, thing=thing, month=month)
        click.reader, click.thing = reader, thing  # as read already: no query for them again
        status = ClickResult.ALREADY
    if click.revoked_at is not None and status == ClickResult.ALREADY:
        restored = Click.objects.filter(pk=click.pk, revoked_at__isnull=False).update(
            revoked_at=None
        )
        click.revoked_at = None
        if restored:
            status = ClickResult.RESTORED
    if status != ClickResult.ALREADY:
        forget_thing_card(thing.pk)
    if status == ClickResult.FLATTRED:
        click_made.send(sender=Click, click=click)
    return ClickResult(click, status)


def _insert_click(*, reader, thing: Thing, month: dt.date, now: dt.datetime, source: str):
    """The new click, or None when the reader already has one for ``thing`` and ``month``:
    ONE ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` on the unique constraint, instead of
    a read, a savepoint, the insert and its release."""
    fields = {
        "reader": reader.pk,
        "thing": thing.pk,
        "creator": thing.owner_id,
        "month": month,
        "created_at": now,
        "revoked_at": None,
        "source": source,
    }
    concrete = {field.name: field for field in Click._meta.concrete_fields}
    columns = [connection.ops.quote_name(concrete[name].column) for name in fields]
    values = [concrete[name].get_db_prep_save(value, connection) for name, value in fields.items()]
    unique = [concrete[name].column for name in ("reader", "thing", "month")]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(Click._meta.db_table)} "  # noqa: S608
            f"({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(values))}) "
            f"ON CONFLICT ({', '.join(unique)}) DO NOTHING RETURNING id",
            values,
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return Click(
        pk=row[0],
        reader=reader,
        thing=thing,
        creator_id=thing.owner_id,
        month=month,
        created_at=now,
        revoked_at=None,
        source=source,
    )


@transaction.atomic
def click_revoke(*, reader, click: Click, now: dt.datetime | None = None) -> Click:
    """Take back a click of the current month. Raises ``ClickRefused`` once its month has ended
    (payday may already have moved the money, so the click is final)."""
    if click.reader_id != reader.pk:
        raise ClickRefused(Blocker("not_yours", _("This is not your click.")))
    now = now or timezone.now()
    if click.month != month_of(now):
        raise ClickRefused(
            Blocker(
                "month_ended", _("This click's month has ended: it is final and cannot be revoked.")
            )
        )
    if Click.objects.filter(pk=click.pk, revoked_at__isnull=True).update(revoked_at=now):
        click.revoked_at = now
        forget_thing_card(click.thing_id)
    return click
