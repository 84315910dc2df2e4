"""The Celery application. Workers and beat start with ``celery -A flattr_clone ...``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flattr_clone.settings")

app = Celery("flattr_clone")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The task modules are listed in settings.CELERY_IMPORTS (one list, greppable).
