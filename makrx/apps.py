from django.apps import AppConfig


class MakrxConfig(AppConfig):
    name = "makrx"
    verbose_name = "Platform"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the OpenAPI security scheme extension.
        from makrx.auth import schema as auth_schema  # noqa: F401
