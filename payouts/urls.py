from django.urls import path

from . import views, webhooks

app_name = "payouts"

# Wallets (issue 3): balance, budget, top-ups, the sandbox, the platform webhook.
urlpatterns: list = [
    path("wallet/", views.wallet, name="wallet"),
    path("wallet/budget/", views.budget_update, name="budget_update"),
    path("wallet/top-up/", views.topup_create, name="topup_create"),
    path("wallet/top-up/<int:pk>/", views.topup_status, name="topup_status"),
    path("wallet/sandbox/<str:session_id>/", views.sandbox_checkout, name="sandbox_checkout"),
    path("webhooks/stripe/", webhooks.stripe_webhook, name="stripe_webhook"),
]

# Getting paid (issue 6): onboarding, the payouts page, the Connect webhook.
from . import connect_views  # noqa: E402

urlpatterns += [
    path("payouts/", connect_views.payouts_page, name="payouts"),
    path("payouts/get-paid/", connect_views.get_paid, name="get_paid"),
    path("payouts/get-paid/start/", connect_views.connect_start, name="connect_start"),
    path("payouts/get-paid/refresh/", connect_views.connect_refresh, name="connect_refresh"),
    path("payouts/get-paid/return/", connect_views.connect_return, name="connect_return"),
    path("payouts/get-paid/dashboard/", connect_views.connect_dashboard, name="connect_dashboard"),
    path("payouts/get-paid/sandbox/", connect_views.connect_sandbox, name="connect_sandbox"),
    path("webhooks/stripe/connect/", connect_views.connect_webhook, name="connect_webhook"),
]
