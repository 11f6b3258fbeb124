from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "tracker.newsroom"
    label = "newsroom"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        from tracker.delivery import schedule
        from tracker.desk.signals import workflow_step

        from . import listeners, tasks

        workflow_step.connect(listeners.on_workflow_step, dispatch_uid="newsroom-workflow-step")
        schedule.register("staff-digest", tasks.send_staff_digests, schedule.daily_at_digest_hour)
