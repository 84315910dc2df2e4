"""One factory per model. Feature work adds its own below."""

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model


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


# --- Payouts (issue 6) ---------------------------------------------------------------


class PaymentAccountFactory(factory.django.DjangoModelFactory):
    """A creator's payment account, ready to receive money (sandbox unless told otherwise)."""

    class Meta:
        model = "payouts.PaymentAccount"

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


# --- Things and clicks (issue 4) -------------------------------------------------------


class ThingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tips.Thing"

    owner = factory.SubFactory(UserFactory)
    url = factory.Sequence(lambda n: f"https://creator.example/posts/{n}")
    title = factory.Sequence(lambda n: f"Post number {n}")


def _this_month():
    from flattr_clone.months import month_of

    return month_of()


class ClickFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tips.Click"

    reader = factory.SubFactory(UserFactory)
    thing = factory.SubFactory(ThingFactory)
    creator = factory.LazyAttribute(lambda o: o.thing.owner)
    month = factory.LazyFunction(_this_month)


def fund_reader(reader, *, wallet_cents: int = 2000, budget_cents: int = 1000):
    """Money in the reader's wallet (a sandbox top-up through the ledger) and a monthly budget."""
    from payouts.funding.models import BudgetChange
    from payouts.ledger.services import post_transfer, system_account, wallet_of

    if wallet_cents:
        post_transfer(
            debit=system_account("external", "sandbox"),
            credit=wallet_of(reader),
            amount_cents=wallet_cents,
            idempotency_key=f"test-topup:{reader.pk}:{wallet_cents}",
            kind="top_up",
            reference=f"test-topup:{reader.pk}",
        )
    if budget_cents:
        BudgetChange.objects.create(user=reader, amount_cents=budget_cents)
    return reader


def ready_reader(**kwargs):
    """A reader who may click: verified e-mail, a budget and money in the wallet."""
    wallet_cents = kwargs.pop("wallet_cents", 2000)
    budget_cents = kwargs.pop("budget_cents", 1000)
    return fund_reader(UserFactory(**kwargs), wallet_cents=wallet_cents, budget_cents=budget_cents)
