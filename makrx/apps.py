from django.apps import AppConfig


class MakrxConfig(AppConfig):
    name = "makrx"
    verbose_name = "Platform"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from makrx.api.fields import install_model_field_mapping
        from makrx.auth import schema as auth_schema  # noqa: F401  (registers the OpenAPI security scheme)

        install_model_field_mapping()
