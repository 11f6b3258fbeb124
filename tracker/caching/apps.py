from django.apps import AppConfig


class CachingConfig(AppConfig):
    name = "tracker.caching"
    label = "caching"

    def ready(self) -> None:
        from . import purge, tags

        tags.connect_signals()  # records loaded while a response is built are its keys
        purge.connect_signals()  # a change readers can see is purged from the edge on commit
