from django.urls import path

from tips.clicks.views import click_revoke
from tips.dashboards.views import this_month
from tips.embeds.views import badge, popup, submit, submit_widget, thing_click, thing_detail, widget
from tips.ownership.views import my_sites, site_check, site_delete, site_detail, thing_answer
from tips.payday.views import history
from tips.things.views import my_things, profile, thing_edit, thing_new, thing_retire

app_name = "tips"

urlpatterns = [
    path("t/<int:pk>/", thing_detail, name="thing"),
    path("t/<int:pk>/click/", thing_click, name="click"),
    path("t/<int:pk>/popup/", popup, name="popup"),
    path("t/<int:pk>/widget/", widget, name="widget"),
    path("t/<int:pk>/badge.svg", badge, name="badge"),
    path("t/<int:pk>/edit/", thing_edit, name="thing_edit"),
    path("t/<int:pk>/retire/", thing_retire, name="thing_retire"),
    path("t/<int:pk>/answer/", thing_answer, name="thing_answer"),
    path("sites/", my_sites, name="sites"),
    path("sites/<int:pk>/", site_detail, name="site"),
    path("sites/<int:pk>/check/", site_check, name="site_check"),
    path("sites/<int:pk>/remove/", site_delete, name="site_remove"),
    path("things/", my_things, name="my_things"),
    path("things/new/", thing_new, name="thing_new"),
    path("clicks/<int:pk>/revoke/", click_revoke, name="revoke"),
    path("month/", this_month, name="this_month"),
    path("history/", history, name="history"),
    path("submit/", submit, name="submit"),
    path("submit/widget/", submit_widget, name="submit_widget"),
    path("@<str:handle>", profile, name="profile"),
]
