"""The API under /rest/v2/ (a trailing slash optional on every path, never a redirect), the
OAuth 2 endpoints under /oauth/, and the apps and tokens pages under /settings/."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from oauth2_provider import views as oauth

from api import pages, views
from api.oauth import AuthorizationView

app_name = "api"


def rest(route: str, view, name: str):
    return re_path(rf"^rest/v2/{route}/?$", view, name=name)


urlpatterns = [
    path("rest/v2/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "rest/v2/schema/docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"
    ),
    rest("things", views.ThingsView.as_view(), "things"),
    rest("things/lookup", views.ThingLookupView.as_view(), "thing_lookup"),
    rest("things/search", views.ThingSearchView.as_view(), "thing_search"),
    rest(r"things/(?P<ids>[0-9]{1,18}(?:,[0-9]{1,18})*)", views.ThingView.as_view(), "thing"),
    rest(r"things/(?P<pk>[0-9]{1,18})/flattr", views.ThingFlattrView.as_view(), "thing_flattr"),
    rest(r"things/(?P<pk>[0-9]{1,18})/flattrs", views.ThingFlattrsView.as_view(), "thing_flattrs"),
    rest(
        r"things/(?P<pk>[0-9]{1,18})/subscriptions",
        views.ThingSubscriptionsView.as_view(),
        "thing_subscriptions",
    ),
    rest("flattr", views.FlattrByUrlView.as_view(), "flattr"),
    rest(r"users/(?P<username>[A-Za-z0-9_]{1,30})", views.UserView.as_view(), "user"),
    rest(
        r"users/(?P<username>[A-Za-z0-9_]{1,30})/things",
        views.UserThingsView.as_view(),
        "user_things",
    ),
    rest(
        r"users/(?P<username>[A-Za-z0-9_]{1,30})/flattrs",
        views.UserFlattrsView.as_view(),
        "user_flattrs",
    ),
    rest("user", views.MeView.as_view(), "me"),
    rest("user/things", views.MeThingsView.as_view(), "me_things"),
    rest("user/flattrs", views.MeFlattrsView.as_view(), "me_flattrs"),
    rest("user/subscriptions", views.MeSubscriptionsView.as_view(), "me_subscriptions"),
    rest("categories", views.CategoriesView.as_view(), "categories"),
    rest("languages", views.LanguagesView.as_view(), "languages"),
    rest("rate_limit", views.RateLimitView.as_view(), "rate_limit"),
    # OAuth 2 (django-oauth-toolkit), at Flattr's addresses.
    re_path(r"^oauth/authorize/?$", AuthorizationView.as_view(), name="authorize"),
    re_path(r"^oauth/token/?$", oauth.TokenView.as_view(), name="token"),
    re_path(r"^oauth/revoke_token/?$", oauth.RevokeTokenView.as_view(), name="revoke_token"),
    # The pages.
    path("settings/apps/", pages.applications, name="applications"),
    path("settings/apps/<int:pk>/delete/", pages.application_remove, name="application_delete"),
    path("settings/authorized-apps/", pages.authorized, name="authorized"),
    path(
        "settings/authorized-apps/<int:pk>/revoke/",
        pages.authorized_revoke,
        name="authorized_revoke",
    ),
    path("settings/tokens/", pages.tokens, name="tokens"),
    path("settings/integrations/", pages.integrations, name="integrations"),
    path("settings/integrations/test/", pages.integrations_test, name="integrations_test"),
    path("settings/integrations/delete/", pages.integrations_delete, name="integrations_delete"),
    path("settings/tokens/<int:pk>/revoke/", pages.token_revoke, name="token_revoke"),
]
