"""Every view of the project, fuzzed: whatever a visitor or a reader sends, no answer is a 5xx.

The routes are read from the root URLconf (the apps' URLconfs, allauth's ``accounts/``,
the admin and the operations dashboard), so a new page is fuzzed as soon as it is mounted.
Each route gets its own bounded, derandomized Hypothesis run. An example is one request,
as an anonymous visitor or as a reader ready to click (verified e-mail, a funded wallet
and a budget, a thing of their own, a click, a pending top-up), with:

- real path arguments (ids of things, clicks and top-ups, handles, sandbox session ids,
  e-mail confirmation and password reset keys, admin object ids) and bogus ones (any text,
  huge numbers, invalid UTF-8);
- the fields of the view's forms and the parameters its code reads (found by
  introspection and in the HTML it renders), plus a generic set, as query parameters
  and, where the view accepts POST, as a url-encoded, multipart or malformed body;
- hostile values: any Unicode text, NUL and control characters, bidi overrides, very
  long strings, number-like strings, invalid UTF-8 percent-escapes.

Random search rarely puts one exact value in one exact field, so a deterministic sweep
follows: each poison (``tests.fuzzing.POISONS``) in every field at once, a NUL in each
field the view reads while the others look valid, each poison in each path argument.

The two signed webhook endpoints are also fuzzed with arbitrary JSON signed with their
secret (tests/fake_stripe ``sign_payload``), built around the rows the handlers look up,
then swept: a genuine event of each type handled, with one part missing or poisoned.
The platform endpoint's one documented 5xx, "retry later" for a refund, dispute or
reversal that arrives before its payment or payout is settled, is allowed; nothing else.

Every request runs in a savepoint rolled back after it, as each production request has its
own transaction: an example never sees what an earlier one wrote, so a failure replays
alike. The ledger must still check out after each request.

What cannot be exercised here, said rather than skipped:
- the admin's own pages (``admin/...``) are fuzzed as an anonymous visitor and as a reader,
  who both stop at the admin's permission check (staff with two-factor authentication);
  what an operator's admin does with hostile input is not fuzzed here;
- static files are served by WhiteNoise's middleware, not by a URL pattern: not a view;
- the pages for Stripe (Checkout, Connect onboarding) run with the offline sandbox
  (the default without STRIPE_SECRET_KEY): the Stripe side is exercised through the
  signed webhooks, and by the top-up and Connect tests against the fake Stripe server.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payouts.funding.models import TopUp
from payouts.funding.topups import topup_start
from payouts.ledger.checks import ledger_check
from tests.factories import (
    ClickFactory,
    PaydayRecordFactory,
    PaymentAccountFactory,
    PayoutFactory,
    ThingFactory,
    TopUpFactory,
    UserFactory,
    give_earnings,
    ready_reader,
)
from tests.fake_stripe import checkout as stripe_side
from tests.fake_stripe import connect as stripe_connect
from tests.fake_stripe import sign_payload
from tests.fuzzing import (
    GENERIC_FIELDS,
    INT_POISONS,
    POISONS,
    Route,
    assert_no_server_error,
    build_path,
    describe,
    encode,
    form_pairs,
    html_field_names,
    path_segment,
    project_routes,
    raw_values,
    urlencoded,
    view_field_names,
    weighted,
)

pytestmark = pytest.mark.django_db

ROUTES = project_routes()
SITE_ROUTES = [route for route in ROUTES if not route.is_admin]
ADMIN_ROUTES = [route for route in ROUTES if route.is_admin]

# Per route: the site's own and allauth's pages get more examples than the admin's, which
# all stop at the same permission check for these visitors.
SITE_EXAMPLES = 30
ADMIN_EXAMPLES = 4
WEBHOOK_EXAMPLES = 300

FUZZ_SETTINGS = {
    "derandomize": True,
    "deadline": None,
    "database": None,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
}

PLATFORM_SECRET = "whsec_test_platform"  # the fake_stripe fixture's secrets
CONNECT_SECRET = "whsec_test_connect"
NUL = "a\x00b"
IDENTITIES = ("anonymous", "reader", "reader")  # the reader reaches more code
BOGUS_INTS = (0, 1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**30)


class _RollBack(Exception):
    """Leaves the example's savepoint, undoing what its request wrote."""


