"""The Celery application. Workers and beat start with ``celery -A flattr_clone ...``."""

import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flattr_clone.settings")

app = Celery("flattr_clone")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The task modules are listed in settings.CELERY_IMPORTS (one list, greppable).


@setup_logging.connect
def _use_the_django_logging(**kwargs) -> None:
    """Workers and beat log through settings.LOGGING, like the web process: without this
    Celery adds its own handler to the root logger and every line is printed twice."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
