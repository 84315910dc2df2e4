from django.urls import path

from accounts.views import account_settings

urlpatterns = [
    path("settings/", account_settings, name="account_settings"),
]
