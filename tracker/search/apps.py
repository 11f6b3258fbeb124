from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class SearchConfig(AppConfig):
    name = "tracker.search"
    label = "search"

    def ready(self) -> None:
        from . import index

        autodiscover_modules("search")  # each app's search.py declares its kinds of record
        index.connect_signals()
