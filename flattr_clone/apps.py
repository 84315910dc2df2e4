from django.apps import AppConfig


class FlattrCloneConfig(AppConfig):
    name = "flattr_clone"
    verbose_name = "Flattr clone"

    def ready(self):
        # Registers the ``__in_array`` lookup before any query uses it (web and workers alike).
        from flattr_clone import db  # noqa: F401
