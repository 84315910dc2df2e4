from django.urls import path

from accounts.profiles.views import avatar, profile_edit
from accounts.views import account_settings

urlpatterns = [
    path("settings/", account_settings, name="account_settings"),
    path("settings/profile/", profile_edit, name="profile_edit"),
    path("avatars/<int:user_id>/<str:digest>.webp", avatar, name="avatar"),
]