@dataclasses.dataclass
class World:
    """The rows a fuzzed request can name, and what was learnt about each route."""

    reader: object
    ids: dict[str, list[int]]
    strings: dict[str, list[str]]
    plausible: list[str]
    values: st.SearchStrategy
    defaults: dict[str, str]  # a valid-looking value for each field name we know
    reader_session: str
    client: Client
    # (route, identity) -> (the methods the view accepts, its fields with hostile values)
    discovered: dict = dataclasses.field(default_factory=dict)

    def __repr__(self) -> str:  # Hypothesis prints it with every failing example
        return f"World(reader={self.reader.pk}, ids={self.ids})"


@pytest.fixture
def world():
    # The webhook endpoints are configured, as in production (unconfigured, they answer 503).
    with override_settings(
        STRIPE_WEBHOOK_SECRET=PLATFORM_SECRET, STRIPE_CONNECT_WEBHOOK_SECRET=CONNECT_SECRET
    ):
        yield _world()


def _world() -> World:
    reader = ready_reader()
    own_thing = ThingFactory(owner=reader)
    creator = UserFactory()
    thing = ThingFactory(owner=creator)
    hidden = ThingFactory(owner=creator, retired=True)
    click = ClickFactory(reader=reader, thing=thing)
    others_click = ClickFactory(thing=own_thing)
    pending = TopUpFactory(user=reader, status=TopUp.Status.PENDING)
    others_pending = TopUpFactory(status=TopUp.Status.PENDING)
    canceled = TopUpFactory(user=reader, status=TopUp.Status.CANCELED)
    give_earnings(reader, 1500)
    PaydayRecordFactory(reader=reader)
    unverified = UserFactory(verified=False)
    address = EmailAddress.objects.get(user=unverified)
    paid = TopUp.objects.filter(user=reader, status=TopUp.Status.PAID).values_list("pk", flat=True)
    users = [reader, creator, unverified]
    ids = {
        "thing": [own_thing.pk, thing.pk, hidden.pk],
        "click": [click.pk, others_click.pk],
        "topup": [*paid, pending.pk, canceled.pk, others_pending.pk],
        "user": [user.pk for user in users],
        "content_type": list(ContentType.objects.values_list("pk", flat=True)[:5]),
    }
    strings = {
        "handle": [creator.handle, reader.handle, unverified.handle, "nobody-here"],
        "session_id": [pending.session_id, canceled.session_id, others_pending.session_id],
        "key": [
            EmailConfirmationHMAC(address).key,
            default_token_generator.make_token(reader),
        ],
        "uidb36": [user_pk_to_url_str(user) for user in users],
        "object_id": [str(pk) for values in ids.values() for pk in values],
    }
    plausible = [
        "",
        "1",
        "on",
        "pay",
        "cancel",
        "fr",
        "en",
        "2026-10",
        "https://creator.example",
        "https://creator.example/new-post",
        thing.url,
        "javascript:alert(1)",
        "//evil.example/",
        "/dashboard/",
        f"/t/{thing.pk}/",
        "null",
        reader.email,
        "someone-new@example.com",
        "correct horse battery staple",
        *strings["handle"],
        *strings["session_id"],
        *(str(pk) for values in ids.values() for pk in values),
    ]
    defaults = {
        "creator": creator.handle,
        "url": "https://creator.example/new-post",
        "title": "A title",
        "description": "About it",
        "language": "fr",
        "tags": "music, podcast",
        "origin": "https://creator.example",
        "next": "/dashboard/",
        "hidden": "1",
        "retired": "1",
        "category": "text",
        "amount": "10",
        "custom_amount": "10",
        "preset": "1000",
        "month": "2026-10",
        "page": "1",
        "action": "pay",
        "session_id": pending.session_id,
        "display_name": "A name",
        "monthly_emails": "on",
        "email": "someone-new@example.com",
        "login": reader.email,
        "password": "correct horse battery staple",
        "oldpassword": "correct horse battery staple",
        "password1": "a much longer passphrase 42",
        "password2": "a much longer passphrase 42",
        "handle": "a-new-handle",
        "remember": "on",
        "code": "123456",
        "confirm": "1",
        "reason": "because",
    }
    # One client for every request: a new one would load the middleware again (WhiteNoise
    # scans the static files each time). The reader's session is made once, here, and is
    # the only cookie a reader's request carries.
    client = Client(raise_request_exception=False)
    client.force_login(reader)
    return World(
        reader=reader,
        ids=ids,
        strings=strings,
        plausible=plausible,
        values=raw_values(plausible),
        defaults=defaults,
        reader_session=client.cookies[django_settings.SESSION_COOKIE_NAME].value,
        client=client,
    )


