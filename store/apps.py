from django.apps import AppConfig


class StoreConfig(AppConfig):
    name = "store"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from store import notifications, signals  # noqa: F401  (notifications: registers the kinds)
        from store.services import payments

        signals.connect()
        payments.register()  # the store.order payment purpose (makrx.payments)
