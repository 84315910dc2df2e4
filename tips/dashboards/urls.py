"""The dashboards' pages: the reader's and the creator's, and the creator's CSV exports."""

from django.urls import path

from tips.dashboards.views import clicks_csv, creator_dashboard, earnings_csv, reader_dashboard

app_name = "dashboards"


urlpatterns = [
    path("", reader_dashboard, name="reader"),
    path("creator/", creator_dashboard, name="creator"),
    path("creator/earnings.csv", earnings_csv, name="earnings_csv"),
    path("creator/clicks.csv", clicks_csv, name="clicks_csv"),
]
