from django.contrib import admin
from django.urls import include, path

from accounts.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("accounts.urls")),
    path("", include("tips.urls")),
    path("", include("payouts.urls")),
    path("dashboard/", include("tips.dashboard_urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/operations/", include("payouts.operator_admin")),
    path("admin/", admin.site.urls),
]
