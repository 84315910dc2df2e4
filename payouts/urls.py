"""The payouts app's pages: the wallet (funding), getting paid (connect, batches) and the
signed Stripe webhooks."""

from django.urls import path

from payouts.batches.views import payouts_page
from payouts.cards.views import (
    auto_top_up,
    card_remove_view,
    card_return,
    card_sandbox,
    card_setup,
    charge_pay,
    charge_sandbox,
    funding_mode,
)
from payouts.connect.views import (
    connect_dashboard,
    connect_refresh,
    connect_return,
    connect_sandbox,
    connect_start,
    get_paid,
)
from payouts.funding.views import (
    budget_update,
    sandbox_checkout,
    topup_cancel_view,
    topup_create,
    topup_retry,
    topup_status,
    wallet,
)
from payouts.statements.views import statement_csv, statements_page
from payouts.webhooks.views import connect_webhook, stripe_webhook

app_name = "payouts"

urlpatterns = [
    # Funding: balance, budget, top-ups, the sandbox's test payment page.
    path("wallet/", wallet, name="wallet"),
    path("wallet/budget/", budget_update, name="budget_update"),
    path("wallet/top-up/", topup_create, name="topup_create"),
    path("wallet/top-up/<int:pk>/", topup_status, name="topup_status"),
    path("wallet/top-up/<int:pk>/cancel/", topup_cancel_view, name="topup_cancel"),
    path("wallet/top-up/<int:pk>/retry/", topup_retry, name="topup_retry"),
    path("wallet/sandbox/<str:session_id>/", sandbox_checkout, name="sandbox_checkout"),
    # Saved cards: save, replace, remove; how to pay; automatic top-up; paying a charge.
    path("wallet/card/", card_setup, name="card_setup"),
    path("wallet/card/<int:pk>/return/", card_return, name="card_return"),
    path("wallet/card/remove/", card_remove_view, name="card_remove"),
    path("wallet/card/sandbox/<str:session_id>/", card_sandbox, name="card_sandbox"),
    path("wallet/funding/", funding_mode, name="funding_mode"),
    path("wallet/auto-top-up/", auto_top_up, name="auto_top_up"),
    path("wallet/charge/<int:pk>/pay/<str:token>/", charge_pay, name="charge_pay"),
    path("wallet/charge/sandbox/<str:session_id>/", charge_sandbox, name="charge_sandbox"),
    # Statements of what a person's money did in a year or month (printable, CSV).
    path("statements/", statements_page, name="statements"),
    path("statements/<str:period>.csv", statement_csv, name="statement_csv"),
    # Getting paid: onboarding and the payouts page.
    path("payouts/", payouts_page, name="payouts"),
    path("payouts/get-paid/", get_paid, name="get_paid"),
    path("payouts/get-paid/start/", connect_start, name="connect_start"),
    path("payouts/get-paid/refresh/", connect_refresh, name="connect_refresh"),
    path("payouts/get-paid/return/", connect_return, name="connect_return"),
    path("payouts/get-paid/dashboard/", connect_dashboard, name="connect_dashboard"),
    path("payouts/get-paid/sandbox/", connect_sandbox, name="connect_sandbox"),
    # The signed webhooks: the only CSRF-exempt views.
    path("webhooks/stripe/", stripe_webhook, name="stripe_webhook"),
    path("webhooks/stripe/connect/", connect_webhook, name="connect_webhook"),
]
