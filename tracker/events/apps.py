from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "tracker.events"
    label = "events"
    verbose_name = "Event log"
