from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "tracker.public"
    label = "public"
