from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "tracker.desk"
    label = "desk"
    verbose_name = "Desk"
