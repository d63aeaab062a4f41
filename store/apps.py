from django.apps import AppConfig


class StoreConfig(AppConfig):
    name = "store"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from store import notifications, signals  # noqa: F401  (notifications: registers the kinds)
        from store.product_documents import install_after_migrate
        from store.services import payments

        signals.connect()
        payments.register()  # the store.order payment purpose (makrx.payments)
        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="store.product_documents")