# --- Building a request ----------------------------------------------------------------

# Which of the world's ids an ``int`` argument names first (any other id is also tried).
_INT_ARGUMENT_ROWS = {"tips:revoke": "click", "payouts:topup_status": "topup"}


def _real_arguments(route: Route, world: World) -> dict[str, list[str]]:
    """For each argument of ``route``, real values (the most fitting first)."""
    everything = sorted({str(pk) for values in world.ids.values() for pk in values}, key=int)
    real: dict[str, list[str]] = {}
    for name, regex in route.arguments:
        if regex == "int":
            real[name] = [str(pk) for pk in world.ids[_INT_ARGUMENT_ROWS.get(route.name, "thing")]]
        elif name == "content_type_id":
            real[name] = [str(pk) for pk in world.ids["content_type"]]
        elif name in world.strings:
            real[name] = world.strings[name]
        else:
            # Free text (the admin's catch-all, its app labels): a real path, an id.
            real[name] = ["tips/thing", "auth", *everything]
    return real


def _argument(regex: str, real: list[str]) -> st.SearchStrategy[str]:
    """A path argument, already percent-encoded: mostly a real one (the view then reads its
    fields), else anything its pattern matches, or anything at all."""
    if regex == "int":
        bogus = st.one_of(st.sampled_from(BOGUS_INTS), st.integers(min_value=0)).map(str)
        return weighted((3, st.sampled_from(real)), (1, bogus))
    slashes = regex in (".+", ".*")
    matching = st.from_regex(regex, fullmatch=True).filter(lambda value: value != "")
    anything = raw_values(real).filter(len)
    return weighted(
        (3, st.sampled_from(real)),
        (1, matching.map(lambda value: path_segment(value, slashes=slashes))),
        (1, anything.map(lambda value: path_segment(value, slashes=slashes))),
    )


@dataclasses.dataclass(frozen=True)
class Learnt:
    """What a route's view accepts, learnt once per route and identity."""

    methods: tuple[str, ...]
    read: tuple[str, ...]  # the names the view itself reads
    names: tuple[str, ...]  # and the generic ones
    pairs: st.SearchStrategy


def _discover(route: Route, identity: str, world: World) -> Learnt:
    """The methods the view accepts and the names of its fields: a GET and an empty POST
    with real arguments (both checked), then the view's forms, the parameters its code
    reads and the fields of the page it renders."""
    key = (route.pattern, route.name, identity)
    if key not in world.discovered:
        real = _real_arguments(route, world)
        path = build_path(route, {name: values[0] for name, values in real.items()})
        got = _send(world, identity, "GET", path)
        _check(got, f"{identity}: GET {path}")
        posted = _send(world, identity, "POST", path)
        _check(posted, f"{identity}: POST {path} (empty)")
        methods = ("GET",) if posted.status_code == 405 else ("GET", "POST")
        read = view_field_names(route.callback)
        read |= html_field_names(got.content) - {"csrfmiddlewaretoken"}
        names = sorted(read | set(GENERIC_FIELDS))
        world.discovered[key] = Learnt(
            methods, tuple(sorted(read)), tuple(names), form_pairs(names, world.values)
        )
    return world.discovered[key]


def _send(
    world: World,
    identity: str,
    method: str,
    path: str,
    *,
    query: str = "",
    body: bytes = b"",
    content_type: str = "application/x-www-form-urlencoded",
    multipart: dict[str, list[str]] | None = None,
):
    """One request with only the identity's cookies (each request starts afresh), through
    the world's client: a new one would load the middleware again (WhiteNoise scans the
    static files each time)."""
    client = world.client
    client.cookies.clear()
    if identity == "reader":
        client.cookies[django_settings.SESSION_COOKIE_NAME] = world.reader_session
    if method == "GET":
        return client.generic("GET", path, QUERY_STRING=query)
    if multipart is not None:
        return client.post(path, data=multipart, QUERY_STRING=query)
    return client.generic("POST", path, data=body, content_type=content_type, QUERY_STRING=query)


def _check(response, described: str) -> None:
    """No server error, and the ledger still checks out after the request."""
    assert_no_server_error(response, described)
    report = ledger_check(record=False)
    assert report.ok, f"the ledger broke after {described}: {report.as_dict()}"


