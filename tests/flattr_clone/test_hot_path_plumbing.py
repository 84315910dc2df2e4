"""The plumbing under the click and the embeds (issue 19): sessions read by a query compiled
once, the Redis cache's reused client and one-trip ``incr``, and queries compiled once
(``flattr_clone.db.PreparedQuery``)."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from flattr_clone.db import PreparedQuery
from flattr_clone.sessions import SessionStore
from payouts.ledger.models import Account
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

UNREACHABLE = {
    "default": {
        "BACKEND": "flattr_clone.redis_cache.ReusedClientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def _second_signed_in_page(client, user):
    """The queries of a signed-in page after the first (which opens what it keeps)."""
    client.force_login(user)
    client.get("/wallet/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/wallet/")
    return response, queries


def test_a_signed_in_page_reads_its_session_in_one_query(client):
    user = UserFactory()

    response, queries = _second_signed_in_page(client, user)

    assert response.wsgi_request.user == user
    reads = [q for q in queries.captured_queries if 'FROM "django_session"' in q["sql"]]
    assert len(reads) == 1


def test_with_the_cache_down_a_signed_in_user_stays_signed_in(client):
    user = UserFactory()
    client.force_login(user)

    with override_settings(CACHES=UNREACHABLE):
        response = client.get("/wallet/")

    assert response.status_code == 200
    assert response.wsgi_request.user == user


def test_a_deleted_or_expired_session_signs_nobody_in(client):
    user = UserFactory()
    client.force_login(user)
    key = client.session.session_key
    assert client.get("/wallet/").status_code == 200

    Session.objects.filter(session_key=key).update(
        expire_date=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    assert client.get("/wallet/").status_code == 302  # to the login page
    assert not SessionStore(key).load()

    client.force_login(user)
    SessionStore(client.session.session_key).delete()
    assert client.get("/wallet/").status_code == 302


def test_a_signed_in_page_reads_its_user_in_one_query_of_the_whole_row(client):
    user = UserFactory()

    response, queries = _second_signed_in_page(client, user)

    assert response.wsgi_request.user == user
    assert response.wsgi_request.user.email == user.email
    reads = [
        q
        for q in queries.captured_queries
        if q["sql"].lstrip().startswith("SELECT")
        and 'FROM "accounts_user" WHERE "accounts_user"."id" =' in q["sql"]
    ]
    assert len(reads) == 1


@pytest.mark.parametrize(
    "former",
    [
        "django.contrib.auth.backends.ModelBackend",
        "allauth.account.auth_backends.AuthenticationBackend",
    ],
)
def test_a_session_signed_in_under_a_former_backend_path_stays_signed_in(client, former):
    user = UserFactory()
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = former
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key

    response = client.get("/wallet/")

    assert response.status_code == 200
    assert response.wsgi_request.user == user


def test_a_deactivated_user_is_signed_out(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get("/wallet/").status_code == 200

    User.objects.filter(pk=user.pk).update(is_active=False)

    assert client.get("/wallet/").status_code == 302  # to the login page
    assert not client.get("/").wsgi_request.user.is_authenticated


@pytest.mark.postgres  # with Redis: the suite on PostgreSQL runs with REDIS_URL
def test_incr_counts_an_existing_key_and_refuses_a_missing_one_keeping_its_expiry():
    cache.delete("hot:counter")
    with pytest.raises(ValueError):
        cache.incr("hot:counter")
    assert cache.get("hot:counter") is None  # incr of a missing key creates nothing

    cache.add("hot:counter", 1, 60)
    assert cache.incr("hot:counter") == 2
    assert cache.incr("hot:counter", 5) == 7
    assert cache.get("hot:counter") == 7
    client = cache._cache.get_client(write=True)
    assert 0 < client.ttl(cache.make_key("hot:counter")) <= 60
    assert cache._cache.get_client() is client  # one client per pool, not one per call


def _verified_users(*, joined_after):
    return (
        User.objects.filter(date_joined__gt=joined_after)
        .annotate(verified=Exists(User.objects.filter(pk=OuterRef("pk"), is_active=True)))
        .values_list("handle", "date_joined", "verified")
        .order_by("handle")
    )


def test_a_prepared_query_returns_what_its_queryset_returns_with_each_calls_values():
    old = UserFactory(handle="old")
    new = UserFactory(handle="new")
    User.objects.filter(pk=old.pk).update(date_joined=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    query = PreparedQuery(_verified_users, joined_after=dt.datetime(1901, 1, 1, tzinfo=dt.UTC))

    for joined_after in (
        dt.datetime(2019, 1, 1, tzinfo=dt.UTC),
        dt.datetime(2021, 1, 1, tzinfo=dt.UTC),
    ):
        assert query.rows(joined_after=joined_after) == list(
            _verified_users(joined_after=joined_after)
        )
    new.refresh_from_db()
    assert query.rows(joined_after=dt.datetime(2021, 1, 1, tzinfo=dt.UTC)) == [
        ("new", new.date_joined, True)
    ]


@pytest.mark.postgres
def test_a_sentinel_missing_from_the_query_is_refused():
    query = PreparedQuery(lambda *, pk: User.objects.values_list("pk"), pk=-1)

    with pytest.raises(ValueError, match="sentinel"):
        query.rows(pk=3)


def test_prepared_objects_are_the_querysets_instances_with_their_related_rows(
    django_assert_num_queries,
):
    from tests.factories import ThingFactory
    from tips.things.models import Thing

    things = [ThingFactory(title=f"Post {n}") for n in range(2)]
    query = PreparedQuery(
        lambda *, pk: Thing.objects.select_related("owner").filter(pk=pk), pk=-7_777_777_777
    )
    query.objects(pk=things[0].pk)  # compiled here, once

    for thing in things:
        with django_assert_num_queries(1):  # the owner comes with the thing
            (found,) = query.objects(pk=thing.pk)
            assert found.owner.email == thing.owner.email
        expected = Thing.objects.get(pk=thing.pk)
        assert [getattr(found, f.attname) for f in Thing._meta.concrete_fields] == [
            getattr(expected, f.attname) for f in Thing._meta.concrete_fields
        ]
    assert query.objects(pk=things[-1].pk + 1000) == []


def test_in_array_finds_what_in_finds_by_key_and_by_foreign_key():
    users = UserFactory.create_batch(4)
    wanted = {users[0].pk, users[2].pk, 10**12}

    assert set(User.objects.filter(pk__in_array=wanted)) == set(User.objects.filter(pk__in=wanted))
    assert set(User.objects.filter(pk__in_array=wanted)) == {users[0], users[2]}
    assert not User.objects.filter(pk__in_array=[]).exists()

    accounts = [Account.objects.create(kind=Account.Kind.WALLET, user=user) for user in users]
    found = Account.objects.filter(user_id__in_array=(users[1].pk, users[3].pk))
    assert set(found) == {accounts[1], accounts[3]}


@pytest.mark.postgres
def test_in_array_sends_one_parameter_however_many_values():
    UserFactory()
    with CaptureQueriesContext(connection) as queries:
        list(User.objects.filter(pk__in_array=range(1, 5001)))

    (query,) = queries.captured_queries
    assert "= ANY(" in query["sql"]
    assert query["sql"].count("::bigint[]") == 1
