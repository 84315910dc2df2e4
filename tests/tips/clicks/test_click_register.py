import datetime as dt
import html
import threading

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from flattr_clone.months import month_of, previous_month
from payouts.ledger.services import system_account, wallet_of
from tests.factories import (
    BudgetChangeFactory,
    ClickFactory,
    ThingFactory,
    UserFactory,
    fund_reader,
    ready_reader,
)
from tips.clicks.models import Click
from tips.clicks.services import ClickRefused, click_register, click_revoke

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The page as a person reads it (entities decoded)."""
    return html.unescape(response.content.decode())


def click(client, thing, **data):
    return client.post(reverse("tips:click", kwargs={"pk": thing.pk}), data, follow=True)


def test_a_ready_reader_flattrs_a_thing(client):
    reader, thing = ready_reader(), ThingFactory()
    client.force_login(reader)

    page = click(client, thing)

    assert f"You flattred “{thing.title}”. Thank you!" in text(page)
    stored = Click.objects.get()
    assert (stored.reader, stored.thing, stored.creator) == (reader, thing, thing.owner)
    assert stored.month == month_of()


def test_clicking_again_is_harmless_and_says_already_flattred(client):
    reader, thing = ready_reader(), ThingFactory()
    client.force_login(reader)
    click(client, thing)

    page = click(client, thing)

    assert "You already flattred this thing this month." in text(page)
    assert Click.objects.count() == 1


def test_clicking_again_reads_the_thing_once(client):
    reader, thing = ready_reader(), ThingFactory()
    client.force_login(reader)
    click(client, thing)

    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("tips:click", kwargs={"pk": thing.pk}))

    assert response.status_code == 302
    reads = [q for q in queries.captured_queries if 'FROM "tips_thing"' in q["sql"]]
    assert len(reads) == 1


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    thing = ThingFactory()

    response = client.post(reverse("tips:click", kwargs={"pk": thing.pk}))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Click.objects.exists()
    page = text(client.get(thing.get_absolute_url()))
    assert "Log in to flattr this." in page


def refused(client, reader, thing):
    client.force_login(reader)
    page = text(click(client, thing))
    assert not Click.objects.exists()
    return page


def test_a_creator_cannot_flattr_their_own_thing(client):
    creator = ready_reader()
    page = refused(client, creator, ThingFactory(owner=creator))
    assert "This is your own thing: you cannot flattr it." in page


def test_a_reader_without_budget_is_told_to_set_one(client):
    reader = fund_reader(UserFactory(), budget_cents=0)
    page = refused(client, reader, ThingFactory())
    assert "Set a monthly budget to flattr." in page
    assert "Set my budget" in page


def test_a_budget_of_zero_counts_as_no_budget(client):
    reader = ready_reader()
    BudgetChangeFactory(user=reader, amount_cents=0)
    page = refused(client, reader, ThingFactory())
    assert "Set a monthly budget to flattr." in page


def test_a_reader_with_an_empty_wallet_is_told_to_top_up(client):
    reader = fund_reader(UserFactory(), wallet_cents=0)
    page = refused(client, reader, ThingFactory())
    assert "Your wallet is empty. Top it up to flattr." in page
    assert "Top up my wallet" in page


def test_a_reader_with_an_unverified_email_is_told_to_verify_it(client):
    reader = fund_reader(UserFactory(verified=False))
    page = refused(client, reader, ThingFactory())
    assert "Verify your e-mail address to flattr." in page
    assert f'href="{reverse("account_email")}"' in page


def test_a_retired_thing_cannot_be_flattred(client):
    page = refused(client, ready_reader(), ThingFactory(retired=True))
    assert "This thing is no longer available: its creator withdrew it" in page


def test_a_suspended_creators_thing_cannot_be_flattred(client):
    creator = UserFactory(suspended_at=timezone.now(), suspension_reason="fraud")
    page = refused(client, ready_reader(), ThingFactory(owner=creator))
    assert "This creator's account is suspended" in page


def test_a_click_can_be_revoked_during_its_month(client):
    reader = ready_reader()
    existing = ClickFactory(reader=reader)
    client.force_login(reader)

    page = client.post(reverse("tips:revoke", kwargs={"pk": existing.pk}), follow=True)

    assert "You revoked your flattr" in text(page)
    existing.refresh_from_db()
    assert existing.revoked_at is not None


def test_a_click_of_an_ended_month_is_final(client):
    reader = ready_reader()
    old = ClickFactory(reader=reader, month=previous_month(month_of()))
    client.force_login(reader)

    page = client.post(reverse("tips:revoke", kwargs={"pk": old.pk}), follow=True)

    assert "This click's month has ended: it is final" in text(page)
    old.refresh_from_db()
    assert old.revoked_at is None


def test_the_month_boundary_decides_whether_a_click_is_final():
    reader = ready_reader()
    existing = ClickFactory(reader=reader, month=dt.date(2026, 10, 1))
    last_moment = timezone.make_aware(dt.datetime(2026, 10, 31, 23, 59, 59))
    next_moment = timezone.make_aware(dt.datetime(2026, 11, 1, 0, 0, 0))

    with pytest.raises(ClickRefused):
        click_revoke(reader=reader, click=existing, now=next_moment)
    click_revoke(reader=reader, click=existing, now=last_moment)

    assert Click.objects.get().revoked_at == last_moment


def test_another_readers_click_cannot_be_revoked(client):
    existing = ClickFactory()
    client.force_login(ready_reader())

    response = client.post(reverse("tips:revoke", kwargs={"pk": existing.pk}))

    assert response.status_code == 404
    existing.refresh_from_db()
    assert existing.revoked_at is None


def test_flattring_a_revoked_click_again_restores_it(client):
    reader, thing = ready_reader(), ThingFactory()
    client.force_login(reader)
    click(client, thing)
    click_revoke(reader=reader, click=Click.objects.get())

    page = click(client, thing)

    assert f"Your flattr of “{thing.title}” counts again." in text(page)
    assert Click.objects.get().revoked_at is None


def test_counts_follow_clicks_and_revokes(client):
    thing = ThingFactory()
    readers = [ready_reader() for _ in range(3)]
    for reader in readers:
        click_register(reader=reader, thing=thing)
    ClickFactory(thing=thing, month=previous_month(month_of()))

    page = text(client.get(thing.get_absolute_url()))
    assert 'data-count="total">4<' in page
    assert 'data-count="month">3<' in page

    click_revoke(reader=readers[0], click=Click.objects.get(reader=readers[0]))
    page = text(client.get(thing.get_absolute_url()))
    assert 'data-count="total">3<' in page
    assert 'data-count="month">2<' in page


def test_the_rate_limit_answers_429_with_a_friendly_page(client, settings):
    settings.CLICK_RATE_LIMIT_PER_HOUR = 2
    reader = ready_reader()
    things = ThingFactory.create_batch(3)
    client.force_login(reader)
    for thing in things[:2]:
        assert click(client, thing).status_code == 200

    response = client.post(reverse("tips:click", kwargs={"pk": things[2].pk}))

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    page = text(response)
    assert "You can flattr at most 2 times an hour." in page
    assert Click.objects.count() == 2


def test_a_reader_can_still_click_when_the_cache_is_down(client):
    reader, thing = ready_reader(), ThingFactory()
    client.force_login(reader)
    # A Redis server that is not there: connection refused on every cache call.
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with override_settings(
        CACHES=unreachable, SESSION_ENGINE="django.contrib.sessions.backends.db"
    ):
        page = click(client, thing)
        badge = client.get(reverse("tips:badge", kwargs={"pk": thing.pk}))

    assert f"You flattred “{thing.title}”. Thank you!" in text(page)
    assert Click.objects.filter(reader=reader, thing=thing).count() == 1
    assert badge.status_code == 200
    assert ">1</text>" in badge.content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_clicks_leave_exactly_one():
    reader, thing = ready_reader(), ThingFactory()
    workers = 8
    barrier = threading.Barrier(workers)
    statuses, errors = [], []

    def flattr():
        try:
            barrier.wait()
            statuses.append(click_register(reader=reader, thing=thing).status)
        except Exception as error:  # reported below; a thread cannot fail the test itself
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=flattr) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Click.objects.filter(reader=reader, thing=thing).count() == 1
    assert sorted(statuses) == ["already"] * (workers - 1) + ["flattred"]


def test_wallet_money_is_never_moved_by_a_click():
    reader, thing = ready_reader(wallet_cents=1500), ThingFactory()
    click_register(reader=reader, thing=thing)
    assert wallet_of(reader).balance_cents == 1500
    assert system_account("external", "sandbox").balance_cents == -1500
