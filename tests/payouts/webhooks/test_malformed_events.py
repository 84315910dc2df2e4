"""Validly signed but malformed events are refused with 400 and a JSON error, on both
endpoints: nothing is stored and no money moves, so Stripe (or whoever holds the secret)
learns what is wrong instead of the server failing."""

import json

import pytest

from payouts.connect.models import PaymentAccount
from payouts.funding.models import TopUp
from payouts.ledger.models import Account, Transfer
from payouts.ledger.selectors import balance_cents
from payouts.webhooks.models import ProviderEvent
from tests.factories import PaymentAccountFactory, UserFactory
from tests.fake_stripe import checkout as stripe_side
from tests.fake_stripe import connect as fake_connect
from tests.fake_stripe import sign_payload

pytestmark = pytest.mark.django_db

PLATFORM = "/webhooks/stripe/"
CONNECT = "/webhooks/stripe/connect/"
SECRETS = {PLATFORM: "whsec_test_platform", CONNECT: "whsec_test_connect"}  # fake_stripe's


def post_signed(client, path: str, body) -> object:
    """POST ``body`` (JSON-encoded unless already text), signed with the endpoint's secret."""
    payload = body if isinstance(body, str) else json.dumps(body)
    return client.post(
        path,
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign_payload(payload, SECRETS[path]),
    )


def assert_refused(response, mentioning: str) -> None:
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error.startswith("malformed event: ") and mentioning in error, error
    assert not ProviderEvent.objects.exists()


def event(event_type: str, obj: dict, **envelope) -> dict:
    return {
        "id": "evt_malformed_1",
        "object": "event",
        "type": event_type,
        "created": 1_790_000_000,
        "data": {"object": obj},
        **envelope,
    }


ENVELOPES = [
    pytest.param("[]", "a JSON object", id="array"),
    pytest.param('[{"id": "evt_1"}]', "a JSON object", id="array-of-events"),
    pytest.param("null", "a JSON object", id="null"),
    pytest.param('"evt_1"', "a JSON object", id="string"),
    pytest.param({"id": "evt_1", "type": "checkout.session.completed"}, "data", id="without-data"),
    pytest.param(
        {"id": "evt_1", "type": "checkout.session.completed", "data": None},
        "data",
        id="null-data",
    ),
    pytest.param(
        {"id": "evt_1", "type": "checkout.session.completed", "data": {}},
        "data.object",
        id="without-data-object",
    ),
    pytest.param(
        {"id": "evt_1", "type": "charge.refunded", "data": {"object": []}},
        "data.object",
        id="data-object-not-an-object",
    ),
    pytest.param({"type": "account.updated", "data": {"object": {}}}, "id", id="without-id"),
    pytest.param(
        {"id": 42, "type": "account.updated", "data": {"object": {}}}, "id", id="numeric-id"
    ),
    pytest.param({"id": "evt_1", "data": {"object": {}}}, "type", id="without-type"),
    pytest.param(
        event("account.updated", {"id": "acct_1"}, created="yesterday"),
        "created",
        id="created-not-a-number",
    ),
]


@pytest.mark.parametrize("path", [PLATFORM, CONNECT])
@pytest.mark.parametrize("body, mentioning", ENVELOPES)
def test_a_signed_body_that_is_not_an_event_is_refused_on_both_endpoints(
    client, fake_stripe, path, body, mentioning
):
    assert_refused(post_signed(client, path, body), mentioning)


@pytest.fixture
def pending_topup():
    return TopUp.objects.create(
        user=UserFactory(),
        amount_cents=2500,
        currency="EUR",
        provider="stripe",
        session_id="cs_test_malformed",
        status="pending",
    )


def paid_session(topup: TopUp, **fields) -> dict:
    return {
        "id": topup.session_id,
        "object": "checkout.session",
        "payment_status": "paid",
        "amount_total": topup.amount_cents,
        "currency": "eur",
        "metadata": {"topup": str(topup.pk)},
        "payment_intent": "pi_malformed",
        **fields,
    }


