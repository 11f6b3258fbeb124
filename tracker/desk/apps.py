from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class DeskConfig(AppConfig):
    name = "tracker.desk"
    label = "desk"
    verbose_name = "Desk"

    def ready(self) -> None:
        from django.db.models.signals import pre_save
        from simple_history.signals import pre_create_historical_record

        from . import clock

        pre_save.connect(clock.date_new_row, dispatch_uid="desk.clock.date_new_row")
        pre_create_historical_record.connect(clock.date_history_row, dispatch_uid="desk.clock.date_history_row")


class DeskAdminConfig(AdminConfig):
    """Django's admin, with the desk's site (staff home, orphaned quotes) as the default."""

    default_site = "tracker.desk.site.DeskAdminSite"
