from django.urls import path

from accounts.views import (
    account_settings,
    email_choices,
    email_unsubscribe,
    legal_accept,
    legal_document,
)

urlpatterns = [
    path("settings/", account_settings, name="account_settings"),
    path("settings/emails/", email_choices, name="email_choices"),
    path("email/unsubscribe/<str:token>/", email_unsubscribe, name="email_unsubscribe"),
    path("legal/accept/", legal_accept, name="legal_accept"),
    path("legal/<str:kind>/", legal_document, name="legal_document"),
]
