"""A bare Django app: the anchor of `make bench-web` (bench/web_bench.py) and of
bench/click_load.sh. Same Django, same gunicorn, same PostgreSQL as the project; a copy of the
reference ../shared/bench/bare_app.py."""

import os

from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-only-not-secret",  # noqa: S106 (a benchmark anchor, never deployed)
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("BARE_DB", "perf_web"),
            "USER": "postgres",
            "HOST": "127.0.0.1",
            "PORT": 5432,
            "CONN_MAX_AGE": 60,
        }
    },
    MIDDLEWARE=[
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.common.CommonMiddleware",
    ],
    INSTALLED_APPS=[],
)


def plain(request):
    return HttpResponse("ok")


def select(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok")


urlpatterns = [path("plain", plain), path("select", select)]

import django  # noqa: E402

django.setup()
from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