@pytest.mark.parametrize(
    "fields, mentioning",
    [
        ({"amount_total": "abc"}, "data.object.amount_total"),
        ({"amount_total": "2500"}, "data.object.amount_total"),
        ({"amount_total": 2500.5}, "data.object.amount_total"),
        ({"amount_total": True}, "data.object.amount_total"),
        ({"amount_total": -2500}, "data.object.amount_total"),
        ({"metadata": "topup=1"}, "data.object.metadata"),
        ({"payment_intent": {"id": "pi_1"}}, "data.object.payment_intent"),
        ({"id": None}, "data.object.id"),
    ],
)
def test_a_paid_session_that_cannot_be_read_credits_nothing(
    client, fake_stripe, pending_topup, fields, mentioning
):
    body = event("checkout.session.completed", paid_session(pending_topup, **fields))

    assert_refused(post_signed(client, PLATFORM, body), mentioning)

    pending_topup.refresh_from_db()
    assert pending_topup.status == "pending"
    assert balance_cents(pending_topup.user, Account.Kind.WALLET) == 0
    assert not Transfer.objects.exists()


def test_the_same_session_well_formed_still_credits_the_wallet(client, fake_stripe, pending_topup):
    body = event("checkout.session.completed", paid_session(pending_topup))

    response = post_signed(client, PLATFORM, body)

    assert response.json() == {"received": True, "outcome": "processed", "replay": False}
    assert balance_cents(pending_topup.user, Account.Kind.WALLET) == 2500


@pytest.fixture
def paid_stripe_topup(client, fake_stripe):
    reader = UserFactory()
    client.force_login(reader)
    client.post("/wallet/top-up/", {"preset": "2500"})
    topup = TopUp.objects.get(user=reader)
    session = stripe_side.pay_session(fake_stripe, topup.session_id)
    assert (
        stripe_side.deliver(
            client, stripe_side.event(fake_stripe, "checkout.session.completed", session)
        ).status_code
        == 200
    )
    client.logout()
    return topup, session


@pytest.mark.parametrize(
    "event_type, make, field",
    [
        ("charge.refunded", "refund", "amount_refunded"),
        ("charge.dispute.created", "dispute", "amount"),
    ],
)
@pytest.mark.parametrize("bad", ["abc", 700.5, [700], {"value": 700}])
def test_a_refund_or_dispute_with_an_amount_that_is_not_whole_cents_takes_nothing(
    client, fake_stripe, paid_stripe_topup, event_type, make, field, bad
):
    topup, session = paid_stripe_topup
    if make == "refund":
        obj = stripe_side.refund(fake_stripe, session["payment_intent"], 700)
    else:
        obj = stripe_side.dispute(fake_stripe, session["payment_intent"], 700)
    events_before = ProviderEvent.objects.count()
    transfers_before = Transfer.objects.count()

    body = event(event_type, {**obj, field: bad})
    response = post_signed(client, PLATFORM, body)

    assert response.status_code == 400
    assert f"data.object.{field}" in response.json()["error"]
    assert ProviderEvent.objects.count() == events_before
    assert Transfer.objects.count() == transfers_before
    assert balance_cents(topup.user, Account.Kind.WALLET) == 2500


def test_a_reversal_with_an_amount_that_is_not_whole_cents_is_refused(client, fake_stripe):
    transfer = {
        "id": "tr_malformed",
        "object": "transfer",
        "amount": 3300,
        "amount_reversed": "3300",
        "metadata": {"payout": "1"},
    }

    assert_refused(
        post_signed(client, PLATFORM, event("transfer.reversed", transfer)),
        "data.object.amount_reversed",
    )


