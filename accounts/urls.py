from django.urls import path

from accounts.profiles.views import avatar, profile_edit
from accounts.views import (
    account_settings,
    email_choices,
    email_unsubscribe,
    legal_accept,
    legal_document,
)

urlpatterns = [
    path("settings/", account_settings, name="account_settings"),
    path("settings/profile/", profile_edit, name="profile_edit"),
    path("avatars/<int:user_id>/<str:digest>.webp", avatar, name="avatar"),
    path("settings/emails/", email_choices, name="email_choices"),
    path("email/unsubscribe/<str:token>/", email_unsubscribe, name="email_unsubscribe"),
    path("legal/accept/", legal_accept, name="legal_accept"),
    path("legal/<str:kind>/", legal_document, name="legal_document"),
]
