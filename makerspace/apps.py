from django.apps import AppConfig


class MakerspaceConfig(AppConfig):
    name = "makerspace"
    default_auto_field = "django.db.models.BigAutoField"
