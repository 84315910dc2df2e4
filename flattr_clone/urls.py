from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from accounts.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("accounts.urls")),
    path("", include("tips.urls")),
    path("", include("payouts.urls")),
    path("dashboard/", include("tips.dashboard_urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("admin/operations/", include("payouts.operator_admin")),
    path("admin/", admin.site.urls),
]
