"""The saved-card flow of the offline sandbox, through the wallet's pages: consent, the test-card
page, switching to pay after the month (and its refusals), automatic top-ups after payday, the
e-mailed link for a card that needs authentication, the operators' switch-off and the notice
before payday."""

import datetime as dt

import pytest
from django.core import mail

from payouts.cards.models import CardSetup, Charge, SavedCard
from payouts.funding.models import ReaderFunding, TopUp
from tests.factories import TopUpFactory, UserFactory
from tests.payouts.cards.helpers import month_charge, pay_after_month, save_sandbox_card
from tests.tips.payday.helpers import MONTH, click, earnings, set_budget, wallet
from tips.payday.charges import upcoming_charge_notices

pytestmark = pytest.mark.django_db


def test_saving_a_card_needs_the_consent_and_keeps_it_with_the_date(client):
    reader = UserFactory()
    client.force_login(reader)
    refused = client.post("/wallet/card/", follow=True)
    assert "Tick the box" in refused.content.decode()
    assert not CardSetup.objects.exists()
    response = client.post("/wallet/card/", {"consent": "yes"})
    setup = CardSetup.objects.get()
    assert response["Location"] == f"/wallet/card/sandbox/{setup.session_id}/"
    page = client.get(response["Location"]).content.decode()
    assert "4000002760003184" in page and "authentication" in page
    client.post(response["Location"], {"action": "save", "card": "4000000000000002"})
    card = SavedCard.objects.get(user=reader)
    assert card.last4 == "0002" and card.consented_at == setup.consented_at
    wallet_page = client.get("/wallet/").content.decode()
    assert "•••• 0002" in wallet_page and "What you agreed to" in wallet_page
    client.post("/wallet/card/remove/")
    assert not SavedCard.objects.filter(user=reader, removed_at__isnull=True).exists()


def test_switching_to_pay_after_the_month_needs_a_card_an_empty_wallet_and_the_minimum(
    client, settings
):
    reader = UserFactory()
    client.force_login(reader)

    def switch():
        return client.post("/wallet/funding/", {"mode": "after_month"}, follow=True)

    assert "Save a card first" in switch().content.decode()
    save_sandbox_card(reader)
    set_budget(reader, 300)
    assert "starts at €5.00" in switch().content.decode()
    set_budget(reader, 800)
    TopUpFactory(user=reader, amount_cents=100)
    assert "still holds money" in switch().content.decode()
    assert ReaderFunding.objects.get(user=reader).mode == "prepaid"
    other = UserFactory()
    save_sandbox_card(other)
    set_budget(other, 800)
    client.force_login(other)
    assert "Pay after the month" in switch().content.decode()
    assert ReaderFunding.objects.get(user=other).mode == "after_month"
    # Budgets below the minimum charge are refused from now on.
    response = client.post("/wallet/budget/", {"amount": "3.00"})
    assert response.status_code == 400 and "between €5.00 and" in response.content.decode()
    settings.PAY_AFTER_MONTH_ENABLED = False
    client.force_login(reader)
    assert "not offered" in switch().content.decode()


def test_sandbox_cards_succeed_or_wait_for_the_reader_who_pays_from_the_link(
    client, run_payday, django_capture_on_commit_callbacks
):
    good, needs_auth = UserFactory(), UserFactory()
    creators = UserFactory.create_batch(2)
    for reader, number in ((good, "4242424242424242"), (needs_auth, "4000002760003184")):
        save_sandbox_card(reader, number)
        pay_after_month(reader, 1000)
        for creator in creators:
            click(reader, creator)
    run_payday(MONTH)
    assert month_charge(good).status == Charge.Status.SUCCEEDED
    assert sorted(earnings(c) for c in creators) == [450, 450]
    charge = month_charge(needs_auth)
    assert charge.status == Charge.Status.NEEDS_ACTION
    link = f"/wallet/charge/{charge.pk}/pay/{charge.action_token}/"
    assert any(link in m.body for m in mail.outbox if m.to == [needs_auth.email])
    client.force_login(needs_auth)
    assert link in client.get("/").content.decode()  # the notice on every page
    assert client.get(f"/wallet/charge/{charge.pk}/pay/wrong/").status_code == 302
    pay_page = client.get(link)["Location"]
    assert client.get(pay_page).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(pay_page, {"action": "pay"})
    charge.refresh_from_db()
    assert charge.status == Charge.Status.SUCCEEDED
    assert sorted(earnings(c) for c in creators) == [900, 900]
    assert link not in client.get("/").content.decode()


def test_automatic_top_up_after_payday_when_the_wallet_is_below_the_budget(client, run_payday):
    low, full, no_card = UserFactory(), UserFactory(), UserFactory()
    creator = UserFactory()
    for reader, balance in ((low, 1200), (full, 5000), (no_card, 500)):
        TopUpFactory(user=reader, amount_cents=balance)
        set_budget(reader, 1000)
        click(reader, creator)
    for reader in (low, full):
        save_sandbox_card(reader)
        client.force_login(reader)
        client.post("/wallet/auto-top-up/", {"amount_cents": "2500"})
    run_payday(MONTH)
    assert wallet(low) == 200 + 2500 and wallet(full) == 4000 and wallet(no_card) == 0
    top_up = Charge.objects.get(kind=Charge.Kind.TOP_UP)
    assert top_up.user == low and top_up.status == Charge.Status.SUCCEEDED
    assert top_up.topup.status == TopUp.Status.PAID  # refunds and disputes find it
    run_payday(MONTH)  # again: nothing twice
    assert Charge.objects.filter(kind=Charge.Kind.TOP_UP).count() == 1 and wallet(low) == 2700


def test_operators_switching_the_mode_off_move_readers_back_after_the_payday(
    client, run_payday, settings
):
    reader, creator = UserFactory(), UserFactory()
    save_sandbox_card(reader)
    pay_after_month(reader, 1000)
    click(reader, creator)
    settings.PAY_AFTER_MONTH_ENABLED = False
    run_payday(MONTH)
    assert month_charge(reader).status == Charge.Status.SUCCEEDED  # that month still charged
    funding = ReaderFunding.objects.get(user=reader)
    assert funding.mode == "prepaid" and funding.moved_to_prepaid_at is not None
    client.force_login(reader)
    assert "no longer offers paying after the month" in client.get("/wallet/").content.decode()


def test_readers_are_told_what_will_be_charged_a_few_days_before_payday(time_machine):
    reader, creator = UserFactory(), UserFactory()
    save_sandbox_card(reader)
    pay_after_month(reader, 1200)
    june = dt.date(2026, 6, 1)
    click(reader, creator, month=june)
    time_machine.move_to(dt.datetime(2026, 6, 20, 9, tzinfo=dt.UTC))
    assert upcoming_charge_notices() == 0  # too early
    time_machine.move_to(dt.datetime(2026, 6, 28, 9, tzinfo=dt.UTC))
    assert upcoming_charge_notices() == 1
    assert upcoming_charge_notices() == 0  # once a month
    assert "€12.00" in mail.outbox[-1].body
