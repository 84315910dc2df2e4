"""The root URLconf: the composition root, the one module that may import every app's URLs
(import-linter's layers contract names it as its only exception)."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from accounts.views import set_language
from flattr_clone.health import healthz
from tips.home import home

handler500 = "flattr_clone.errors.server_error"


def favicon(request: HttpRequest) -> HttpResponse:
    # Resolved per request: the hashed name exists only once collectstatic has run.
    return HttpResponsePermanentRedirect(static("favicon.svg"))


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page's <link rel="icon"> says.
    path("favicon.ico", favicon),
    path("", home, name="home"),
    path("", include("api.urls")),
    path("", include("accounts.urls")),
    path("", include("tips.urls")),
    path("", include("payouts.urls")),
    path("dashboard/", include("tips.dashboards.urls")),
    path("subscriptions/", include("tips.subscriptions.urls")),
    path("", include("tips.leaving.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/operations/", include("tips.dashboards.operator")),
    path("admin/", admin.site.urls),
]
