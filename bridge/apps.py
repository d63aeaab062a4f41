from django.apps import AppConfig


class BridgeConfig(AppConfig):
    name = "bridge"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bridge import tasks  # noqa: F401  (registers the Celery tasks)
        from bridge.services import handlers, inbox, outbox
        from makrx import metrics

        handlers.connect()
        metrics.register_gauge_collector(outbox.outbox_gauge_collect)
        metrics.register_gauge_collector(inbox.inbox_gauge_collect)
