from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "tracker.public"
    label = "public"

    def ready(self) -> None:
        from . import search

        search.connect_signals()