OTHER_CONTENT_TYPES = (
    "application/json",
    "text/plain",
    "application/octet-stream",
    "multipart/form-data; boundary=fuzz",  # declared, never sent: a malformed multipart
    "multipart/form-data",  # no boundary at all
    "application/x-www-form-urlencoded; charset=utf-16",
    "application/x-www-form-urlencoded; charset=no-such-charset",
)


def _utf8(value: str | bytes) -> bytes:
    return value.encode() if isinstance(value, str) else value


def _fuzz_one(route: Route, world: World, data) -> None:
    identity = data.draw(st.sampled_from(IDENTITIES), label="identity")
    learnt = _discover(route, identity, world)
    real = _real_arguments(route, world)
    arguments = {
        name: data.draw(_argument(regex, real[name]), label=name) for name, regex in route.arguments
    }
    path = build_path(route, arguments)
    # A POST, where the view takes one, reaches more code than a GET: drawn twice as often.
    method = data.draw(st.sampled_from([*learnt.methods, *learnt.methods[1:]]), label="method")
    query_pairs = data.draw(learnt.pairs, label="query")
    if data.draw(st.booleans(), label="raw query bytes"):
        # As a server passes them on: bytes not escaped at all, read as Latin-1 (WSGI).
        query = "&".join(
            f"{encode(name)}={_utf8(value).decode('latin-1')}" for name, value in query_pairs
        )
    else:
        query = urlencoded(query_pairs)
    body, content_type, multipart = b"", "", None
    if method == "POST":
        body_pairs = data.draw(learnt.pairs, label="body")
        encoding = data.draw(st.sampled_from(["urlencoded", "multipart", "other"]), label="as")
        if encoding == "multipart":
            multipart = {}
            for name, value in body_pairs:
                text = value if isinstance(value, str) else value.decode("latin-1")
                multipart.setdefault(name, []).append(text)
            body, content_type = repr(multipart).encode(), "multipart/form-data (fields shown)"
        elif encoding == "urlencoded":
            body = urlencoded(body_pairs).encode("ascii")
            content_type = "application/x-www-form-urlencoded"
        else:
            body = data.draw(st.binary(max_size=200), label="raw body")
            content_type = data.draw(st.sampled_from(OTHER_CONTENT_TYPES), label="type")
    response = _send(
        world,
        identity,
        method,
        path,
        query=query,
        body=body,
        content_type=content_type,
        multipart=multipart,
    )
    _check(response, f"{identity}: " + describe(method, path, query, body, content_type))


def _in_rolled_back_savepoint(function, *args) -> None:
    cache.clear()  # rate limits and cached cards start afresh too
    try:
        with transaction.atomic():
            function(*args)
            raise _RollBack
    except _RollBack:
        pass


def _route_id(route: Route) -> str:
    return f"{route.name}:/{route.pattern}"


# --- The tests -------------------------------------------------------------------------


def test_the_fuzzed_routes_are_every_route_of_the_project():
    """The walk finds the site's, allauth's and the admin's routes (nothing silently lost)."""
    names = {route.name for route in ROUTES}
    for expected in (
        "home",
        "healthz",
        "tips:thing",
        "tips:profile",
        "tips:submit",
        "payouts:wallet",
        "payouts:sandbox_checkout",
        "payouts:stripe_webhook",
        "payouts:connect_webhook",
        "dashboards:earnings_csv",
        "account_settings",
        "set_language",
        "account_login",
        "account_confirm_email",
        "account_reset_password_from_key",
        "mfa_activate_totp",
        "operator:dashboard",
        "admin:index",
        "admin:tips_thing_change",
    ):
        assert expected in names
    assert len(SITE_ROUTES) >= 60
    assert len(ADMIN_ROUTES) >= 100


@pytest.mark.parametrize("route", SITE_ROUTES, ids=_route_id)
@settings(max_examples=SITE_EXAMPLES, **FUZZ_SETTINGS)
@given(data=st.data())
def test_no_page_answers_a_server_error(route, world, data):
    _in_rolled_back_savepoint(_fuzz_one, route, world, data)


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=_route_id)
@settings(max_examples=ADMIN_EXAMPLES, **FUZZ_SETTINGS)
@given(data=st.data())
def test_no_admin_page_answers_a_server_error(route, world, data):
    _in_rolled_back_savepoint(_fuzz_one, route, world, data)


