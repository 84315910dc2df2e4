"""One factory per model.

A factory that writes money goes through the real services, so the ledger stays
consistent (an autouse fixture checks it after every test): accounts come from the
ledger's own account functions, transfers are posted, top-ups are paid through the
offline sandbox as a reader pays them, payouts are written by the payout service.
Rows that hold no money (budgets, things, clicks, payday bookkeeping, e-mails, events)
are plain rows.
"""

import datetime as dt

import factory
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone

from flattr_clone.months import month_of, previous_month
from payouts.batches.models import Payout, PayoutBatch
from payouts.connect.models import PaymentAccount
from payouts.funding.models import BudgetChange, TopUp
from payouts.ledger.models import Account, LedgerCheck, Transfer
from payouts.webhooks.models import ProviderEvent
from tips.clicks.models import Click
from tips.emails.models import MonthlyEmail
from tips.payday.models import PaydayChunk, PaydayRecord, PaydayRun
from tips.subscriptions.models import (
    Subscription,
    SubscriptionChunk,
    SubscriptionMonth,
    SubscriptionRun,
    last_month_of,
)
from tips.things.models import Thing

# --- Accounts ------------------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    handle = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Faker("name")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        """A verified primary e-mail unless ``verified=False``."""
        if create:
            EmailAddress.objects.get_or_create(
                user=obj,
                email=obj.email,
                defaults={"verified": extracted is not False, "primary": True},
            )


# --- Ledger --------------------------------------------------------------------------


class AccountFactory(factory.django.DjangoModelFactory):
    """A ledger account as the ledger makes it: a user's wallet or earnings, or a system
    account (``kind="external"`` is the sandbox's unless ``name`` says otherwise). Looked up
    if it exists; its balance is whatever its transfers made it."""

    class Meta:
        model = Account

    kind = Account.Kind.WALLET
    user = factory.Maybe(
        factory.LazyAttribute(lambda o: o.kind in Account.USER_KINDS),
        yes_declaration=factory.SubFactory(UserFactory),
        no_declaration=None,
    )
    name = factory.LazyAttribute(lambda o: "sandbox" if o.kind == Account.Kind.EXTERNAL else "")

    @classmethod
    def _create(cls, model_class, *, kind, user, name):
        from payouts.ledger.services import system_account, user_account

        if kind in Account.USER_KINDS:
            return user_account(user, kind)
        return system_account(kind, name)


class TransferFactory(factory.django.DjangoModelFactory):
    """A transfer posted through the ledger (``post_transfer``), by default a correction from
    the sandbox's external account into a new reader's wallet. ``created_at`` backdates it."""

    class Meta:
        model = Transfer

    debit = factory.SubFactory(AccountFactory, kind=Account.Kind.EXTERNAL)
    credit = factory.SubFactory(AccountFactory, kind=Account.Kind.WALLET)
    amount_cents = 1000
    idempotency_key = factory.Sequence(lambda n: f"test-transfer:{n}")
    kind = Transfer.Kind.CORRECTION
    reference = ""
    created_at = None

    @classmethod
    def _create(cls, model_class, *, created_at, **fields):
        from payouts.ledger.services import post_transfer

        return post_transfer(**fields, at=created_at)


class LedgerCheckFactory(factory.django.DjangoModelFactory):
    """A stored outcome of the ledger self-check (by default a passing one)."""

    class Meta:
        model = LedgerCheck

    ok = True
    report = factory.LazyAttribute(
        lambda o: {
            "ok": o.ok,
            "accounts": 0,
            "transfers": 0,
            "total_cents": 0,
            "negative_accounts": [],
            "mismatched_accounts": [],
        }
    )


# --- Funding -------------------------------------------------------------------------


class BudgetChangeFactory(factory.django.DjangoModelFactory):
    """A reader's monthly budget from ``created_at`` (now) on; any amount, even one the budget
    form refuses."""

    class Meta:
        model = BudgetChange

    user = factory.SubFactory(UserFactory)
    amount_cents = 1000
    created_at = factory.LazyFunction(timezone.now)


