from django.urls import path

from . import dashboard_views

app_name = "dashboards"

urlpatterns = [
    path("", dashboard_views.reader_dashboard, name="reader"),
    path("creator/", dashboard_views.creator_dashboard, name="creator"),
    path("creator/earnings.csv", dashboard_views.earnings_csv, name="earnings_csv"),
    path("creator/clicks.csv", dashboard_views.clicks_csv, name="clicks_csv"),
]
