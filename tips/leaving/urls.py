from django.urls import path

from tips.leaving.views import close_account, export_download, export_start, leaving, withdraw

urlpatterns = [
    path("settings/leaving/", leaving, name="leaving"),
    path("settings/leaving/withdraw/", withdraw, name="withdraw"),
    path("settings/leaving/export/", export_start, name="export_start"),
    path("settings/leaving/export/<str:token>/", export_download, name="export_download"),
    path("settings/leaving/close/", close_account, name="close_account"),
]
