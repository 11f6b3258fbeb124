from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tracker.api"
    label = "api"

    def ready(self):
        from . import schema  # noqa: F401  (registers the API-key scheme with drf-spectacular)
