from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API and apps")

    def ready(self) -> None:
        from api import signals  # noqa: F401 (connects the webhook events)
