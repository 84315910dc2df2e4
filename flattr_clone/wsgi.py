"""The web process's entry point (gunicorn, and runserver through ``WSGI_APPLICATION``)."""

import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flattr_clone.settings")

application = get_wsgi_application()


def _warn_about_missing_parts() -> None:
    """Said once by each web process at start, not by every command or worker."""
    from django.conf import settings

    if not settings.EMBEDDED and not settings.STRIPE_SECRET_KEY:
        logging.getLogger("flattr_clone").warning(
            "STRIPE_SECRET_KEY is not set: top-ups and payouts are unavailable."
        )


_warn_about_missing_parts()