def _poisoned(values: dict[str, str], name: str, poison: str | bytes, regex: str) -> dict:
    return {**values, name: path_segment(poison, slashes=regex in (".+", ".*"))}


@pytest.mark.parametrize("route", ROUTES, ids=_route_id)
def test_no_view_answers_a_server_error_to_a_known_poison(route, world):
    """Beside the random fuzz, a deterministic sweep, as a visitor and as a reader, by GET
    and by POST: each poison in every field and query parameter at once; a NUL in each
    field the view reads, the others valid-looking (a form stops at its first bad field);
    each poison in each path argument. Every failure of the route is reported, not only
    the first. The admin's pages, which stop at the same permission check, get it by GET."""
    failures: list[str] = []

    def attempt(step, *args) -> None:
        try:
            _in_rolled_back_savepoint(step, *args)
        except AssertionError as error:
            failures.append(str(error))

    def request(identity: str, method: str, path: str, query: str, body: bytes) -> None:
        response = _send(world, identity, method, path, query=query, body=body)
        _check(response, f"{identity}: " + describe(method, path, query, body, "urlencoded"))

    real = _real_arguments(route, world)
    values = {name: real[name][0] for name, _ in route.arguments}
    for identity in ("anonymous", "reader"):
        attempt(_discover, route, identity, world)
        learnt = world.discovered.get((route.pattern, route.name, identity))
        methods = learnt.methods if learnt else ("GET", "POST")
        names = learnt.names if learnt else GENERIC_FIELDS
        read = learnt.read if learnt else ()
        if route.is_admin:
            methods = ("GET",)
        path = build_path(route, values)
        for method in methods:
            for poison in POISONS:
                fields = urlencoded([(name, poison) for name in names])
                body = fields.encode() if method == "POST" else b""
                attempt(request, identity, method, path, fields, body)
            for poisoned in read:
                fields = urlencoded(
                    [
                        (name, NUL if name == poisoned else world.defaults.get(name, "x"))
                        for name in read
                    ]
                )
                body = fields.encode() if method == "POST" else b""
                attempt(request, identity, method, path, fields, body)
            for name, regex in route.arguments:
                for poison in INT_POISONS if regex == "int" else POISONS:
                    poisoned_path = build_path(route, _poisoned(values, name, poison, regex))
                    attempt(request, identity, method, poisoned_path, "", b"")
    assert not failures, f"{len(failures)} server error(s):\n\n" + "\n\n".join(failures)


# --- The signed webhooks ----------------------------------------------------------------


# The platform endpoint's one deliberate 5xx (payouts/webhooks/views.py): a refund, dispute
# or reversal of a payment or payout not settled yet asks Stripe to deliver it again later.
# It raises nothing and stores nothing; any other 5xx fails the test.
RETRY_LATER = {"error": "payment not confirmed yet, retry later"}

PAID = "checkout.session.completed"
PLATFORM_TYPES = (
    PAID,
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
    "charge.refunded",
    "charge.dispute.created",
    "transfer.reversed",
)
CONNECT_TYPES = ("account.updated", "account.application.deauthorized")


@dataclasses.dataclass
class WebhookWorld:
    ids: list  # values a handler may look up: our row ids, Stripe's object ids
    samples: dict[str, dict]  # a genuine event of each type handled, by type
    client: Client  # one for every delivery (a new one would load the middleware again)

    def __repr__(self) -> str:
        return f"WebhookWorld(ids={self.ids})"