class TopUpFactory(factory.django.DjangoModelFactory):
    """A top-up made as a reader makes it, through the offline sandbox.

    ``paid`` (the default) is ``payouts.funding.topups.topup_sandbox_pay``: the wallet is
    credited under ``topup:<pk>``, now. ``pending`` stops once the test payment page is open;
    ``canceled`` and ``failed`` abandon it there. Tests fund wallets with amounts the top-up
    form refuses (1 cent, 777 cents): only the accepted range is widened, the path is the
    reader's.
    """

    class Meta:
        model = TopUp

    user = factory.SubFactory(UserFactory)
    amount_cents = 1000
    status = TopUp.Status.PAID

    @classmethod
    def _create(cls, model_class, *, user, amount_cents, status):
        from payouts.funding.topups import topup_abandon, topup_sandbox_pay, topup_start

        with override_settings(TOP_UP_MIN_CENTS=1, TOP_UP_MAX_CENTS=10**12):
            if status == TopUp.Status.PAID:
                return topup_sandbox_pay(user=user, amount_cents=amount_cents)
            topup, _url = topup_start(user=user, amount_cents=amount_cents)
        if status == TopUp.Status.PENDING:
            return topup
        return topup_abandon(
            provider=topup.provider,
            session_id=topup.session_id,
            status=status,
            reason="abandoned on the sandbox page",
        )


def fund_reader(reader, *, wallet_cents: int = 2000, budget_cents: int = 1000):
    """Money in the reader's wallet (a paid sandbox top-up) and a monthly budget."""
    if wallet_cents:
        TopUpFactory(user=reader, amount_cents=wallet_cents)
    if budget_cents:
        BudgetChangeFactory(user=reader, amount_cents=budget_cents)
    return reader


def ready_reader(**kwargs):
    """A reader who may click: verified e-mail, a budget and money in the wallet."""
    wallet_cents = kwargs.pop("wallet_cents", 2000)
    budget_cents = kwargs.pop("budget_cents", 1000)
    return fund_reader(UserFactory(**kwargs), wallet_cents=wallet_cents, budget_cents=budget_cents)


# --- Webhooks ------------------------------------------------------------------------


class ProviderEventFactory(factory.django.DjangoModelFactory):
    """A provider's webhook event as stored once received (no money: its effect is not run)."""

    class Meta:
        model = ProviderEvent

    provider = "stripe"
    event_id = factory.Sequence(lambda n: f"evt_test_{n}")
    event_type = "checkout.session.completed"
    object_id = factory.Sequence(lambda n: f"cs_test_{n}")
    top_up = None
    outcome = ProviderEvent.Outcome.PROCESSED
    payload = factory.LazyAttribute(
        lambda o: {"id": o.event_id, "type": o.event_type, "data": {"object": {"id": o.object_id}}}
    )


# --- Payouts -------------------------------------------------------------------------


class PaymentAccountFactory(factory.django.DjangoModelFactory):
    """A creator's payment account, ready to receive money (sandbox unless told otherwise)."""

    class Meta:
        model = PaymentAccount

    user = factory.SubFactory(UserFactory)
    provider = "sandbox"
    provider_account_id = factory.LazyAttribute(lambda o: f"sandbox_{o.user.pk}")
    status = "ready"
    details_submitted = True


def give_earnings(creator, cents: int, *, month: str = "2026-10", reader=None):
    """Earnings as payday writes them: a reader's wallet funded from outside, then a
    distribution wallet → creator earnings under the payday keys."""
    from payouts.ledger.services import earnings_of, post_transfer, system_account, wallet_of

    reader = reader or UserFactory()
    post_transfer(
        debit=system_account("external", "sandbox"),
        credit=wallet_of(reader),
        amount_cents=cents,
        idempotency_key=f"test-funding:{reader.pk}:{creator.pk}:{month}",
        kind="top_up",
        reference=f"test-funding:{reader.pk}",
    )
    return post_transfer(
        debit=wallet_of(reader),
        credit=earnings_of(creator),
        amount_cents=cents,
        idempotency_key=f"payday:{month}:{reader.pk}:{creator.pk}",
        kind="distribution",
        reference=f"payday:{month}",
    )


class PayoutBatchFactory(factory.django.DjangoModelFactory):
    """A payout batch started by hand, before any payout is written into it."""

    class Meta:
        model = PayoutBatch

    trigger = "manual"


class PayoutFactory(factory.django.DjangoModelFactory):
    """A payout as the batch writes it (``payout_create``): the creator is given
    ``amount_cents`` of earnings (``give_earnings``) and their whole earnings go in transit
    to their payment account (a sandbox one is made if they have none).

    ``sending`` (the default) stops there; ``paid`` also sends it through the sandbox
    (``payout_send``); ``failed`` records a refusal (``payout_fail``), money back in earnings.
    """

    class Meta:
        model = Payout

    batch = factory.SubFactory(PayoutBatchFactory)
    user = factory.SubFactory(UserFactory)
    amount_cents = 2000
    status = Payout.Status.SENDING

    @classmethod
    def _create(cls, model_class, *, batch, user, amount_cents, status):
        from payouts.batches.services import payout_create, payout_fail, payout_send

        if status not in (Payout.Status.SENDING, Payout.Status.PAID, Payout.Status.FAILED):
            raise ValueError(f"PayoutFactory makes sending, paid or failed payouts, not {status}")
        if not PaymentAccount.objects.filter(user=user).exists():
            PaymentAccountFactory(user=user)
        give_earnings(user, amount_cents)
        payout = payout_create(batch=batch, user=user)
        if payout is None:
            raise ValueError(f"{user} cannot be paid out now (see eligible_earnings)")
        if status == Payout.Status.PAID:
            payout_send(payout_id=payout.pk)
        elif status == Payout.Status.FAILED:
            payout_fail(payout=payout, code="test_refusal", reason="refused by the test")
        payout.refresh_from_db()
        return payout


