from django.urls import path

from . import payday_views, views

app_name = "tips"

urlpatterns = [
    path("t/<int:pk>/", views.thing_detail, name="thing"),
    path("t/<int:pk>/click/", views.thing_click, name="click"),
    path("t/<int:pk>/popup/", views.popup, name="popup"),
    path("t/<int:pk>/widget/", views.widget, name="widget"),
    path("t/<int:pk>/badge.svg", views.badge, name="badge"),
    path("t/<int:pk>/edit/", views.thing_edit, name="thing_edit"),
    path("t/<int:pk>/hide/", views.thing_hide, name="thing_hide"),
    path("things/", views.my_things, name="my_things"),
    path("things/new/", views.thing_new, name="thing_new"),
    path("clicks/<int:pk>/revoke/", views.click_revoke, name="revoke"),
    path("month/", views.this_month, name="this_month"),
    path("history/", payday_views.history, name="history"),
    path("submit/", views.submit, name="submit"),
    path("submit/widget/", views.submit_widget, name="submit_widget"),
    path("@<str:handle>", views.profile, name="profile"),
]
