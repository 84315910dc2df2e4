"""``python manage.py seed_demo``: demo people, money, things and clicks for the embedded demo.

Idempotent: every row is looked up before it is created and a wallet is topped up only if
it never was, so running it again adds nothing. The wallets are funded through the offline
payment sandbox exactly as a reader funds one (``topup_sandbox_pay``). Each part is a small
function so features can switch a part to their own service later.
"""

import datetime as dt
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.legal import accept_documents, current_documents, publish_next_version
from accounts.models import LegalDocument, User
from flattr_clone.months import month_of, month_start, previous_month
from payouts.funding.models import BudgetChange
from payouts.funding.topups import topup_sandbox_pay
from payouts.ledger.models import Account, Transfer
from tips.clicks.models import Click
from tips.subscriptions.models import Subscription, SubscriptionMonth
from tips.things.models import Thing

# Printed on every run: the demo is local and these accounts exist only there.
DEMO_PASSWORD = "demo-password-2024"  # noqa: S105


@dataclass(frozen=True)
class DemoReader:
    email: str
    handle: str
    name: str
    top_up_cents: int
    budget_cents: int


@dataclass(frozen=True)
class DemoCreator:
    email: str
    handle: str
    name: str
    things: tuple[tuple[str, str], ...]  # (canonical URL, title)


# The demo creators' public profiles (issue 17): a Markdown bio and their links.
PROFILES = {
    "dana_writes": (
        "I write **long essays** about the web, reading and slow living. "
        "New essay every other Sunday.",
        ["https://dana.example.org/"],
    ),
    "eli_codes": ("Small, *dependency-free* tools. Everything is MIT licensed.", []),
    "fatou_sounds": (
        "A podcast about how people pay for the work they love. "
        "[Listen](https://podcast.example.com/).",
        ["https://podcast.example.com/"],
    ),
}
OPERATOR = ("operator@example.com", "operator", "Olga Operator")
READERS = (
    DemoReader("alice@example.com", "alice", "Alice Reader", 5000, 1000),
    DemoReader("bob@example.com", "bob", "Bob Reader", 2500, 500),
    DemoReader("chloe@example.com", "chloe", "Chloé Lectrice", 10000, 2000),
)
CREATORS = (
    DemoCreator(
        "dana@example.com",
        "dana_writes",
        "Dana Writer",
        (
            ("https://dana.example.org/essays/small-streams", "Small streams, great rivers"),
            ("https://dana.example.org/essays/slow-web", "In praise of the slow web"),
            ("https://dana.example.org/essays/reading-lists", "My reading list for winter"),
        ),
    ),
    DemoCreator(
        "eli@example.com",
        "eli_codes",
        "Eli Coder",
        (
            ("https://code.example.net/eli/tinyjson", "tinyjson: a 200-line JSON parser"),
            ("https://code.example.net/eli/dotfiles", "Eli's dotfiles"),
        ),
    ),
    DemoCreator(
        "fatou@example.com",
        "fatou_sounds",
        "Fatou Podcaster",
        (
            ("https://podcast.example.com/episodes/1", "Episode 1: Why we tip"),
            ("https://podcast.example.com/episodes/2", "Episode 2: The creator economy"),
            ("https://podcast.example.com/episodes/3", "Episode 3: Micro-donations"),
        ),
    ),
)


def seed_user(*, email: str, handle: str, name: str, staff: bool = False) -> tuple[User, bool]:
    """The demo user with a verified primary e-mail; created with the demo password."""
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        if staff:
            user = User.objects.create_superuser(
                email=email, password=DEMO_PASSWORD, handle=handle, display_name=name
            )
        else:
            user = User.objects.create_user(
                email=email, password=DEMO_PASSWORD, handle=handle, display_name=name
            )
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    # The demo's people accepted the demo's terms and privacy policy when they signed up.
    accept_documents(user=user, documents=current_documents())
    return user, created


DEMO_DOCUMENTS = {
    LegalDocument.Kind.TERMS: (
        "Terms of service",
        "This is the demo's placeholder text: operators write their own terms in the "
        "administration (Accounts, Legal documents) and publish a new version.\n\n"
        "Readers fund a wallet and choose a monthly budget. At payday the budget is shared "
        "among the creators they flattred, minus the platform's commission.\n\n"
        "The unspent wallet can be withdrawn at any time, and an account can be closed at any "
        "time from the settings.",
    ),
    LegalDocument.Kind.PRIVACY: (
        "Privacy policy",
        "This is the demo's placeholder text: operators write their own policy in the "
        "administration.\n\nWe keep your e-mail address, your handle and display name, your "
        "clicks and the movements of your money. Financial records are kept as the law "
        "requires; everything else is erased when you close your account.\n\nYou can "
        "download all your data from the settings at any time.",
    ),
}


def seed_legal_documents() -> None:
    """Version 1 of the terms and the privacy policy, unless the operator wrote some."""
    for kind, (title, body) in DEMO_DOCUMENTS.items():
        if not LegalDocument.objects.filter(kind=kind).exists():
            publish_next_version(kind=kind, title=title, body=body)


def seed_wallet(*, user: User, amount_cents: int) -> None:
    """Top the reader's wallet up through the offline sandbox, as the reader would, unless it
    was ever topped up (demo databases seeded before used the key ``seed:topup:<email>``)."""
    topped_up = Transfer.objects.filter(
        credit__kind=Account.Kind.WALLET, credit__user=user, kind=Transfer.Kind.TOP_UP
    )
    if not topped_up.exists():
        topup_sandbox_pay(user=user, amount_cents=amount_cents)


