from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "tracker.search"
    label = "search"

    def ready(self) -> None:
        from . import index

        index.connect_signals()