# --- Things and clicks ---------------------------------------------------------------


class ThingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Thing

    owner = factory.SubFactory(UserFactory)
    url = factory.Sequence(lambda n: f"https://creator.example/posts/{n}")
    title = factory.Sequence(lambda n: f"Post number {n}")


class ClickFactory(factory.django.DjangoModelFactory):
    """A click stored as the click service stores it (its rules are not checked here)."""

    class Meta:
        model = Click

    reader = factory.SubFactory(UserFactory)
    thing = factory.SubFactory(ThingFactory)
    creator = factory.LazyAttribute(lambda o: o.thing.owner)
    month = factory.LazyFunction(month_of)
    created_at = factory.LazyFunction(timezone.now)


# --- Payday bookkeeping (the money itself is in the ledger) ----------------------------


class PaydayRunFactory(factory.django.DjangoModelFactory):
    """A payday run as planned, before any chunk ran (months from 2020-01 on, one each)."""

    class Meta:
        model = PaydayRun

    month = factory.Sequence(lambda n: dt.date(2020 + n // 12, n % 12 + 1, 1))
    chunk_size = factory.LazyFunction(lambda: settings.PAYDAY_CHUNK_SIZE)


class PaydayChunkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaydayChunk

    run = factory.SubFactory(PaydayRunFactory)
    number = factory.Sequence(lambda n: n + 1)
    first_reader_id = 1
    last_reader_id = 1


class PaydayRecordFactory(factory.django.DjangoModelFactory):
    """What payday did for one reader (only the record: no money moves)."""

    class Meta:
        model = PaydayRecord

    run = factory.SubFactory(PaydayRunFactory)
    month = factory.SelfAttribute("run.month")
    reader = factory.SubFactory(UserFactory)
    budget_cents = 1000
    wallet_cents = 2000
    given_cents = 1000
    commission_cents = 100
    creators = 1


# --- Subscriptions (no money: they make clicks) --------------------------------------


class SubscriptionFactory(factory.django.DjangoModelFactory):
    """A running subscription as ``subscription_start`` stores it, started last month by
    default (so this month's run covers it); its start click is not made here."""

    class Meta:
        model = Subscription

    reader = factory.SubFactory(UserFactory)
    thing = factory.SubFactory(ThingFactory)
    months = None
    first_month = factory.LazyFunction(lambda: previous_month(month_of()))
    last_month = factory.LazyAttribute(lambda o: last_month_of(o.first_month, o.months))
    status = Subscription.Status.ACTIVE


class SubscriptionMonthFactory(factory.django.DjangoModelFactory):
    """What a subscription did in a month (by default: skipped, paused)."""

    class Meta:
        model = SubscriptionMonth

    subscription = factory.SubFactory(SubscriptionFactory)
    month = factory.Sequence(lambda n: dt.date(2020 + n // 12, n % 12 + 1, 1))
    outcome = SubscriptionMonth.Outcome.PAUSED


class SubscriptionRunFactory(factory.django.DjangoModelFactory):
    """A month's subscription run as planned (months from 2020-01 on, one each)."""

    class Meta:
        model = SubscriptionRun

    month = factory.Sequence(lambda n: dt.date(2020 + n // 12, n % 12 + 1, 1))
    chunk_size = factory.LazyFunction(lambda: settings.SUBSCRIPTION_CHUNK_SIZE)


class SubscriptionChunkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubscriptionChunk

    run = factory.SubFactory(SubscriptionRunFactory)
    number = factory.Sequence(lambda n: n + 1)
    first_subscription_id = 1
    last_subscription_id = 1


# --- E-mails -------------------------------------------------------------------------


class MonthlyEmailFactory(factory.django.DjangoModelFactory):
    """A claim on one monthly summary, not sent yet."""

    class Meta:
        model = MonthlyEmail

    user = factory.SubFactory(UserFactory)
    month = factory.LazyFunction(month_of)
    kind = MonthlyEmail.Kind.READER
