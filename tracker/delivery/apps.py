from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "tracker.delivery"
    label = "delivery"
    verbose_name = "Webhooks and alerts"

    def ready(self) -> None:
        from .tasks import connect_signals

        connect_signals()

        from django.conf import settings

        from tracker import health

        if "immediate" not in settings.TASKS["default"]["BACKEND"].lower():
            health.register("worker", check_worker, advisory=True)


def check_worker() -> None:
    from .health import worker_status

    status = worker_status()
    if not status["alive"]:
        raise WorkerStopped(f"no heartbeat for {status['seconds_since']} s")


class WorkerStopped(RuntimeError):
    """No worker wrote its heartbeat within WORKER_STALE_SECONDS."""
