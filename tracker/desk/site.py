"""The desk's admin site: Django's, opening on the staff home (tracker/desk/home.py),
plus the orphaned-quotes queue and the newsroom's pages (tracker/newsroom/: assignment,
comments, the inbox, my submissions). Installed as the default site (apps.DeskAdminConfig),
so every `@admin.register` lands here."""

from django.contrib import admin
from django.urls import path


class DeskAdminSite(admin.AdminSite):
    site_header = "Policy desk"
    site_title = "Policy desk admin"
    index_title = "The desk"
    index_template = "admin/desk/home.html"

    def index(self, request, extra_context=None):
        from tracker.newsroom.panels import home_lists as newsroom_lists

        from .home import home_lists

        lists = [*newsroom_lists(request.user), *home_lists(request.user)]
        context = {**(extra_context or {}), "home_lists": lists}
        return super().index(request, context)

    def get_urls(self):
        from tracker.newsroom.views import admin_urls as newsroom_urls

        from .admin.orphans import orphaned_quotes_view
        from .desk_link import edit_link

        return [
            path("orphaned-quotes/", self.admin_view(orphaned_quotes_view), name="desk_orphaned_quotes"),
            path("desk-link/", self.admin_view(edit_link), name="desk_edit_link"),
            *newsroom_urls(self),
            *super().get_urls(),
        ]
