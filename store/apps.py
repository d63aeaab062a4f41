from django.apps import AppConfig


class StoreConfig(AppConfig):
    name = "store"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from store import admin_fallback, signals

        signals.connect()
        # After the admin's autodiscover (django.contrib.admin is earlier in INSTALLED_APPS).
        admin_fallback.register_missing()