def seed_budget(*, user: User, amount_cents: int, at: dt.datetime) -> None:
    """Give the reader a monthly budget unless they already have one."""
    if not BudgetChange.objects.filter(user=user).exists():
        BudgetChange.objects.create(user=user, amount_cents=amount_cents, created_at=at)


def seed_things(*, creator: User, things: tuple[tuple[str, str], ...]) -> list[Thing]:
    """The creator's things, looked up by canonical URL."""
    return [
        Thing.objects.get_or_create(url=url, defaults={"owner": creator, "title": title})[0]
        for url, title in things
    ]


def seed_click(
    *, reader: User, thing: Thing, at: dt.datetime, source: str = Click.Source.BUTTON
) -> Click | None:
    """One click of ``reader`` on ``thing`` in the month of ``at``; never on their own thing."""
    if thing.owner_id == reader.pk:
        return None
    click, _ = Click.objects.get_or_create(
        reader=reader,
        thing=thing,
        month=month_of(at),
        defaults={"creator_id": thing.owner_id, "created_at": at, "source": source},
    )
    return click


def seed_subscription(*, reader: User, thing: Thing, now: dt.datetime) -> Subscription | None:
    """``reader`` flattrs ``thing`` every month, until cancelled, since last month: the
    subscription, its clicks of last month and of this month's first day, and what it did in
    each month (a click the reader had made by hand counts)."""
    if thing.owner_id == reader.pk:
        return None
    last_month = previous_month(month_of(now))
    started_at = month_start(last_month) + dt.timedelta(days=3)
    subscription = Subscription.objects.filter(
        reader=reader, thing=thing, status__in=Subscription.OPEN
    ).first() or Subscription.objects.create(
        reader=reader, thing=thing, first_month=last_month, created_at=started_at
    )
    for at in (started_at, min(month_start(month_of(now)) + dt.timedelta(minutes=5), now)):
        click = seed_click(reader=reader, thing=thing, at=at, source=Click.Source.SUBSCRIPTION)
        made = click.source == Click.Source.SUBSCRIPTION
        SubscriptionMonth.objects.get_or_create(
            subscription=subscription,
            month=click.month,
            defaults={
                "outcome": SubscriptionMonth.Outcome.CLICKED
                if made
                else SubscriptionMonth.Outcome.ALREADY,
                "click": click,
                "created_at": at,
            },
        )
    return subscription


def seed_clicks(*, readers: list[User], things: list[Thing], now: dt.datetime) -> None:
    """Each reader clicks a different, fixed selection of things this month and last month."""
    this_month = month_of(now)
    last_month = previous_month(this_month)
    for index, reader in enumerate(readers):
        for offset, month in enumerate([last_month, this_month]):
            start = month_start(month)
            chosen = things[(index + offset) % 2 :: 2 + index % 2]
            for day, thing in enumerate(chosen, start=1):
                at = min(start + dt.timedelta(days=day, hours=index), now)
                seed_click(reader=reader, thing=thing, at=at)


class Command(BaseCommand):
    help = "Create demo readers, creators, things and clicks (embedded demo only; idempotent)."

    def handle(self, *args, **options) -> None:
        if not getattr(settings, "EMBEDDED", False):
            raise CommandError(
                "seed_demo creates accounts with a published password; it only runs in the "
                "embedded demo (no SECRET_KEY)."
            )
        if not settings.PAYMENTS_SANDBOX:
            raise CommandError(
                "seed_demo funds the demo wallets through the offline payment sandbox, which is "
                "off while STRIPE_SECRET_KEY is set."
            )
        now = timezone.now()
        # Budgeted before last month began, so last month's payday can run (it takes the
        # budget in effect at the end of the month and what the wallet holds when it runs).
        budgeted_at = month_start(previous_month(month_of(now)))
        with transaction.atomic():
            seed_legal_documents()
            operator, _ = seed_user(
                email=OPERATOR[0], handle=OPERATOR[1], name=OPERATOR[2], staff=True
            )
            readers = []
            for spec in READERS:
                reader, _ = seed_user(email=spec.email, handle=spec.handle, name=spec.name)
                seed_wallet(user=reader, amount_cents=spec.top_up_cents)
                seed_budget(user=reader, amount_cents=spec.budget_cents, at=budgeted_at)
                readers.append(reader)
            things: list[Thing] = []
            for spec in CREATORS:
                creator, _ = seed_user(email=spec.email, handle=spec.handle, name=spec.name)
                if spec.handle in PROFILES and not creator.bio:
                    creator.bio, creator.links = PROFILES[spec.handle]
                    creator.save(update_fields=["bio", "links"])
                things.extend(seed_things(creator=creator, things=spec.things))
            seed_clicks(readers=readers, things=things, now=now)
            # Alice flattrs the first podcast episode every month.
            seed_subscription(reader=readers[0], thing=things[-3], now=now)
        self.print_logins()

    def print_logins(self) -> None:
        out = self.stdout
        out.write(self.style.SUCCESS("Demo data is ready. Log in at /accounts/login/ with:"))
        out.write(f"  password for every demo account: {DEMO_PASSWORD}")
        out.write(f"  operator (staff): {OPERATOR[0]}")
        out.write(
            "    The admin (/admin/) asks operators to activate an authenticator app (TOTP) "
            "on their first visit."
        )
        for spec in READERS:
            out.write(f"  reader:  {spec.email}")
        for spec in CREATORS:
            out.write(f"  creator: {spec.email}")
