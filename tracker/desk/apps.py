from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class DeskConfig(AppConfig):
    name = "tracker.desk"
    label = "desk"
    verbose_name = "Desk"


class DeskAdminConfig(AdminConfig):
    """Django's admin, with the desk's site (staff home, orphaned quotes) as the default."""

    default_site = "tracker.desk.site.DeskAdminSite"
