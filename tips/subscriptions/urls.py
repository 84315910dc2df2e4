"""A reader's subscriptions (mounted at /subscriptions/)."""

from django.urls import path

from tips.subscriptions.views import (
    subscription_cancel_view,
    subscription_list,
    subscription_new,
    subscription_pause_view,
    subscription_resume_view,
)

app_name = "subscriptions"

urlpatterns = [
    path("", subscription_list, name="list"),
    path("things/<int:pk>/", subscription_new, name="start"),
    path("<int:pk>/pause/", subscription_pause_view, name="pause"),
    path("<int:pk>/resume/", subscription_resume_view, name="resume"),
    path("<int:pk>/cancel/", subscription_cancel_view, name="cancel"),
]
