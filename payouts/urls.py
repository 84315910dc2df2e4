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
