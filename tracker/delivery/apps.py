from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "tracker.delivery"
    label = "delivery"
    verbose_name = "Webhooks and alerts"

    def ready(self) -> None:
        from .dispatch import connect_signals

        connect_signals()