@pytest.fixture
def webhook_world(fake_stripe) -> WebhookWorld:
    """What the handlers look up: a Stripe top-up paid and one pending, a sandbox top-up,
    payouts sent and paid, a creator's Stripe account; and one genuine event of each type
    the endpoints handle, made by the fake Stripe server, for the sweep to poison."""
    with override_settings(PAYMENTS_SANDBOX=True):
        reader = ready_reader()
        sending = PayoutFactory()
        paid_out = PayoutFactory(status="paid")
    sandbox = TopUp.objects.get(user=reader)
    pending, _url = topup_start(user=reader, amount_cents=1000)
    paid, _url = topup_start(user=reader, amount_cents=2500)
    session = stripe_side.pay_session(fake_stripe, paid.session_id)
    client = Client(raise_request_exception=False)
    delivered = stripe_side.deliver(client, stripe_side.event(fake_stripe, PAID, session))
    assert delivered.status_code == 200
    _, account = stripe_connect.create_account(
        fake_stripe, {"capabilities": {"transfers": {"requested": "true"}}}, None
    )
    account = stripe_connect.complete_onboarding(fake_stripe, account["id"])
    PaymentAccountFactory(provider="stripe", provider_account_id=account["id"])
    pending_session = {
        **fake_stripe.get("checkout_sessions", pending.session_id),
        "status": "complete",
        "payment_status": "paid",
        "payment_intent": "pi_sweep",
    }
    reversal = {
        "id": paid_out.provider_transfer_id,
        "object": "transfer",
        "amount": paid_out.amount_cents,
        "amount_reversed": 100,
        "metadata": {"payout": str(paid_out.pk)},
    }
    samples = {
        PAID: stripe_side.event(fake_stripe, PAID, pending_session),
        "checkout.session.async_payment_succeeded": stripe_side.event(
            fake_stripe, "checkout.session.async_payment_succeeded", pending_session
        ),
        "checkout.session.async_payment_failed": stripe_side.event(
            fake_stripe, "checkout.session.async_payment_failed", pending_session
        ),
        "checkout.session.expired": stripe_side.event(
            fake_stripe, "checkout.session.expired", pending_session
        ),
        "charge.refunded": stripe_side.event(
            fake_stripe,
            "charge.refunded",
            stripe_side.refund(fake_stripe, session["payment_intent"], 500),
        ),
        "charge.dispute.created": stripe_side.event(
            fake_stripe,
            "charge.dispute.created",
            stripe_side.dispute(fake_stripe, session["payment_intent"], 500),
        ),
        "transfer.reversed": stripe_side.event(fake_stripe, "transfer.reversed", reversal),
        "account.updated": stripe_side.event(fake_stripe, "account.updated", dict(account)),
        "account.application.deauthorized": {
            **stripe_side.event(
                fake_stripe,
                "account.application.deauthorized",
                {"id": "ca_platform", "object": "application", "name": "Tips"},
            ),
            "account": account["id"],
        },
    }
    ids = [
        pending.pk,
        str(pending.pk),
        pending.session_id,
        paid.pk,
        str(paid.pk),
        paid.session_id,
        session["payment_intent"],
        sandbox.pk,
        str(sandbox.pk),
        sandbox.session_id,
        sending.pk,
        str(sending.pk),
        paid_out.pk,
        str(paid_out.pk),
        sending.provider_transfer_id,
        paid_out.provider_transfer_id,
        account["id"],
    ]
    return WebhookWorld(
        ids=[value for value in ids if value not in (None, "")],
        samples=json.loads(json.dumps(samples)),
        client=client,
    )


JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["\x00", "\u202e", "paid", "eur", "", "9" * 40, "1e309", "-5"]),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.text(max_size=10), children, max_size=3),
    ),
    max_leaves=8,
)


def _events(types: tuple[str, ...], ids: list) -> st.SearchStrategy:
    """Arbitrary JSON, mostly shaped like a Stripe event naming rows the handlers look up."""
    an_id = st.one_of(st.sampled_from(ids), JSON_VALUES)
    an_amount = st.one_of(st.integers(), st.sampled_from([0, 1, 1000, 2500, 2**63]), JSON_VALUES)
    metadata = st.one_of(
        st.fixed_dictionaries({}, optional={"topup": an_id, "payout": an_id}), JSON_VALUES
    )
    requirements = st.one_of(
        st.fixed_dictionaries(
            {},
            optional={
                "currently_due": JSON_VALUES,
                "past_due": JSON_VALUES,
                "disabled_reason": JSON_VALUES,
            },
        ),
        JSON_VALUES,
    )
    stripe_object = st.fixed_dictionaries(
        {},
        optional={
            "id": an_id,
            "object": JSON_VALUES,
            "metadata": metadata,
            "client_reference_id": an_id,
            "payment_status": st.one_of(st.sampled_from(["paid", "unpaid"]), JSON_VALUES),
            "payment_intent": an_id,
            "amount_total": an_amount,
            "amount_refunded": an_amount,
            "amount_reversed": an_amount,
            "amount": an_amount,
            "currency": st.one_of(st.sampled_from(["eur", "usd", "EUR"]), JSON_VALUES),
            "charges_enabled": JSON_VALUES,
            "payouts_enabled": JSON_VALUES,
            "details_submitted": JSON_VALUES,
            "capabilities": JSON_VALUES,
            "requirements": requirements,
        },
    )
    event = st.fixed_dictionaries(
        {"id": st.one_of(st.text(min_size=1, max_size=30), JSON_VALUES)},
        optional={
            "object": st.just("event"),
            "type": st.one_of(st.sampled_from(types), JSON_VALUES),
            "created": st.one_of(st.integers(), JSON_VALUES),
            "account": an_id,
            "livemode": JSON_VALUES,
            "data": st.one_of(st.fixed_dictionaries({"object": stripe_object}), JSON_VALUES),
        },
    )
    return st.one_of(event, JSON_VALUES)


