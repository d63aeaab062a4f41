"""Celery application: broker from settings, request ids carried in task headers."""

from __future__ import annotations

import os

from celery import Celery, signals
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "makrx.settings")

app = Celery("makrx")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(name) for name in ("default", "notifications", "bridge")]
app.autodiscover_tasks()


# Request-id context pushed by task_prerun, popped by task_postrun, by task id.
_pushed: dict[str, object] = {}


@signals.before_task_publish.connect
def _attach_request_id(headers=None, **_kwargs):
    """Carry the current request id to the worker in the task headers."""
    from makrx.logging import current_request_id

    request_id = current_request_id()
    if headers is not None and request_id and "request_id" not in headers:
        headers["request_id"] = request_id


def _request_id_from_headers(task) -> str | None:
    # Custom publish headers surface as attributes of the task request (protocol 2);
    # some paths keep them under ``headers``.
    value = getattr(task.request, "request_id", None)
    if not value:
        value = (getattr(task.request, "headers", None) or {}).get("request_id")
    return value if isinstance(value, str) and value else None


@signals.task_prerun.connect
def _restore_request_id(task_id=None, task=None, **_kwargs):
    from makrx.logging import current_request_id, push_request_id

    if task is None or task_id is None:
        return
    request_id = _request_id_from_headers(task)
    if request_id is None and task.request.is_eager:
        # Eager tasks never publish: they run inside the caller's context, so keep its id.
        request_id = current_request_id()
    _pushed[task_id] = push_request_id(request_id or f"task-{task_id}")


@signals.task_postrun.connect
def _restore_previous_request_id(task_id=None, **_kwargs):
    """Put back whatever id was current before the task (the request's, for eager tasks)."""
    from makrx.logging import pop_request_id

    token = _pushed.pop(task_id, None)
    if token is not None:
        pop_request_id(token)
