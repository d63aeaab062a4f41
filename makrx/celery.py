"""Celery application: broker from settings, request ids carried in task headers."""

from __future__ import annotations

import os

from celery import Celery, signals
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "makrx.settings")

app = Celery("makrx")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(name) for name in ("default", "bridge", "notifications")]
app.autodiscover_tasks()


@signals.before_task_publish.connect
def _attach_request_id(headers=None, **_kwargs):
    """Carry the current request id to the worker in the task headers."""
    from makrx.logging import current_request_id

    request_id = current_request_id()
    if headers is not None and request_id and "request_id" not in headers:
        headers["request_id"] = request_id


@signals.task_prerun.connect
def _restore_request_id(task=None, **_kwargs):
    from makrx.logging import bind_request_context

    if task is None:
        return
    # Custom publish headers surface as attributes of the task request.
    request_id = getattr(task.request, "request_id", None) or f"task-{task.request.id}"
    bind_request_context(request_id=request_id)


@signals.task_postrun.connect
def _clear_request_id(**_kwargs):
    from makrx.logging import clear_request_context

    clear_request_context()