WEBHOOK_ENDPOINTS = pytest.mark.parametrize(
    ("path", "secret", "types"),
    [
        ("/webhooks/stripe/", PLATFORM_SECRET, PLATFORM_TYPES),
        ("/webhooks/stripe/connect/", CONNECT_SECRET, CONNECT_TYPES),
    ],
    ids=["platform", "connect"],
)


def _deliver(webhook_world: WebhookWorld, path: str, secret: str, payload: str) -> None:
    """POST ``payload`` signed with ``secret``: no 5xx but the documented retry-later, and
    the ledger still checks out."""
    response = webhook_world.client.post(
        path,
        data=payload.encode(),
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign_payload(payload, secret),
    )
    deliberate = (
        path == "/webhooks/stripe/"
        and response.status_code == 500
        and response.exc_info is None
        and response.json() == RETRY_LATER
    )
    if not deliberate:
        assert_no_server_error(response, f"signed POST {path}\n  {payload[:600]}")
    report = ledger_check(record=False)
    assert report.ok, f"the ledger broke after {payload[:300]}: {report.as_dict()}"


@WEBHOOK_ENDPOINTS
@settings(max_examples=WEBHOOK_EXAMPLES, **FUZZ_SETTINGS)
@given(data=st.data())
def test_no_signed_webhook_answers_a_server_error(path, secret, types, webhook_world, data):
    def deliver() -> None:
        event = data.draw(_events(types, webhook_world.ids), label="event")
        ascii_only = data.draw(st.booleans(), label="ascii JSON")
        _deliver(webhook_world, path, secret, json.dumps(event, ensure_ascii=ascii_only))

    _in_rolled_back_savepoint(deliver)


_MISSING = object()
# Each replaces one part of a genuine event (or, for _MISSING, removes it).
JSON_POISONS = (_MISSING, None, [], {}, "abc", "\x00", 10**20, -(10**20))
NOT_OBJECTS = ("0", "null", "[]", '"event"', "[{}]", "1e999")


def _poisoned_events(event: dict):
    """Copies of ``event`` with one poison at one place: a top-level key, its object, a
    key of the object, a key of an object inside it (metadata, requirements...)."""
    places = [(key,) for key in ("id", "type", "created", "data", "account")]
    places.append(("data", "object"))
    for key, value in event["data"]["object"].items():
        places.append(("data", "object", key))
        if isinstance(value, dict):
            places += [("data", "object", key, inner) for inner in value]
    for place in places:
        for poison in JSON_POISONS:
            copy = json.loads(json.dumps(event))
            parent = copy
            for key in place[:-1]:
                parent = parent[key]
            if poison is _MISSING:
                parent.pop(place[-1], None)
            else:
                parent[place[-1]] = poison
            yield copy


@WEBHOOK_ENDPOINTS
def test_no_signed_webhook_answers_a_server_error_to_a_known_poison(
    path, secret, types, webhook_world
):
    """Beside the random fuzz, a deterministic sweep: a genuine event of each type the
    endpoint handles with one part missing or replaced by a poison (null, a list, an
    object, a word, a NUL, huge numbers), and bodies that are JSON but not an object.
    Every failure is reported, not only the first."""
    failures: list[str] = []
    payloads = list(NOT_OBJECTS)
    for event_type in types:
        payloads += [
            json.dumps(event) for event in _poisoned_events(webhook_world.samples[event_type])
        ]
    for payload in payloads:
        try:
            _in_rolled_back_savepoint(_deliver, webhook_world, path, secret, payload)
        except AssertionError as error:
            failures.append(str(error))
    assert not failures, f"{len(failures)} server error(s):\n\n" + "\n\n".join(failures)
