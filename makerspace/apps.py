from django.apps import AppConfig


class MakerspaceConfig(AppConfig):
    name = "makerspace"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from makerspace import (
            notifications,  # noqa: F401  (registers the notification kinds)
            signals,  # noqa: F401  (cache-clearing receivers)
        )
        from makerspace.services.invoice_payments import payment_purposes_register

        payment_purposes_register()