@pytest.fixture
def ready_account(fake_stripe):
    _, remote = fake_connect.create_account(
        fake_stripe, {"capabilities": {"transfers": {"requested": "true"}}}, None
    )
    fake_connect.complete_onboarding(fake_stripe, remote["id"])
    account = PaymentAccountFactory(provider="stripe", provider_account_id=remote["id"])
    return account, fake_stripe.get("accounts", remote["id"])


@pytest.mark.parametrize(
    "change, mentioning",
    [
        ({"requirements": "none"}, "data.object.requirements"),
        ({"capabilities": ["transfers"]}, "data.object.capabilities"),
        ({"requirements": {"currently_due": "external_account"}}, "currently_due"),
        ({"requirements": {"past_due": [1, 2]}}, "past_due"),
        ({"requirements": {"disabled_reason": 7}}, "disabled_reason"),
        ({"id": ["acct_1"]}, "data.object.id"),
    ],
)
def test_a_connect_account_update_that_cannot_be_read_changes_nothing(
    client, fake_stripe, ready_account, change, mentioning
):
    account, remote = ready_account
    restricted = {**remote, "requirements": {"disabled_reason": "rejected.fraud"}}
    body = event("account.updated", {**restricted, **change})

    assert_refused(post_signed(client, CONNECT, body), mentioning)

    account.refresh_from_db()
    assert (account.status, account.synced_at) == ("ready", None)
    assert PaymentAccount.objects.get(pk=account.pk).can_receive


def test_an_account_update_stamped_beyond_any_date_changes_nothing(
    client, fake_stripe, ready_account
):
    account, remote = ready_account
    restricted = {**remote, "requirements": {"disabled_reason": "rejected.fraud"}}

    assert_refused(
        post_signed(client, CONNECT, event("account.updated", restricted, created=10**20)),
        "event.created",
    )

    account.refresh_from_db()
    assert (account.status, account.synced_at) == ("ready", None)


def test_a_deauthorization_without_an_id_restricts_nobody(client, fake_stripe, ready_account):
    account, _remote = ready_account
    payload, _ = fake_connect.signed_event(
        fake_stripe,
        "account.application.deauthorized",
        {"id": "ca_platform", "object": "application"},
        SECRETS[CONNECT],
        account=account.provider_account_id,
    )
    body = json.loads(payload)
    del body["id"]

    assert_refused(post_signed(client, CONNECT, body), "id")

    account.refresh_from_db()
    assert account.status == "ready"


def test_a_deauthorization_naming_an_account_that_is_not_text_is_refused(
    client, fake_stripe, ready_account
):
    account, _remote = ready_account
    body = event(
        "account.application.deauthorized",
        {"id": "ca_platform", "object": "application"},
        account=[account.provider_account_id],
    )

    assert_refused(post_signed(client, CONNECT, body), "account")

    account.refresh_from_db()
    assert account.status == "ready"


def test_an_unhandled_event_type_is_still_recorded_as_ignored_on_both_endpoints(
    client, fake_stripe
):
    body = event("customer.created", {"id": "cus_1", "object": "customer"})

    platform = post_signed(client, PLATFORM, body)
    connect = post_signed(client, CONNECT, body)

    assert platform.json() == {"received": True, "outcome": "ignored", "replay": False}
    assert (connect.status_code, connect.content) == (200, b"ignored")


@pytest.mark.parametrize("path", [PLATFORM, CONNECT])
@pytest.mark.parametrize(
    "body",
    [
        pytest.param(event("account.updated", {"id": "acct_1"}, id="evt_\u0000"), id="id"),
        pytest.param(event("checkout.session.expired", {"id": "cs_\u0000"}), id="object"),
        pytest.param(event("charge.refunded", {"id": "ch_1", "x\u0000": 1}), id="key"),
    ],
)
def test_a_signed_event_with_a_nul_character_is_refused_and_nothing_stored(
    client, fake_stripe, path, body
):
    # PostgreSQL stores a NUL neither in text nor in jsonb: it answered 500 there.
    assert_refused(post_signed(client, path, body), "NUL")
